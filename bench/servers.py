"""The bench's processes and its HTTP client: gunicorn servers with `make serve`'s flags, the task worker that
renders the annual summary PDF, and a GET that refuses to measure an error page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.console import ROOT, fail
from tests.plugins.pgcluster import _free_port


class Process:
    """A child process in its own session (stopped with its children), its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, logs: Path):
        self.name = name
        self.log = logs / f"{name}.log"
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def died(self) -> bool:
        return self.process.poll() is not None

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Server(Process):
    """A gunicorn server with the production flags of `make serve` (planpromo/gunicorn_conf.py); `threads`: gthread
    workers of that many threads, as `make serve` runs the product (the raw-SQL limit keeps one connection per
    process, so it runs sync workers)."""

    def __init__(self, name: str, app: str, env: dict, workers: int, logs: Path, threads: int = 0):
        self.port = _free_port()
        command = [
            sys.executable, "-m", "gunicorn", app, "-c", "python:planpromo.gunicorn_conf",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--access-logfile", str(logs / f"{name}-access.log"),
        ]  # fmt: skip
        if threads:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        super().__init__(name, command, env, logs)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, headers: dict):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(self.url(path), headers)
                return
            except OSError:
                if self.died():
                    fail(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
                time.sleep(0.3)
        fail(f"{self.name} did not answer:\n{self.log.read_text()[-3000:]}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own here (wrk does not follow them either)


OPENER = urllib.request.build_opener(NoRedirect)


class Response:
    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers


def fetch(url: str, headers: dict, expect=(200,)) -> Response:
    """GET; a status outside `expect` stops the benchmark, which would otherwise measure an error page."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with OPENER.open(request, timeout=60) as response:
            status, body, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, body, answer_headers = error.code, error.read(), error.headers
    if status not in expect:
        fail(f"GET {url}: {status}\n{body[:2000].decode(errors='replace')}")
    return Response(status, body, answer_headers)
