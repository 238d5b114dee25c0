"""The run against the previous one (bench/results.json, committed beside RESULTS.md) and the growth run against
the large one: pure functions over the results' rows."""

from __future__ import annotations

WORSE = 1.2  # a figure more than 20% worse than the previous run's is a regression
GROWTH_GOAL = 1.2  # a plan year's reads at the growth scale: p50 at most 1.2 × the large scale's

# (clients, figure, higher is worse): the figures the regression check watches.
WATCHED = (("1", "p50_us", True), ("16", "rps", False), ("16", "p99_us", True))


def runs_by_key(result: dict | None) -> dict:
    """{row key: {clients as text: {"app": figures, ...}}} of a result (JSON turns the clients into text)."""
    if not result:
        return {}
    return {row["key"]: {str(n): runs for n, runs in row["runs"].items()} for row in result["rows"] if "key" in row}


def regressions(current: dict, previous: dict | None) -> list[dict]:
    """Every watched figure of the product more than 20% worse than in `previous`: {key, clients, figure, before,
    after, factor}. A figure absent from either run is not compared."""
    before = runs_by_key(previous)
    found = []
    for key, runs in runs_by_key(current).items():
        for clients, figure, higher_is_worse in WATCHED:
            old = before.get(key, {}).get(clients, {}).get("app", {}).get(figure)
            new = runs.get(clients, {}).get("app", {}).get(figure)
            if not old or not new:
                continue
            factor = new / old if higher_is_worse else old / new
            if factor > WORSE:
                found.append(
                    {"key": key, "clients": clients, "figure": figure, "before": old, "after": new, "factor": factor}
                )
    return found


def growth(large: dict, huge: dict) -> list[dict]:
    """Per read measured at both scales: the p50 at 1 client at each and their ratio, against GROWTH_GOAL."""
    at_huge = runs_by_key(huge)
    rows = []
    for row in large["rows"]:
        big = at_huge.get(row.get("key"), {}).get("1", {}).get("app")
        small = {str(n): runs for n, runs in row["runs"].items()}.get("1", {}).get("app")
        if big and small:
            ratio = big["p50_us"] / small["p50_us"]
            rows.append(
                {
                    "key": row["key"],
                    "endpoint": row["endpoint"],
                    "large_p50_us": small["p50_us"],
                    "huge_p50_us": big["p50_us"],
                    "ratio": ratio,
                    "met": ratio <= GROWTH_GOAL,
                }
            )
    return rows
