"""The probes, and a database outage: clean 503s while it lasts (no stack trace), recovery by itself after."""

import os
import shlex
import socket
import subprocess

import pytest
from django.db import connection, connections

from tests.production import ProductionClient, production_env


def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_when_the_database_does(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_probes_are_open_to_anonymous_clients_and_refuse_writes(client, db):
    assert client.head("/readyz").status_code == 200
    assert client.post("/healthz").status_code == 405


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once the socket closes: nothing listens there


def assert_clean_503(response, *, json: bool):
    assert response.status == 503, response.body
    assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in response.body and "OperationalError" not in response.body
    if json:
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["code"] == "database_unavailable"
    else:
        assert "its database cannot be reached" in response.body


def test_an_unreachable_database_gives_clean_503s(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"postgres://planpromo@127.0.0.1:{closed_port()}/planpromo")
    session = {"HTTP_COOKIE": "sessionid=0123456789abcdefghijklmnopqrstuv"}

    with ProductionClient(env) as app:
        ready = app.get("/readyz")
        alive = app.get("/healthz")
        api = app.get("/api/v1/plans/", HTTP_AUTHORIZATION="Token 0123456789abcdef")  # raised in a view
        admin = app.get("/admin/", **session)
        page = app.get("/", **session)  # raised by the sign-in-required middleware, before any view

    assert (ready.status, ready.json()) == (503, {"status": "unavailable", "database": "OperationalError"})
    assert alive.status == 200
    assert_clean_503(api, json=True)
    assert_clean_503(admin, json=False)
    assert_clean_503(page, json=False)


@pytest.fixture
def restartable_cluster(django_db_setup, django_db_blocker):
    """The throwaway cluster of the PostgreSQL run, which this test may stop and start again."""
    if connection.vendor != "postgresql" or not os.environ.get("PLANPROMO_PG_DATADIR"):
        pytest.skip("needs the throwaway PostgreSQL cluster (PLANPROMO_TEST_DB=postgres)")
    from tests.plugins import pgcluster

    cluster = pgcluster._cluster
    # The server's own command line, to start it again on the same port and socket directory.
    opts = shlex.split((cluster.datadir / "postmaster.opts").read_text())[1:]
    server_options = shlex.join(arg for arg in opts if arg not in ("-D", str(cluster.datadir)))

    def stop():
        with django_db_blocker.unblock():
            connections.close_all()  # this process's own connection would die with the server
        cluster._run(cluster.pg_ctl, "-D", str(cluster.datadir), "-m", "fast", "-w", "stop")

    def start():
        cluster._run(
            cluster.pg_ctl, "-D", str(cluster.datadir), "-l", str(cluster.log), "-o", server_options, "-w", "start"
        )

    yield stop, start
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(cluster.port)], capture_output=True).returncode:
        start()


@pytest.mark.postgres
def test_the_app_recovers_by_itself_when_the_database_restarts(tmp_path, restartable_cluster):
    stop, start = restartable_cluster
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    # One long-lived process with a persistent connection, as in a gunicorn worker.
    env = production_env(tmp_path, DATABASE_URL=url, DJANGO_CONN_MAX_AGE="600")
    anonymous_api = {"HTTP_COOKIE": "sessionid=0123456789abcdefghijklmnopqrstuv"}

    with ProductionClient(env) as app:
        before = app.get("/readyz")
        stop()
        during = [app.get("/readyz"), app.get("/readyz")]
        api_during = app.get("/api/v1/plans/", **anonymous_api)
        start()
        after = app.get("/readyz")
        api_after = app.get("/api/v1/plans/", **anonymous_api)

    assert before.status == 200
    assert [response.status for response in during] == [503, 503]
    assert_clean_503(api_during, json=True)
    assert after.status == 200  # CONN_HEALTH_CHECKS replaced the dead connection: no restart of the app needed
    # The session lookup reached the database again: an unknown session is simply not signed in.
    assert api_after.status in (401, 403)
    assert api_after.json()["detail"]
