"""`make bench`: the app under gunicorn as in production, on PostgreSQL at the large scale, driven by wrk over
loopback, against its limits measured in the same run. Writes bench/RESULTS.md (keeping its notes) and
var/bench/results.json.

1. A throwaway PostgreSQL cluster (tests/plugins/pgcluster.py), migrated, the 2012 plan loaded, `generate_data
   --scale large` (10 plan-years, 45,000 reports), VACUUM ANALYZE; static files collected.
2. Three gunicorn servers with the same settings (`make serve`'s flags, --workers as given): the product
   (DJANGO_DEBUG=0, a secret, whitenoise, throttling off), the raw-SQL limit (bench/rawapp.py) and the constant
   Django view (bench/const_django.py).
3. For each endpoint: a check that the product and its limit return the same rows, a warm-up, then wrk for
   --duration seconds with 1 and with 16 clients; throughput, p50 and p99, and the ratios to the limit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.plugins.pgcluster import PostgresCluster, _free_port  # noqa: E402

BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
NOTES_MARKER = "<!-- notes: kept by bench/run.py -->"
CLIENTS = (1, 16)


def log(message: str):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: apt-get install -y wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


class Server:
    """A gunicorn server with the production flags of `make serve`."""

    def __init__(self, name: str, app: str, env: dict, workers: int, logs: Path):
        self.name, self.port = name, _free_port()
        self.log = logs / f"{name}.log"
        command = [
            sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--access-logfile", str(logs / f"{name}-access.log"), "--timeout", "60", "--graceful-timeout", "30",
            "--max-requests", "2000", "--max-requests-jitter", "200",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, headers: dict):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(self.url(path), headers)
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
                time.sleep(0.3)
        sys.exit(f"{self.name} did not answer:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own here (wrk does not follow them either)


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict) -> tuple[int, bytes]:
    """GET: (status, body); anything but a 200 stops the benchmark, which would otherwise measure an error page."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with OPENER.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"GET {url}: {error.code}\n{error.read()[:2000].decode(errors='replace')}")


