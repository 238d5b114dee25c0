"""The whole bench at the small scale, one second per measurement, on its own throwaway PostgreSQL cluster: every
step runs (data, servers, task worker, each read checked against its limit and measured, the pages, the PDF, the
submission scenario, the report), and the limits return the product's numbers.

Opt-in, not part of `make test`: it takes about four minutes on this machine (over the 90 s a test of the suite may
take), so its name does not match `test_*.py`. Run it by naming it: `.venv/bin/python -m pytest
tests/bench/smoke_bench.py`. It writes var/bench/results.json, never bench/RESULTS.md (--no-write)."""

import os

import pytest

from bench import run

EVERY_READ = {
    "work-items",
    "reports",
    "reports-office",
    "reports-at-risk",
    "obligations",
    "stats-programs",
    "stats-offices",
    "stats-work-items",
    "stats-reporting-rates",
    "stats-timeline",
    "matrix",
    "completeness",
    "summary-pdf",
    "submission",
    "constant",
}
WITH_LIMIT = {"work-items", "reports", "reports-office", "reports-at-risk", "obligations"} | {
    "stats-programs",
    "stats-offices",
    "stats-work-items",
    "stats-reporting-rates",
}


@pytest.mark.timeout(900)  # minutes on a shared machine
def test_the_bench_runs_every_step_at_the_small_scale():
    result = run.main(["--scale", "small", "--duration", "1", "--workers", "2", "--no-write"])
    rows = {row["key"]: row for row in result["rows"]}
    assert set(rows) >= EVERY_READ
    assert {key for key, row in rows.items() if row.get("same_rows")} == WITH_LIMIT
    for key in EVERY_READ:
        for clients in (1, 16):
            app = rows[key]["runs"][clients]["app"]
            assert app["requests"] > 0 and app["socket_errors"] == 0, (key, clients, app)
            assert app["non2xx"] == 0, (key, clients, app)
    assert rows["summary-pdf"]["pdf"]["fresh_after_s"] is not None
    not_modified = rows["not-modified"]
    assert not_modified.get("skipped") or not_modified["runs"][1]["app"]["requests"] > 0
    assert result["guard"]["write"] is False and len(result["load_before"]) == 3
    assert result["load_during"]["n"] >= 2 * len(EVERY_READ)
    assert result["data"]["reports"] >= 2_000 and result["year"] == 2012
    assert os.path.exists(run.report.LAST_RUN)
