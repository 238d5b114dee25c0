"""Faults: an upload cut off half-way, and the database restarting while clients write.

Neither may leave half a change behind: an interrupted upload leaves no attachment row, no file and the report's
version as it was; every write the server accepted (2xx) before or after an outage is there afterwards, and the
requests during the outage get a clean 503 (no stack trace).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from participants.models import ProvincialOffice
from tests.concurrency.helpers import Client, reporter_of
from tests.helpers import item, period
from tests.production import BASE_DIR, HOST, manage, production_env
from tests.test_health import restartable_cluster  # noqa: F401 (a fixture)
from tracking.models import Attachment, Report

PDF = b"%PDF-1.4\n" + b"1 0 obj<<>>endobj\n" * 20000 + b"trailer<<>>\n%%EOF\n"  # ~360 kB


def multipart(boundary: str, content: bytes) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="evidence.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def send_cut_off(url: str, path: str, token: str, body: bytes, *, sent: int):
    """Send the request headers announcing the whole body, then `sent` bytes of it, then hang up."""
    host, port = url.removeprefix("http://").split(":")
    boundary = body[2 : body.index(b"\r\n")].decode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body[:sent])
        time.sleep(0.2)
        sock.shutdown(socket.SHUT_WR)  # the client goes away mid-body
        sock.settimeout(10)
        try:
            return sock.recv(65536)
        except OSError:
            return b""


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db(transaction=True)
def test_an_upload_cut_off_half_way_leaves_nothing_behind(live):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    _, token = reporter_of(guangdong)
    client = Client(live.url, token)
    created = client.request(
        "POST",
        "/api/v1/updates/",
        json={"work_item": item("I.1").pk, "period": period().pk, "summary": "Evidence follows.", "status": "on_track"},
    )
    assert created.status_code == 201, created.text
    report_id, version = created.json()["id"], created.json()["version"]
    body = multipart("planpromo-cut-off-boundary", PDF)

    for share in (0.1, 0.5, 0.99):
        answer = send_cut_off(
            live.url, f"/api/v1/updates/{report_id}/attachments/", token, body, sent=int(len(body) * share)
        )
        assert b" 201 " not in answer.split(b"\r\n", 1)[0], answer[:300]
        assert b"Traceback" not in answer

    time.sleep(0.5)  # the server thread finishes with the broken request
    media = Path(settings.MEDIA_ROOT)
    assert Attachment.objects.filter(report_id=report_id).count() == 0
    assert stored_files(media) == []
    report = Report.objects.get(pk=report_id)
    assert report.version == version and report.history.count() == 1

    # The server is still well, and a whole upload works: one row, one file.
    complete = client.request(
        "POST",
        f"/api/v1/updates/{report_id}/attachments/",
        files={"file": ("evidence.pdf", PDF, "application/pdf")},
    )
    assert complete.status_code == 201, complete.text
    assert Attachment.objects.filter(report_id=report_id).count() == 1
    assert len(stored_files(media)) == 1
    assert stored_files(media)[0].read_bytes() == PDF
    assert Report.objects.get(pk=report_id).version == version + 1
    client.close()


class Gunicorn:
    """The app as `make serve` runs it: gunicorn, one sync worker (so one persistent database connection, as in
    production with DJANGO_CONN_MAX_AGE), production settings, behind a TLS-terminating proxy that says https."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.log = open(Path(env["PLANPROMO_VAR_DIR"]) / "gunicorn.log", "w+")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "planpromo.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.session = requests.Session()
        self.session.headers.update({"Host": HOST, "X-Forwarded-Proto": "https"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.session.get(self.url("/healthz"), timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + self.output())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, token, body=None):
        return self.session.request(
            method, self.url(path), json=body, headers={"Authorization": f"Token {token}"}, timeout=30
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.session.close()
        self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accepted_writes_survive_a_database_restart(tmp_path, restartable_cluster):  # noqa: F811
    """Writes before the outage, refused writes during it (503), writes after it: every 2xx is in the database."""
    from django.core.management import call_command

    call_command("load_plan", verbosity=0)
    stop, start = restartable_cluster
    offices = {name: ProvincialOffice.objects.get(short_name=name) for name in ("Guangdong", "Hunan", "Tianjin")}
    tokens = {name: reporter_of(office)[1] for name, office in offices.items()}
    work_item, q1 = item("I.1"), period()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = production_env(
        tmp_path,
        DATABASE_URL=url,
        DJANGO_CONN_MAX_AGE="600",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    # As `make serve` does: migrate (a no-op here) creates the shared cache's table, which the throttles use.
    migrated = manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    def create(app, name, summary):
        body = {"work_item": work_item.pk, "period": q1.pk, "summary": summary, "status": "on_track"}
        return app.request("POST", "/api/v1/updates/", tokens[name], body)

    accepted = {}  # report id -> (summary, version, state) as the server answered
    app = Gunicorn(env)
    try:
        before = create(app, "Guangdong", "Written before the outage.")
        assert before.status_code == 201, before.text
        report = before.json()
        submitted = app.request("POST", f"/api/v1/updates/{report['id']}/submit/", tokens["Guangdong"], {"version": 1})
        assert submitted.status_code == 200, submitted.text
        accepted[report["id"]] = (report["summary"], 2, "submitted")

        stop()
        during = [
            create(app, "Hunan", "Written during the outage."),
            app.request("GET", f"/api/v1/updates/{report['id']}/", tokens["Guangdong"]),
            create(app, "Hunan", "Written during the outage."),
        ]
        start()

        after = create(app, "Tianjin", "Written after the outage.")
        # The app recovered by itself: Django dropped the broken connection at the end of a failed request, and
        # CONN_HEALTH_CHECKS would test a reused one before the next.
        assert after.status_code == 201, after.text + app.output()
        report = after.json()
        edited = app.request(
            "PATCH", f"/api/v1/updates/{report['id']}/", tokens["Tianjin"], {"version": 1, "summary": "Edited."}
        )
        assert edited.status_code == 200, edited.text
        accepted[report["id"]] = ("Edited.", 2, "draft")
        retried = create(app, "Hunan", "Written again after the outage.")
        assert retried.status_code == 201, retried.text  # the refused write left nothing that blocks a retry
        accepted[retried.json()["id"]] = ("Written again after the outage.", 1, "draft")
    finally:
        app.stop()

    for response in during:
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "30"
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["code"] == "database_unavailable"
        assert "Traceback" not in response.text and "OperationalError" not in response.text
    stored = {r.pk: (r.summary, r.version, r.state) for r in Report.objects.filter(work_item=work_item, period=q1)}
    assert stored == accepted  # every accepted write, as accepted; nothing from the outage
    assert not Report.objects.filter(summary="Written during the outage.").exists()