def wrk(wrk_bin: str, url: str, *, clients: int, seconds: float, headers: dict, script: Path, env=None) -> dict:
    threads = clients if script.name == "submit.lua" else min(clients, 2)
    command = [wrk_bin, "-t", str(threads), "-c", str(clients), "-d", f"{round(seconds)}s", "--timeout", "10s"]
    command += ["-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "BENCH_THREADS": str(threads)},
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("@@")), None)
    if line is None:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line[2:])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def ids_of(body: bytes) -> list:
    data = json.loads(body)
    results = data["results"] if isinstance(data, dict) else data
    return [(row.get("id"), row.get("received"), row.get("count")) for row in results]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--scale", default="large")
    parser.add_argument("--reports", type=int)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    parser.add_argument(
        "--database-url",
        help="a database already generated at the scale (for trying changes): no cluster, no generator",
    )
    args = parser.parse_args()
    started = time.monotonic()
    wrk_bin = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="planpromo-bench-"))
    out = work / "out"
    out.mkdir()
    load_before = os.getloadavg()

    cluster = None if args.database_url else PostgresCluster()
    if cluster:
        log("starting PostgreSQL")
        cluster.start()
    database_url = args.database_url or cluster.url()
    servers: list[Server] = []
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="planpromo.settings",
            DATABASE_URL=database_url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",  # plain http over loopback: no proxy terminates TLS here
            DJANGO_THROTTLE_USER="",  # the load generator is one user: no rate limit
            DJANGO_THROTTLE_ANON="",
            DJANGO_LOG_LEVEL="WARNING",
            PLANPROMO_VAR_DIR=str(work / "var"),
            PYTHONPATH=str(ROOT),
        )

        def manage(*command):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)

        log("collectstatic alongside the generator (it compresses every file: minutes)")
        collectstatic = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env
        )
        generate_seconds = 0.0
        if cluster:
            log("migrate, load_plan")
            manage("migrate", "--noinput", "-v0")
            manage("load_plan", "-v0")
            log(f"generate_data --scale {args.scale}")
            generate_started = time.monotonic()
            reports = ["--reports", str(args.reports)] if args.reports else []
            manage("generate_data", "--scale", args.scale, *reports)
            generate_seconds = time.monotonic() - generate_started
        if collectstatic.wait() != 0:
            sys.exit("collectstatic failed")
        subprocess.run(["psql", database_url, "-qc", "VACUUM ANALYZE"], check=True)
        log("tokens, slots, statistics query")
        subprocess.run(
            [sys.executable, str(BENCH / "setup.py"), str(out), ",".join(str(c) for c in CLIENTS)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        config = json.loads((out / "config.json").read_text())
        counts = subprocess.run(
            ["psql", database_url, "-tAc", "SELECT (SELECT count(*) FROM programs_plan), "
             "(SELECT count(*) FROM tracking_report), (SELECT count(*) FROM tracking_historicalreport), "
             "(SELECT count(*) FROM programs_workitem)"],
            capture_output=True, text=True, check=True,
        ).stdout.strip().split("|")  # fmt: skip

        logs = work / "logs"
        logs.mkdir()
        servers = [
            product := Server("product", "planpromo.wsgi:application", env, args.workers, logs),
            raw := Server(
                "raw-sql", "bench.rawapp:application", {**env, "BENCH_STATS_SQL": str(out / "stats.sql")},
                args.workers, logs,
            ),
            const := Server(
                "constant", "bench.const_django:application",
                {**env, "DJANGO_SETTINGS_MODULE": "bench.const_django"}, args.workers, logs,
            ),
        ]  # fmt: skip
        api = {"Authorization": f"Token {config['analyst_token']}"}
        product.wait("/healthz", {})
        raw.wait("/work-items/?year=2012", {})
        const.wait("/const/", {})

        office = config["office"]
        reads = [
            ("GET /api/v1/work-items/?year=2012", "/api/v1/work-items/?year=2012", "/work-items/?year=2012"),
            (
                "GET /api/v1/updates/?year=2019&page_size=100",
                "/api/v1/updates/?year=2019&page_size=100",
                "/updates/?year=2019&page_size=100",
            ),
            (
                "… &office= (Guangdong)",
                f"/api/v1/updates/?year=2019&page_size=100&office={office}",
                f"/updates/?year=2019&page_size=100&office={office}",
            ),
            (
                "… &status=at_risk",
                "/api/v1/updates/?year=2019&page_size=100&status=at_risk",
                "/updates/?year=2019&page_size=100&status=at_risk",
            ),
            ("GET /api/v1/stats/programs/?year=2019", "/api/v1/stats/programs/?year=2019", "/stats/programs/"),
        ]
        rows = []
        get_script = BENCH / "get.lua"
        for label, path, raw_path in reads:
            _status, body = fetch(product.url(path), api)
            _, raw_body = fetch(raw.url(raw_path), {})
            same = ids_of(body) == ids_of(raw_body)
            log(f"{label}: {len(body):,} bytes, limit {len(raw_body):,} bytes, same rows: {same}")
            row = {"endpoint": label, "bytes": len(body), "limit_bytes": len(raw_body), "same_rows": same, "runs": {}}
            for target, url, headers in ((product, path, api), (raw, raw_path, {})):
                wrk(wrk_bin, target.url(url), clients=4, seconds=2, headers=headers, script=get_script)
            for clients in CLIENTS:
                row["runs"][clients] = {
                    "app": wrk(wrk_bin, product.url(path), clients=clients, seconds=args.duration, headers=api,
                               script=get_script),
                    "limit": wrk(wrk_bin, raw.url(raw_path), clients=clients, seconds=args.duration, headers={},
                                 script=get_script),
                }  # fmt: skip
                log(f"  {clients:>2} clients: {summary(row['runs'][clients])}")
            rows.append(row)

        if config["matrix_url"]:
            page = {"Cookie": f"sessionid={config['session']}"}
            label = f"GET {config['matrix_url']} (participation matrix page)"
            _status, body = fetch(product.url(config["matrix_url"]), page)
            row = {"endpoint": label, "bytes": len(body), "runs": {}, "page": True}
            wrk(wrk_bin, product.url(config["matrix_url"]), clients=4, seconds=2, headers=page, script=get_script)
            for clients in CLIENTS:
                row["runs"][clients] = {
                    "app": wrk(wrk_bin, product.url(config["matrix_url"]), clients=clients, seconds=args.duration,
                               headers=page, script=get_script)
                }  # fmt: skip
                log(f"  {clients:>2} clients: {summary(row['runs'][clients])}")
            rows.append(row)
        else:
            log("no participation matrix page in the URLs: not measured")

        submit_script = BENCH / "submit.lua"
        row = {"endpoint": "POST /api/v1/updates/ then POST …/submit/", "runs": {}, "write": True}
        for clients in CLIENTS:
            row["runs"][clients] = {
                "app": wrk(wrk_bin, product.url("/"), clients=clients, seconds=args.duration, headers={},
                           script=submit_script, env={"BENCH_SLOTS": str(out / f"slots-{clients}.lua")})
            }  # fmt: skip
            log(f"  submit, {clients:>2} clients: {summary(row['runs'][clients])}")
        rows.append(row)

        row = {
            "endpoint": "GET /const/ (bare Django view, constant JSON: the stack's limit)",
            "runs": {},
            "const": True,
        }
        wrk(wrk_bin, const.url("/const/"), clients=4, seconds=2, headers={}, script=get_script)
        for clients in CLIENTS:
            row["runs"][clients] = {
                "app": wrk(wrk_bin, const.url("/const/"), clients=clients, seconds=args.duration, headers={},
                           script=get_script)
            }  # fmt: skip
            log(f"  constant, {clients:>2} clients: {summary(row['runs'][clients])}")
        rows.append(row)
    finally:
        for server in servers:
            server.stop()
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "workers": args.workers,
        "duration": args.duration,
        "scale": args.scale,
        "generate_seconds": round(generate_seconds, 1),
        "plans": int(counts[0]),
        "reports": int(counts[1]),
        "history_rows": int(counts[2]),
        "work_items": int(counts[3]),
        "postgres": subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip(),
        "total_seconds": round(time.monotonic() - started),
        "rows": rows,
    }
    results_dir = ROOT / "var" / "bench"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "results.json").write_text(json.dumps(result, indent=2))
    table = markdown(result)
    print(table)
    if not args.no_write:
        notes = (
            RESULTS.read_text().split(NOTES_MARKER, 1)[1]
            if RESULTS.exists() and NOTES_MARKER in RESULTS.read_text()
            else "\n"
        )
        RESULTS.write_text(table + "\n" + NOTES_MARKER + notes)
        log(f"wrote {RESULTS.relative_to(ROOT)}")
    log(f"done in {result['total_seconds']} s")


