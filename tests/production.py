"""The app under its production settings, in a child process: the real settings module read with DJANGO_DEBUG=0,
so what is tested is what `make serve` runs (override_settings could not re-run the settings' own logic)."""

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "planpromo.example.org"
MARKER = "@@response "

# The child: django.setup() once, then one request per line of JSON on stdin, one marked line of JSON back.
CHILD = f"""
import json, sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST={HOST!r}, raise_request_exception=False)
for line in sys.stdin:
    req = json.loads(line)
    response = client.generic(req["method"], req["path"], secure=req["secure"], **req["extra"])
    body = b"".join(response.streaming_content) if response.streaming else response.content
    print({MARKER!r} + json.dumps({{
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {{name: morsel.OutputString() for name, morsel in response.cookies.items()}},
        "body": body.decode("utf-8", "replace"),
    }}), flush=True)
"""


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production process: debug off, a real secret, one host, its own var/ directory and
    (unless DATABASE_URL is given) an SQLite file there."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in {"DATABASE_URL", "CACHE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="planpromo.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=HOST,
        PLANPROMO_VAR_DIR=str(var_dir),
        PYTHONPATH=str(BASE_DIR),
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=240
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str

    def json(self):
        return json.loads(self.body)


@dataclass
class ProductionClient:
    """A long-lived production process answering requests made with Django's test client inside it; its
    database connections persist between requests as they would in a gunicorn worker."""

    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )

    def request(self, method: str, path: str, *, secure: bool = True, **extra) -> Response:
        self.process.stdin.write(json.dumps({"method": method, "path": path, "secure": secure, "extra": extra}) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(MARKER):
                return Response(**json.loads(line[len(MARKER) :]))
            self.output.append(line)
        raise AssertionError("the production process ended:\n" + "".join(self.output))

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
