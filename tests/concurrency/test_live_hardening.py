"""Red-team findings that need real HTTP and real worker processes (issue 15), against gunicorn as `make serve` runs
it (planpromo/gunicorn_conf.py, production settings, several workers) on the PostgreSQL test database:

- 1: a 500 MB anonymous POST is refused with 413 at once, and nothing is written to the temporary directory;
- 6: the per-user API limit holds across workers and worker restarts (the shared database cache);
- 12: no Server header names the software.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from participants.models import ProvincialOffice
from tests.concurrency.helpers import reporter_of
from tests.production import BASE_DIR, HOST, manage, production_env

pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with `make serve`'s configuration file, `workers` workers restarted every `max_requests` requests."""

    def __init__(self, env: dict[str, str], *, workers: int, max_requests: int = 2000):
        self.port = free_port()
        self.log = open(Path(env["PLANPROMO_VAR_DIR"]) / "gunicorn.log", "w+")  # noqa: SIM115 (closed in stop)
        command = [sys.executable, "-m", "gunicorn", "planpromo.wsgi", "-c", "python:planpromo.gunicorn_conf"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--max-requests", str(max_requests), "--max-requests-jitter", "0"]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.session = requests.Session()
        self.session.headers.update({"Host": HOST, "X-Forwarded-Proto": "https"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.session.get(self.url("/healthz"), timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + self.output())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.session.close()
        self.log.close()


@pytest.fixture
def serve_env(require_postgres, tmp_path):
    """Production settings on the test database, the shared cache unset (the database cache, as by default), the
    temporary directory of the server its own; `migrate` run as `make serve` runs it (it creates the cache table)."""
    from django.core.management import call_command

    call_command("load_plan", verbosity=0)
    db = connection.settings_dict
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = production_env(
        tmp_path,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_THROTTLE_USER="40/hour",
        TMPDIR=str(tmp),
    )
    migrated = manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return env


def test_the_user_limit_holds_across_workers_and_their_restarts(serve_env):
    _, token = reporter_of(ProvincialOffice.objects.get(short_name="Tianjin"))
    app = Gunicorn(serve_env, workers=3, max_requests=15)
    try:
        statuses = [
            app.session.get(app.url("/api/v1/plans/"), headers={"Authorization": f"Token {token}"}, timeout=30)
            for _ in range(60)
        ]
        output = app.output()
    finally:
        app.stop()
    codes = [response.status_code for response in statuses]
    assert 500 not in codes, output
    # 60 requests over 3 workers that are each replaced after 15: with counts in each worker's memory, none was
    # refused; with the shared cache, the 41st and every one after it are.
    assert codes == [200] * 40 + [429] * 20, codes
    assert int(statuses[-1].headers["Retry-After"]) > 0


def test_a_huge_anonymous_post_is_refused_unread_and_nothing_is_spooled(serve_env):
    app = Gunicorn(serve_env, workers=1)
    tmp = Path(serve_env["TMPDIR"])
    try:
        head = (
            "POST /accounts/login/ HTTP/1.1\r\n"
            f"Host: {HOST}\r\nX-Forwarded-Proto: https\r\nReferer: https://{HOST}/accounts/login/\r\n"
            "Cookie: csrftoken=" + "x" * 32 + "\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {500 * 1024 * 1024}\r\n\r\n"
            '--b\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
        ).encode()
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", app.port), timeout=10) as sock:
            # 4 MiB of the 500 announced, then wait for the answer; the server may close before it has them all.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(head + b"A" * (4 * 1024 * 1024))
            answer = sock.recv(65536).decode("latin-1")
        elapsed = time.monotonic() - started
        spooled = sum(path.stat().st_size for path in tmp.rglob("*") if path.is_file())
        output = app.output()
    finally:
        app.stop()
    assert answer.startswith("HTTP/1.1 413"), answer + output
    assert elapsed < 5
    assert spooled == 0


def test_responses_do_not_name_the_server_software(serve_env):
    app = Gunicorn(serve_env, workers=1)
    try:
        response = app.session.get(app.url("/healthz"), timeout=10)
    finally:
        app.stop()
    assert response.status_code == 200
    assert "Server" not in response.headers