def summary(runs: dict) -> str:
    app = runs["app"]
    text = f"{app['rps']:.1f} req/s, p50 {app['p50_us'] / 1000:.1f} ms, p99 {app['p99_us'] / 1000:.1f} ms"
    if app["non2xx"] or app["socket_errors"]:
        text += f" ({app['non2xx']} non-2xx, {app['socket_errors']} socket errors)"
    if "limit" in runs:
        limit = runs["limit"]
        text += f" | limit {limit['rps']:.1f} req/s, p50 {limit['p50_us'] / 1000:.1f} ms"
    return text


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run: {result['date']}, `make bench` ({result['total_seconds']} s in all).",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Linux {m['kernel']}, Python {m['python']}, "
        f"{result['postgres']} (a throwaway cluster on the same machine, fsync off).",
        f"- Load average before / after: {' '.join(f'{x:.2f}' for x in result['load_before'])} / "
        f"{' '.join(f'{x:.2f}' for x in result['load_after'])}.",
        f"- Data: `generate_data --scale {result['scale']}` in {result['generate_seconds']} s: {result['plans']} "
        f"plan-years, {result['work_items']:,} work items, {result['reports']:,} reports, "
        f"{result['history_rows']:,} history rows.",
        f"- Servers: gunicorn, {result['workers']} sync workers each (2 × cores + 1), `make serve`'s flags "
        "(access log on, --max-requests 2000); the product with DJANGO_DEBUG=0, whitenoise, static collected, "
        "throttling off, token authentication (an analyst; office reporters for the submission).",
        f"- Load: wrk over loopback on the same machine, {result['duration']:g} s per measurement after a 2 s "
        "warm-up; 1 client = 1 connection, 16 clients = 16 connections.",
        "- Limit of a read: the same rows by one SQL query through psycopg, serialized with orjson, in a bare WSGI app "
        "(bench/rawapp.py). Ratio = product ÷ limit (latency p50 at 1 client; throughput limit ÷ product).",
        "",
        "| Endpoint | Clients | req/s | p50 ms | p99 ms | Limit req/s | Limit p50 ms | Limit p99 ms "
        "| p50 ratio | Throughput ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        for clients, runs in row["runs"].items():
            app, limit = runs["app"], runs.get("limit")
            cells = [
                row["endpoint"] if str(clients) == "1" else "",
                str(clients),
                f"{app['rps']:.1f}",
                ms(app["p50_us"]),
                ms(app["p99_us"]),
            ]
            if limit:
                cells += [
                    f"{limit['rps']:.1f}",
                    ms(limit["p50_us"]),
                    ms(limit["p99_us"]),
                    f"{app['p50_us'] / limit['p50_us']:.1f}×",
                    f"{limit['rps'] / app['rps']:.1f}×",
                ]
            else:
                cells += ["", "", "", "", ""]
            if app["non2xx"] or app["socket_errors"]:
                cells[0] += f" ⚠ {app['non2xx']} non-2xx, {app['socket_errors']} socket errors"
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "The submission scenario counts each POST as a request (a submission is two: create, then submit); its "
        "latencies are per request."
    )
    if not any(row.get("page") for row in result["rows"]):
        lines.append("The participation matrix page did not exist in the URLs at the time of this run: not measured.")
    same = [row["endpoint"] for row in result["rows"] if row.get("same_rows") is False]
    if same:
        lines.append(f"⚠ The limit returned other rows than the product for: {', '.join(same)}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
