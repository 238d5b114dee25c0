"""The bench's pure parts, on real inputs: wrk's output (a saved run, and a live run against a local server), the
load guard's decision, the regression and growth comparisons and the report over the results of a real run
(tests/bench/data/results-small.json: `bench/run.py --scale small --duration 1 --no-write`), and the limits check
comparing rows by their numbers."""

import copy
import http.server
import json
import threading
from pathlib import Path

import pytest

from bench import compare, limits, loadguard, report, wrk
from bench.console import BENCH

DATA = Path(__file__).parent / "data"


@pytest.fixture
def results() -> dict:
    return json.loads((DATA / "results-small.json").read_text())


def scaled(result: dict, key: str, clients: str, figure: str, factor: float) -> dict:
    """A copy of `result` with one figure of the product multiplied by `factor`."""
    changed = copy.deepcopy(result)
    row = next(row for row in changed["rows"] if row.get("key") == key)
    row["runs"][clients]["app"][figure] *= factor
    return changed


# --- wrk ----------------------------------------------------------------------------------------------------------


def test_wrk_output_is_parsed_from_the_scripts_line():
    figures = wrk.parse((DATA / "wrk-get.txt").read_text())
    assert figures["requests"] == 518
    assert figures["p50_us"] == 1971 and figures["p99_us"] == 7027
    assert figures["rps"] == pytest.approx(518 / 1.001937)


def test_wrk_output_without_the_scripts_line_is_no_figures():
    text = (DATA / "wrk-get.txt").read_text()
    assert wrk.parse(text.replace("@@", "")) is None
    assert wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n") is None


def test_wrk_measures_a_live_server_and_records_the_load():
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = b'{"count":0}'
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        good = wrk.run("wrk", url + "/", clients=1, seconds=1, headers={}, script=BENCH / "get.lua")
        bad = wrk.run("wrk", url + "/missing", clients=1, seconds=1, headers={}, script=BENCH / "get.lua")
    finally:
        server.shutdown()
    assert good["requests"] > 10 and good["non2xx"] == 0 and 0 < good["p50_us"] <= good["p99_us"]
    assert len(good["load"]) == 3
    assert bad["non2xx"] == bad["requests"] > 0


# --- The load guard -----------------------------------------------------------------------------------------------


def test_a_quiet_machine_gets_its_results_written():
    decision = loadguard.decide(load_before=[1.0, 2.0, 3.0], cores=2)  # 0.5 per core: the limit itself
    assert decision.write and not decision.busy and not decision.forced


def test_a_busy_machine_gets_no_results_written():
    decision = loadguard.decide(load_before=[1.02, 0.1, 0.1], cores=2)
    assert (decision.write, decision.busy) == (False, True)
    assert "busy" in decision.reason and "0.51 per core" in decision.reason


def test_force_writes_on_a_busy_machine_and_says_so():
    decision = loadguard.decide(load_before=[3.29, 3.09, 2.46], cores=2, force=True)
    assert (decision.write, decision.busy, decision.forced) == (True, True, True)


def test_no_write_writes_nothing_even_when_quiet_or_forced():
    assert not loadguard.decide(load_before=[0.0, 0.0, 0.0], cores=2, no_write=True).write
    assert not loadguard.decide(load_before=[9.0, 0.0, 0.0], cores=2, force=True, no_write=True).write


def test_the_load_during_a_run_is_summarised_from_each_measurement(results):
    during = loadguard.during(results["rows"])
    assert during == results["load_during"]
    assert during["min"] <= during["mean"] <= during["max"]
    assert loadguard.during([{"runs": {}}]) is None


# --- Regressions and growth ---------------------------------------------------------------------------------------


def test_the_same_results_have_no_regression(results):
    assert compare.regressions(results, copy.deepcopy(results)) == []
    assert compare.regressions(results, None) == []


def test_a_figure_over_twenty_percent_worse_is_flagged_and_one_under_is_not(results):
    slower = scaled(results, "stats-offices", "1", "p50_us", 1.25)
    fewer = scaled(slower, "reports", "16", "rps", 0.8)  # 1.25 × fewer requests per second
    found = compare.regressions(fewer, results)
    assert {(r["key"], r["clients"], r["figure"]) for r in found} == {
        ("stats-offices", "1", "p50_us"),
        ("reports", "16", "rps"),
    }
    assert compare.regressions(scaled(results, "stats-offices", "1", "p50_us", 1.19), results) == []
    assert compare.regressions(scaled(results, "reports", "16", "p99_us", 0.5), results) == []  # better


