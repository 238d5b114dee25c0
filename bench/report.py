"""Step 4 of the bench: the report. bench/RESULTS.md (the table, the loads, the growth table, the regressions; the
notes below NOTES_MARKER are kept) and its JSON twin bench/results.json, which the next run compares itself with;
the last run's results are always in var/bench/results.json, whether or not RESULTS.md was written."""

from __future__ import annotations

import json
from pathlib import Path

from bench.compare import GROWTH_GOAL, WORSE
from bench.console import BENCH, ROOT

RESULTS = BENCH / "RESULTS.md"
RESULTS_JSON = BENCH / "results.json"
LAST_RUN = ROOT / "var" / "bench" / "results.json"
NOTES_MARKER = "<!-- notes: kept by bench/run.py -->"
FIGURE_NAMES = {"p50_us": "p50", "rps": "req/s", "p99_us": "p99"}


def previous(path: Path = RESULTS_JSON) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def loads(values) -> str:
    return " ".join(f"{x:.2f}" for x in values)


def header(result: dict) -> list[str]:
    m, data, during = result["machine"], result["data"], result["load_during"]
    sampled = (
        f"{during['min']:.2f}–{during['max']:.2f} (mean {during['mean']:.2f}, {during['n']} samples)" if during else "—"
    )
    return [
        "# Benchmark results",
        "",
        f"Run: {result['date']}, `make bench` ({result['total_seconds']} s in all).",
        *(["", f"**⚠ {result['guard']['reason']}.**"] if result["guard"]["forced"] else []),
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Linux {m['kernel']}, Python {m['python']}, "
        f"{result['postgres']} (a throwaway cluster on the same machine, fsync off).",
        f"- Load average (1, 5, 15 min) before: {loads(result['load_before'])}; during (1 min, at the end of each "
        f"measurement): {sampled}; after: {loads(result['load_after'])}.",
        f"- Data: `generate_data {' '.join(data['generator'] or [])}` in {data['generate_seconds']} s: {data['plans']} "
        f"plan-years, {data['work_items']:,} work items, {data['reports']:,} reports, {data['obligations']:,} "
        f"obligations, {data['history_rows']:,} history rows. The reads ask for plan year {result['year']}.",
        f"- Servers: gunicorn, {result['workers']} workers each, `make serve`'s flags (planpromo/gunicorn_conf.py, "
        "access log on); the product and the constant view in gthread workers of 4 threads as `make serve` runs "
        "them, the raw-SQL limit in sync workers (one connection per process); the product with DJANGO_DEBUG=0, "
        "whitenoise, static collected, throttling off, token "
        "authentication (an analyst; office reporters for the submission), a session for the pages; `manage.py "
        "db_worker` beside it renders the PDF.",
        f"- Load: wrk over loopback on the same machine, {result['duration']:g} s per measurement after a 2 s "
        "warm-up; 1 client = 1 connection, 16 clients = 16 connections.",
        "- Limit of a read: the same rows by hand-written SQL through psycopg, serialized with orjson, in a bare WSGI "
        "app (bench/rawapp.py); the statistics' SQL is written over the obligations, not taken from the ORM. Ratio = "
        "product ÷ limit (latency p50 at 1 client; throughput limit ÷ product).",
        f"- ⚠ marks a figure more than {WORSE - 1:.0%} worse than the previous run's (bench/results.json).",
        "",
    ]


def cells(row: dict, clients, runs: dict, flagged: set) -> list[str]:
    app, limit = runs["app"], runs.get("limit")
    mark = {f: " ⚠" if (row.get("key"), str(clients), f) in flagged else "" for f in FIGURE_NAMES}
    out = [row["endpoint"] if str(clients) == "1" else "", str(clients), f"{app['rps']:.1f}{mark['rps']}"]
    out += [f"{ms(app['p50_us'])}{mark['p50_us']}", f"{ms(app['p99_us'])}{mark['p99_us']}"]
    if limit:
        out += [f"{limit['rps']:.1f}", ms(limit["p50_us"]), ms(limit["p99_us"])]
        out += [f"{app['p50_us'] / limit['p50_us']:.1f}×", f"{limit['rps'] / app['rps']:.1f}×"]
    else:
        out += ["", "", "", "", ""]
    if app["non2xx"] or app["socket_errors"]:
        out[0] += f" ⚠ {app['non2xx']} non-2xx, {app['socket_errors']} socket errors"
    return out


