"""Runs the test suite on a throwaway PostgreSQL cluster when PLANPROMO_TEST_DB=postgres.

Loaded with `-p tests.plugins.pgcluster` (pyproject addopts), so that it sets DATABASE_URL before pytest-django
imports the settings. The cluster lives in a temporary directory, listens on a free loopback port, is tuned for
speed rather than durability, and is removed when the session ends. PostgreSQL refuses to run as root, so as
root the server binaries run as the `postgres` system user.

PLANPROMO_TEST_DB=postgres with DATABASE_URL already set to postgres://... uses that server instead.
The cluster's data directory and pg_ctl are exported (PLANPROMO_PG_DATADIR, PLANPROMO_PG_CTL) for tests that
restart the server.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_cluster: PostgresCluster | None = None


def _find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """A PostgreSQL server in a temporary directory, for the length of one test session."""

    def __init__(self):
        self.initdb = _find_binary("initdb")
        self.pg_ctl = _find_binary("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
        self.as_root = os.geteuid() == 0
        self.tmp = Path(tempfile.mkdtemp(prefix="planpromo-pg-"))
        self.datadir = self.tmp / "data"
        self.port = _free_port()
        self.log = self.tmp / "server.log"

    def _run(self, *args: str, check: bool = True):
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def start(self):
        if self.as_root:
            shutil.chown(self.tmp, "postgres", "postgres")
        self.tmp.chmod(0o700)
        self._run(
            self.initdb,
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB"
        )
        result = self._run(
            self.pg_ctl, "-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", "start", check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.log.read_text(errors='replace')}")
        return self

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self):
        self._run(self.pg_ctl, "-D", str(self.datadir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _wants_postgres() -> bool:
    return os.environ.get("PLANPROMO_TEST_DB", "sqlite").lower() in {"postgres", "postgresql", "pg"}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _cluster
    if not _wants_postgres():
        os.environ.pop("DATABASE_URL", None)  # the SQLite run is the embedded default, whatever the shell says
        return
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    _cluster = PostgresCluster().start()
    atexit.register(_cluster.stop)
    os.environ["DATABASE_URL"] = _cluster.url()
    os.environ["PLANPROMO_PG_DATADIR"] = str(_cluster.datadir)
    os.environ["PLANPROMO_PG_CTL"] = _cluster.pg_ctl
    os.environ["PLANPROMO_PG_PORT"] = str(_cluster.port)


def pytest_report_header(config):
    if _wants_postgres():
        where = f"throwaway cluster on 127.0.0.1:{_cluster.port}" if _cluster else os.environ.get("DATABASE_URL")
        return f"database: PostgreSQL ({where})"
    return "database: SQLite"


def pytest_unconfigure(config):
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None
