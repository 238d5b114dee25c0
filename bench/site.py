"""Steps 1 and 2 of the bench: the data and the servers.

A throwaway PostgreSQL cluster (tests/plugins/pgcluster.py), migrated, the 2012 plan loaded, `generate_data` at the
scale asked for, VACUUM ANALYZE, static files collected; bench/setup.py's tokens, session and slots; then three
gunicorn servers with the same flags (the product, the raw-SQL limit bench/rawapp.py, the constant Django view
bench/const_django.py) and the task worker that renders the annual summary PDF (`manage.py db_worker`)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.console import BENCH, ROOT, fail, log
from bench.servers import Process, Server
from tests.plugins.pgcluster import PostgresCluster

# Threads per gthread worker of the product and the constant view, as `make serve` runs them (THREADS).
THREADS = 4

CLIENTS = (1, 16)


@dataclass
class Site:
    """A database at one scale and the servers over it."""

    env: dict
    out: Path
    config: dict
    data: dict
    product: Server
    raw: Server
    const: Server
    worker: Process
    processes: list = field(default_factory=list)


def environment(database_url: str, work: Path) -> dict:
    """The production settings of `make serve`, over loopback, without throttling (the load generator is one user)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        # The production default, the database cache shared by every process (not a test run's locmem://), unless
        # BENCH_CACHE_URL names another (redis://...).
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", ""),
        DJANGO_SETTINGS_MODULE="planpromo.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain http over loopback: no proxy terminates TLS here
        DJANGO_THROTTLE_USER="",
        DJANGO_THROTTLE_ANON="",
        DJANGO_THROTTLE_SUMMARY_RENDER="",
        DJANGO_TASKS_BACKEND="database",
        DJANGO_LOG_LEVEL="WARNING",
        PLANPROMO_VAR_DIR=str(work / "var"),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *command: str):
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def generate(env: dict, generator: list[str]) -> float:
    """Migrate, load the plan, generate the data; the seconds the generator took."""
    log("migrate, load_plan")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_plan", "-v0")
    log(f"generate_data {' '.join(generator)}")
    started = time.monotonic()
    manage(env, "generate_data", *generator)
    return round(time.monotonic() - started, 1)


def psql(database_url: str, sql: str) -> str:
    return subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True, check=True).stdout


def counts(database_url: str) -> dict:
    names = ("plans", "reports", "history_rows", "work_items", "obligations")
    tables = (
        "programs_plan",
        "tracking_report",
        "tracking_historicalreport",
        "programs_workitem",
        "tracking_obligation",
    )
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in tables)
    return dict(zip(names, map(int, psql(database_url, sql).strip().split("|")), strict=False))


def prepare(env: dict, database_url: str, generator: list[str] | None, out: Path) -> dict:
    """The data (unless `generator` is None: a database given), static files, bench/setup.py's config."""
    log("collectstatic alongside the generator (it compresses every file: minutes)")
    collectstatic = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env
    )
    seconds = generate(env, generator) if generator is not None else 0.0
    if collectstatic.wait() != 0:
        fail("collectstatic failed")
    psql(database_url, "VACUUM ANALYZE")
    log("tokens, session, slots")
    clients = ",".join(str(c) for c in CLIENTS)
    subprocess.run([sys.executable, str(BENCH / "setup.py"), str(out), clients], cwd=ROOT, env=env, check=True)
    return {"generator": generator, "generate_seconds": seconds, **counts(database_url)}


def start(env: dict, workers: int, work: Path, config: dict, data: dict) -> Site:
    """The servers and the worker, answering (all stopped again if one does not)."""
    logs, processes = work / "logs", []
    const_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.const_django"}
    try:
        processes += [
            Server("product", "planpromo.wsgi:application", env, workers, logs, threads=THREADS),
            Server("raw-sql", "bench.rawapp:application", env, workers, logs),
            Server("constant", "bench.const_django:application", const_env, workers, logs, threads=THREADS),
            Process("db-worker", [sys.executable, "manage.py", "db_worker"], env, logs),
        ]
        product, raw, const, worker = processes
        product.wait("/healthz", {})
        raw.wait(f"/work-items/?year={config['year']}", {})
        const.wait("/const/", {})
    except BaseException:
        for process in processes:
            process.stop()
        raise
    return Site(env, work / "out", config, data, product, raw, const, worker, processes)


@contextlib.contextmanager
def opened(*, generator: list[str] | None, workers: int, database_url: str | None = None, year: int | None = None):
    """A Site over a fresh cluster with `generator`'s data (or over `database_url`), stopped and removed after;
    the reads ask for `year` (default: bench/setup.py's choice)."""
    work = Path(tempfile.mkdtemp(prefix="planpromo-bench-"))
    (work / "out").mkdir()
    (work / "logs").mkdir()
    cluster = None if database_url else PostgresCluster()
    site = None
    try:
        if cluster:
            log("starting PostgreSQL")
            cluster.start()
        url = database_url or cluster.url()
        env = environment(url, work) | ({"BENCH_YEAR": str(year)} if year else {})
        data = prepare(env, url, generator if cluster else None, work / "out")
        config = json.loads((work / "out" / "config.json").read_text())
        site = start(env, workers, work, config, data)
        yield site
    finally:
        for process in site.processes if site else []:
            process.stop()
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