def test_a_p99_regression_at_16_clients_is_flagged_in_the_table_and_the_summary(results):
    current = scaled(results, "obligations", "16", "p99_us", 1.5)
    current["regressions"] = compare.regressions(current, results)
    current["previous_date"] = results["date"]
    text = report.markdown(current)
    row = next(line for line in text.splitlines() if line.startswith("| GET /api/v1/obligations/"))
    following = text.splitlines()[text.splitlines().index(row) + 1]
    assert "⚠" in following and "⚠" not in row
    assert "- ⚠ obligations, 16 clients, p99: 939.4 ms → 1409.1 ms (1.50× worse)" in text


def test_growth_compares_each_read_at_one_client(results):
    huge = scaled(results, "stats-work-items", "1", "p50_us", 1.5)
    rows = {row["key"]: row for row in compare.growth(results, huge)}
    assert rows["stats-work-items"]["ratio"] == pytest.approx(1.5) and not rows["stats-work-items"]["met"]
    assert rows["reports"]["ratio"] == pytest.approx(1.0) and rows["reports"]["met"]
    assert "not-modified" not in rows  # not measured: nothing to compare
    results["growth"] = {"data": {**results["data"], "generator": ["--years=40"]}, "rows": list(rows.values())}
    results["regressions"] = []
    assert "| 1.50× | **missed** |" in report.markdown(results)


# --- The report ---------------------------------------------------------------------------------------------------


def test_results_are_written_with_their_notes_kept_only_when_the_guard_allows(results, tmp_path):
    markdown, twin, last = tmp_path / "RESULTS.md", tmp_path / "results.json", tmp_path / "var" / "results.json"
    markdown.write_text("# old\n" + report.NOTES_MARKER + "\n## Reading these figures\nkept\n")
    report.write(results, to_results=False, results=markdown, twin=twin, last=last)
    assert markdown.read_text().startswith("# old") and not twin.exists()
    assert json.loads(last.read_text())["date"] == results["date"]
    report.write(results, to_results=True, results=markdown, twin=twin, last=last)
    text = markdown.read_text()
    assert text.startswith("# Benchmark results") and text.endswith("## Reading these figures\nkept\n")
    assert "during (1 min, at the end of each measurement): 5.10–5.87 (mean 5.52, 48 samples)" in text
    assert json.loads(twin.read_text()) == results


def test_a_forced_run_is_marked_in_the_file(results):
    results["guard"] = loadguard.decide(load_before=[3.29, 3.09, 2.46], cores=2, force=True).__dict__
    assert "**⚠ written with --force although busy: load 3.29 on 2 cores" in report.markdown(results)


def test_a_read_not_measured_says_why(results):
    assert "not measured, no ETag sent" in report.markdown(results)


# --- The limits check ---------------------------------------------------------------------------------------------

PRODUCT = b"""{"count": 2, "next": null, "previous": null, "watermark": "2026-11-29T12:00:00+08:00", "results": [
 {"id": 7, "due": "2012-04-15", "first_submitted_at": "2012-04-10T09:30:00.123456+08:00", "on_time": true,
  "state": "accepted", "work_item": {"id": 3, "code": "I.1"}, "mean_percent": 37.5, "reporting_rate": 12.5},
 {"id": 8, "due": "2012-04-15", "first_submitted_at": null, "on_time": null, "state": "missing",
  "work_item": {"id": 3, "code": "I.1"}, "mean_percent": null, "reporting_rate": null}]}"""


def test_rows_that_differ_only_in_formatting_are_the_same():
    limit = json.loads(PRODUCT)
    first = limit["results"][0]
    first["first_submitted_at"] = "2012-04-10T01:30:00.123456Z"  # the same instant, written otherwise
    first["reporting_rate"] = 12.5000001
    first["work_item"] = {"code": "I.1", "id": 3.0}
    del limit["watermark"]
    assert limits.differences(limits.rows_of(PRODUCT), limits.rows_of(json.dumps(limit).encode())) == []


def test_rows_with_other_numbers_presence_or_length_differ():
    limit = json.loads(PRODUCT)
    limit["results"][0]["work_item"]["id"] = 4
    limit["results"][0]["on_time"] = False
    limit["results"][1]["first_submitted_at"] = "2012-04-20T00:00:00+08:00"
    assert limits.differences(limits.rows_of(PRODUCT), limit["results"]) == [
        "row 0 on_time: True, the limit False",
        "row 0 work_item.id: 3.0, the limit 4.0",
        "row 1 first_submitted_at: None, the limit 'text'",
    ]
    assert limits.differences(limits.rows_of(PRODUCT), limit["results"][:1])[0] == "2 rows, the limit 1"


def test_a_list_response_and_a_field_only_the_limit_has_are_compared():
    product = b'[{"office": 1, "expected": 12}]'
    limit = b'[{"office": 1, "expected": 12, "extra": 0}]'
    assert limits.differences(limits.rows_of(product), limits.rows_of(limit)) == ["row 0 extra: only in the limit"]
