"""Step 3 of the bench: the measurements. Each read is checked against its limit (the same rows: bench/limits.py),
warmed up, then measured by wrk for --duration seconds at each number of clients, the product and its limit in
turn. Beside the reads: the pages (a signed-in analyst's session), a conditional GET answered 304, the annual
summary PDF (served from the cache, and after a data change), the submission scenario and the constant view."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench import limits, wrk
from bench.console import BENCH, fail, log
from bench.servers import fetch
from bench.site import CLIENTS, Site, psql

GET = BENCH / "get.lua"
SUBMIT = BENCH / "submit.lua"


@dataclass(frozen=True)
class Read:
    key: str  # stable across runs: the regression check pairs rows by it
    label: str
    path: str
    limit: str | None = None  # the raw-SQL limit's path
    page: bool = False  # a page: the session cookie, not the API token


def reads(config: dict) -> list[Read]:
    """The reads of the plan year `config["year"]`, in the order of the table."""
    y, office = config["year"], config["office"]
    updates = f"/updates/?year={y}&page_size=100"
    api = [
        Read(
            "work-items", f"GET /api/v1/work-items/?year={y}", f"/api/v1/work-items/?year={y}", f"/work-items/?year={y}"
        ),
        Read("reports", f"GET /api/v1{updates}", f"/api/v1{updates}", updates),
        Read(
            "reports-office",
            "… &office= (Guangdong)",
            f"/api/v1{updates}&office={office}",
            f"{updates}&office={office}",
        ),
        Read("reports-at-risk", "… &status=at_risk", f"/api/v1{updates}&status=at_risk", f"{updates}&status=at_risk"),
        Read(
            "obligations",
            f"GET /api/v1/obligations/?year={y}",
            f"/api/v1/obligations/?year={y}",
            f"/obligations/?year={y}",
        ),
    ]
    for name in ("programs", "offices", "work-items"):
        path = f"/stats/{name}/?year={y}"
        api.append(Read(f"stats-{name}", f"GET /api/v1{path}", f"/api/v1{path}", path))
    rates = f"/stats/reporting-rates/?year={y}&group_by=office"
    api.append(Read("stats-reporting-rates", f"GET /api/v1{rates}", f"/api/v1{rates}", rates))
    timeline = f"/api/v1/stats/timeline/?year={y}"
    api.append(Read("stats-timeline", f"GET {timeline}", timeline))
    pages = [
        Read(name, f"GET {config[f'{name}_url']} ({name} page)", config[f"{name}_url"], page=True)
        for name in ("matrix", "completeness")
        if config.get(f"{name}_url")
    ]
    return api + pages


def headers_for(site: Site, *, page: bool) -> dict:
    if page:
        return {"Cookie": f"sessionid={site.config['session']}"}
    return {"Authorization": f"Token {site.config['analyst_token']}"}


def compare_with_limit(site: Site, read: Read, row: dict):
    """Record whether the limit returns the product's rows (and where not)."""
    body = fetch(site.product.url(read.path), headers_for(site, page=read.page)).body
    row["bytes"] = len(body)
    if read.limit is None:
        log(f"{read.label}: {len(body):,} bytes (no limit)")
        return
    limit_body = fetch(site.raw.url(read.limit), {}).body
    found = limits.differences(limits.rows_of(body), limits.rows_of(limit_body))
    row.update(limit_bytes=len(limit_body), same_rows=not found, differences=found)
    log(f"{read.label}: {len(body):,} bytes, limit {len(limit_body):,} bytes, same rows: {not found}")
    for difference in found:
        log(f"  ⚠ {difference}")


def measure(wrk_bin, url: str, headers: dict, *, clients: int, seconds: float, script=GET, env=None) -> dict:
    return wrk.run(wrk_bin, url, clients=clients, seconds=seconds, headers=headers, script=script, env=env)


def measure_read(site: Site, read: Read, wrk_bin: str, seconds: float, clients=CLIENTS) -> dict:
    """A read's row: the limits check, a warm-up, then each number of clients for the product and its limit."""
    row = {"key": read.key, "endpoint": read.label, "runs": {}, "page": read.page}
    compare_with_limit(site, read, row)
    targets = [("app", site.product.url(read.path), headers_for(site, page=read.page))]
    if read.limit:
        targets.append(("limit", site.raw.url(read.limit), {}))
    for _, url, headers in targets:
        measure(wrk_bin, url, headers, clients=4, seconds=2)
    for n in clients:
        row["runs"][n] = {
            name: measure(wrk_bin, url, headers, clients=n, seconds=seconds) for name, url, headers in targets
        }
        log(f"  {n:>2} clients: {summary(row['runs'][n])}")
    return row


def measure_not_modified(site: Site, wrk_bin: str, seconds: float) -> dict:
    """A repeated GET of the reports list with If-None-Match: the previous ETag. Skipped, and said so, when the
    product sends no ETag."""
    read = reads(site.config)[1]
    headers = headers_for(site, page=False)
    row = {"key": "not-modified", "endpoint": f"{read.label} with If-None-Match (304)", "runs": {}}
    etag = fetch(site.product.url(read.path), headers).headers.get("ETag")
    if not etag:
        log("304: the product sent no ETag: not measured")
        return row | {"skipped": "no ETag sent: the product does not answer conditional requests yet"}
    conditional = {**headers, "If-None-Match": etag}
    status = fetch(site.product.url(read.path), conditional, expect=(200, 304)).status
    if status != 304:
        return row | {"skipped": f"an ETag is sent, but If-None-Match with it answered {status}, not 304"}
    measure(wrk_bin, site.product.url(read.path), conditional, clients=4, seconds=2)
    for n in CLIENTS:
        row["runs"][n] = {"app": measure(wrk_bin, site.product.url(read.path), conditional, clients=n, seconds=seconds)}
        log(f"  304, {n:>2} clients: {summary(row['runs'][n])}")
    return row


