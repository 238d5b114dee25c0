"""Under CI=true a skipped test is a failure, unless an allowance below names it and says why.

A skip is how a suite silently proves less than it claims: a fixture that finds no PostgreSQL, a module that finds
no browser, a row whose URL name disappeared. Outside CI skips stay skips (a laptop without the PostgreSQL server
binaries). In CI (`make test` sets nothing; the CI script exports CI=true) each skip, and each xfail, is turned
into a failure with its reason, except those in ALLOWANCES, which the terminal summary lists with their reasons.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def on_postgres_pass() -> bool:
    return os.environ.get("PLANPROMO_TEST_DB", "sqlite").lower() in {"postgres", "postgresql", "pg"}


@dataclass(frozen=True)
class Allowance:
    marker: str
    reason: str
    applies: callable

    def covers(self, item) -> bool:
        return item.get_closest_marker(self.marker) is not None and self.applies()


# The only skips CI accepts. `make test` runs the suite twice, on SQLite and on PostgreSQL; tests marked
# `postgres` (row locks, server restarts, replicas, query plans) run in the second pass and skip in the first.
ALLOWANCES = [
    Allowance(
        marker="postgres",
        reason="PostgreSQL-only test on the SQLite pass: it runs in the PostgreSQL pass of `make test`",
        applies=lambda: not on_postgres_pass(),
    ),
]

_allowed: list[tuple[str, str]] = []


def _skip_reason(report) -> str:
    if hasattr(report, "wasxfail"):
        return f"xfail: {report.wasxfail}"
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (in_ci() and report.skipped):
        return
    allowance = next((a for a in ALLOWANCES if a.covers(item)), None)
    if allowance is not None:
        _allowed.append((item.nodeid, allowance.reason))
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI=true ({_skip_reason(report)}), and no allowance in tests/plugins/noskip.py covers it: "
        "make the test run in CI, or add an allowance with its reason"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{collector.nodeid} skipped at collection under CI=true: {_skip_reason(report)}"


def pytest_terminal_summary(terminalreporter):
    if not (in_ci() and _allowed):
        return
    terminalreporter.write_sep("-", "skips allowed in CI (tests/plugins/noskip.py)")
    reasons: dict[str, int] = {}
    for _, reason in _allowed:
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"{count} skipped: {reason}")