def table(result: dict) -> list[str]:
    flagged = {(r["key"], r["clients"], r["figure"]) for r in result["regressions"]}
    lines = [
        "| Endpoint | Clients | req/s | p50 ms | p99 ms | Limit req/s | Limit p50 ms | Limit p99 ms "
        "| p50 ratio | Throughput ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        if row.get("skipped"):
            lines.append(f"| {row['endpoint']}: not measured, {row['skipped']} | | | | | | | | | |")
        for clients, runs in row["runs"].items():
            lines.append("| " + " | ".join(cells(row, clients, runs, flagged)) + " |")
    return [*lines, ""]


def notes_below_table(result: dict) -> list[str]:
    lines = [
        "The submission scenario counts each POST as a request (a submission is two: create, then submit); its "
        "latencies are per request."
    ]
    pdf = next((row.get("pdf") for row in result["rows"] if row.get("pdf")), None)
    if pdf:
        fresh = "not within 300 s" if pdf["fresh_after_s"] is None else f"after {pdf['fresh_after_s']} s"
        lines.append(
            f"The annual summary PDF: the first rendering was served {pdf['first_render_s']} s after the first GET "
            f"(202 until then). After a data change the GET answered in {pdf['after_change_ms']} ms with the last "
            f"rendering and queued a new one, which was served {fresh}."
        )
    differ = [row["endpoint"] for row in result["rows"] if row.get("same_rows") is False]
    if differ:
        lines.append(f"⚠ The limit returned other rows than the product for: {', '.join(differ)}.")
    return [*lines, ""]


def regression_section(result: dict) -> list[str]:
    if result["previous_date"] is None:
        return ["## Regressions", "", "No previous results (bench/results.json): nothing compared.", ""]
    lines = ["## Regressions", "", f"Compared with the run of {result['previous_date']}: "]
    if not result["regressions"]:
        lines[-1] += f"no figure got more than {WORSE - 1:.0%} worse."
        return [*lines, ""]
    lines[-1] += f"{len(result['regressions'])} figures got more than {WORSE - 1:.0%} worse."
    lines.append("")
    for r in result["regressions"]:
        before, after = (
            f"{v / 1000:.1f} ms" if r["figure"] != "rps" else f"{v:.1f}" for v in (r["before"], r["after"])
        )
        lines.append(
            f"- ⚠ {r['key']}, {r['clients']} clients, {FIGURE_NAMES[r['figure']]}: {before} → {after} "
            f"({r['factor']:.2f}× worse)"
        )
    return [*lines, ""]


def growth_section(result: dict) -> list[str]:
    growth = result.get("growth")
    if not growth:
        return []
    data = growth["data"]
    lines = [
        "## Growth",
        "",
        f"The same reads of {result['year']} over `generate_data {' '.join(data['generator'])}` ({data['plans']} "
        f"plan-years, {data['reports']:,} reports) beside the main run's ({result['data']['reports']:,} reports), "
        f"p50 at 1 client; the goal is at most {GROWTH_GOAL}× the main run's.",
        "",
        f"| Read | p50 ms at {result['data']['reports']:,} reports | p50 ms at {data['reports']:,} | Ratio | Goal |",
        "|---|---:|---:|---:|---|",
    ]
    for row in growth["rows"]:
        verdict = "met" if row["met"] else "**missed**"
        lines.append(
            f"| {row['endpoint']} | {ms(row['large_p50_us'])} | {ms(row['huge_p50_us'])} "
            f"| {row['ratio']:.2f}× | {verdict} |"
        )
    return [*lines, ""]


def markdown(result: dict) -> str:
    lines = header(result) + table(result) + notes_below_table(result)
    return "\n".join(lines + growth_section(result) + regression_section(result))


def write(result: dict, *, to_results: bool, results: Path = RESULTS, twin: Path = RESULTS_JSON, last: Path = LAST_RUN):
    """The last run's JSON always; RESULTS.md (its notes kept) and its twin when `to_results` (the load guard's
    decision). Returns the Markdown."""
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_text(json.dumps(result, indent=2))
    text = markdown(result)
    if to_results:
        existing = results.read_text() if results.exists() else ""
        notes = existing.split(NOTES_MARKER, 1)[1] if NOTES_MARKER in existing else "\n"
        results.write_text(text + "\n" + NOTES_MARKER + notes)
        twin.write_text(json.dumps(result, indent=2) + "\n")
    return text