def wait_for_pdf(site: Site, url: str, headers: dict, timeout: float = 300) -> tuple[float, float]:
    """GET until a rendering is served (200): the first GET's seconds and the seconds until the PDF came."""
    started = time.monotonic()
    fetch(url, headers, expect=(200, 202))
    first = time.monotonic() - started
    while time.monotonic() - started < timeout:
        if site.worker.died():
            fail(f"the task worker exited:\n{site.worker.log.read_text()[-3000:]}")
        if fetch(url, headers, expect=(200, 202)).status == 200:
            return first, time.monotonic() - started
        time.sleep(0.5)
    fail(f"no annual summary PDF after {timeout} s:\n{site.worker.log.read_text()[-3000:]}")


def touch_a_report(site: Site):
    """A data change the summary depends on: a report of the year edited (its updated_at moves)."""
    psql(
        site.env["DATABASE_URL"],
        "UPDATE tracking_report SET updated_at = now() WHERE id = (SELECT r.id FROM tracking_report r "
        "JOIN programs_reportingperiod p ON p.id = r.period_id JOIN programs_plan pl ON pl.id = p.plan_id "
        f"WHERE pl.year = {int(site.config['year'])} ORDER BY r.id LIMIT 1)",
    )


def measure_pdf(site: Site, wrk_bin: str, seconds: float) -> dict:
    """The annual summary PDF: the first rendering (202 until the worker has it), the cached one under wrk, and
    after a data change (the last rendering served at once, the fresh one rendered in the background)."""
    path = site.config.get("pdf_url")
    row = {"key": "summary-pdf", "endpoint": f"GET {path} (annual summary PDF, cached)", "runs": {}, "page": True}
    if not path:
        return row | {"skipped": "no annual summary PDF in the URLs"}
    url, headers = site.product.url(path), headers_for(site, page=True)
    _, first_render = wait_for_pdf(site, url, headers)
    for n in CLIENTS:
        row["runs"][n] = {"app": measure(wrk_bin, url, headers, clients=n, seconds=seconds)}
        log(f"  PDF, {n:>2} clients: {summary(row['runs'][n])}")
    row["pdf"] = {"first_render_s": round(first_render, 2), **after_a_change(site, url, headers)}
    log(f"  PDF: {row['pdf']}")
    return row


def after_a_change(site: Site, url: str, headers: dict, timeout: float = 300) -> dict:
    """After a data change: how long the GET that finds it takes (the last rendering is served at once, a new one
    queued), and the seconds until the fresh rendering is served (its Last-Modified moves)."""
    touch_a_report(site)
    started = time.monotonic()
    response = fetch(url, headers)
    figures = {"after_change_ms": round((time.monotonic() - started) * 1000, 1), "fresh_after_s": None}
    while time.monotonic() - started < timeout:
        if fetch(url, headers).headers.get("Last-Modified") != response.headers.get("Last-Modified"):
            figures["fresh_after_s"] = round(time.monotonic() - started, 2)
            break
        time.sleep(0.5)
    return figures


def measure_submission(site: Site, wrk_bin: str, seconds: float) -> dict:
    row = {"key": "submission", "endpoint": "POST /api/v1/updates/ then POST …/submit/", "runs": {}, "write": True}
    for n in CLIENTS:
        slots = {"BENCH_SLOTS": str(site.out / f"slots-{n}.lua")}
        row["runs"][n] = {
            "app": measure(wrk_bin, site.product.url("/"), {}, clients=n, seconds=seconds, script=SUBMIT, env=slots)
        }
        log(f"  submit, {n:>2} clients: {summary(row['runs'][n])}")
    return row


def measure_constant(site: Site, wrk_bin: str, seconds: float) -> dict:
    row = {"key": "constant", "endpoint": "GET /const/ (bare Django view, constant JSON: the stack's limit)"}
    row |= {"runs": {}, "const": True}
    measure(wrk_bin, site.const.url("/const/"), {}, clients=4, seconds=2)
    for n in CLIENTS:
        row["runs"][n] = {"app": measure(wrk_bin, site.const.url("/const/"), {}, clients=n, seconds=seconds)}
        log(f"  constant, {n:>2} clients: {summary(row['runs'][n])}")
    return row


def summary(runs: dict) -> str:
    app = runs["app"]
    text = f"{app['rps']:.1f} req/s, p50 {app['p50_us'] / 1000:.1f} ms, p99 {app['p99_us'] / 1000:.1f} ms"
    if app["non2xx"] or app["socket_errors"]:
        text += f" ({app['non2xx']} non-2xx, {app['socket_errors']} socket errors)"
    if "limit" in runs:
        limit = runs["limit"]
        text += f" | limit {limit['rps']:.1f} req/s, p50 {limit['p50_us'] / 1000:.1f} ms"
    return text
