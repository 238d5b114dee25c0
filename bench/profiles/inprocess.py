"""In-process profile of one API read, as gunicorn would call it (a WSGI call with the bench's analyst token), over
the bench's database (DATABASE_URL, DJANGO_* as bench/site.py sets them; bench/setup.py's out/config.json).

    python bench/profiles/inprocess.py <out/config.json> <path?query> <name> [--runs 50] [--session]

A page is read with the bench's signed-in session (--session). Prints the p50 of `--runs` requests after a
warm-up, the queries of one request with their times, and writes
bench/profiles/<name>.txt: the same, and cProfile's top 30 by cumulative and by own time over the runs."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402

HERE = Path(__file__).resolve().parent


def environ(path: str, credentials: dict, extra: dict) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        **credentials,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }


def call(app, path, credentials, extra=None) -> tuple[str, bytes, dict]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ(path, credentials, extra or {}), start_response))
    return answer["status"], body, answer["headers"]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("path")
    parser.add_argument("name")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sql-width", type=int, default=200, help="characters of each query to show")
    parser.add_argument("--if-none-match", action="store_true", help="send the first answer's ETag back (a 304)")
    parser.add_argument("--session", action="store_true", help="the bench's signed-in session (pages), not its token")
    args = parser.parse_args(argv)
    config = json.loads(Path(args.config).read_text())
    if args.session:
        credentials = {"HTTP_COOKIE": f"sessionid={config['session']}"}
    else:
        credentials = {"HTTP_AUTHORIZATION": f"Token {config['analyst_token']}"}
    app = WSGIHandler()
    status, body, headers = call(app, args.path, credentials)
    extra = {"HTTP_IF_NONE_MATCH": headers["ETag"]} if args.if_none_match else {}
    for _ in range(5):
        status, body, _headers = call(app, args.path, credentials, extra)
    assert status.startswith(("200", "304")), (status, body[:500])
    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"time": (time.perf_counter() - started) * 1000, "sql": sql % tuple(params or ())})

    with connection.execute_wrapper(timed):
        call(app, args.path, credentials, extra)
    times, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        call(app, args.path, credentials, extra)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        call(app, args.path, credentials, extra)
    profiler.disable()
    lines = [
        f"GET {args.path}: {status}, {len(body)} bytes",
        f"p50 of {args.runs}: {statistics.median(times):.2f} ms (min {min(times):.2f}, max {max(times):.2f}); "
        f"this process's CPU: p50 {statistics.median(cpu):.2f} ms",
        f"{len(queries)} queries, {sum(q['time'] for q in queries):.2f} ms in all (execute, fetch included):",
        *(f"  {q['time']:6.2f} ms  {q['sql'][: args.sql_width]}" for q in queries),
        "",
    ]
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(30)
        lines += [f"--- cProfile over {args.runs} requests, top 30 by {order} ---", out.getvalue()]
    text = "\n".join(lines)
    (HERE / f"{args.name}.txt").write_text(text)
    print("\n".join(lines[: 4 + len(queries)]))


if __name__ == "__main__":
    main()
