"""Scale-out: a real PostgreSQL primary and streaming replica (initdb, pg_basebackup -R), the app in production
settings with DATABASE_REPLICA_URL, and proof of where each request reads and writes.

The replica's replay is paused while the app runs: what a request reads from the replica is then visibly older
than the primary, so "the read came from the replica" is a fact the test sees, not an assumption."""

import json
import os
import shutil
import time

import psycopg
import pytest
from django.db import connection

from tests.plugins.pgcluster import PostgresCluster, _find_binary
from tests.production import ProductionClient, manage, production_env

pytestmark = pytest.mark.postgres

SETUP = """
import json
from django.contrib.auth import get_user_model
from participants.models import ApiToken, Profile, ProvincialOffice
from programs.models import ReportingPeriod
from tracking.models import Obligation
office = ProvincialOffice.objects.get(short_name="Guangdong")
user = get_user_model().objects.create(username="guangdong")
Profile.objects.create(user=user, role="office_reporter", office=office)
_, token = ApiToken.objects.create(user=user)
period = ReportingPeriod.objects.get(label="2012-Q1")
item = Obligation.objects.filter(office=office, period=period).order_by("work_item_id").first().work_item
print("@@" + json.dumps({"token": token, "item": item.pk, "period": period.pk}))
"""


class StandbyCluster(PostgresCluster):
    """A streaming replica of `primary`: a base backup with the standby settings (-R), on its own port."""

    def __init__(self, primary: PostgresCluster):
        super().__init__()
        self.primary = primary

    def start(self):
        if self.as_root:
            shutil.chown(self.tmp, "postgres", "postgres")
        self.tmp.chmod(0o700)
        basebackup = _find_binary("pg_basebackup")
        self._run(basebackup, "-D", str(self.datadir), "-R", "-X", "stream", "-h", "127.0.0.1", "-p",
                  str(self.primary.port), "-U", "postgres", "--no-sync")  # fmt: skip
        options = f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c hot_standby=on -c fsync=off -c max_connections=200"
        result = self._run(
            self.pg_ctl, "-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", "start", check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"the replica did not start: {result.stderr}\n{self.log.read_text(errors='replace')}")
        return self


@pytest.fixture
def primary_and_replica():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    if not _find_binary("pg_basebackup") and os.environ.get("CI") != "true":
        pytest.skip("needs the PostgreSQL server binaries (apt-get install postgresql)")
    primary = PostgresCluster().start()
    replica = StandbyCluster(primary)
    try:
        yield primary, replica.start()
    finally:
        replica.stop()  # also removes its directory when it failed to start
        primary.stop()


def query(url: str, sql: str, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_reads_go_to_the_replica_and_writes_to_the_primary(tmp_path, primary_and_replica):
    primary, replica = primary_and_replica
    assert query(replica.url(), "SELECT pg_is_in_recovery()") == [(True,)]
    env = production_env(tmp_path, DATABASE_URL=primary.url(), DJANGO_REPLICA_PIN_SECONDS="120")
    for args in (["migrate", "--noinput"], ["load_plan"]):
        assert manage(env, *args).returncode == 0
    setup = manage(env, "shell", "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    ids = json.loads(setup.stdout.split("@@", 1)[1])
    auth = {"HTTP_AUTHORIZATION": f"Token {ids['token']}"}

    # The replica has caught up with the setup, then stops replaying: from now on it shows the past.
    wait_until(lambda: query(replica.url(), "SELECT count(*) FROM participants_apitoken") == [(1,)])
    query(replica.url(), "SELECT pg_wal_replay_pause()")
    query(
        primary.url(),
        # title_en: the English column the API reads (django-modeltranslation); title: the original's.
        "UPDATE programs_plan SET title = 'Changed on the primary', title_en = 'Changed on the primary' "
        "WHERE year = 2012",
    )

    with ProductionClient({**env, "DATABASE_REPLICA_URL": replica.url()}) as app:
        # A read: from the replica, which has not seen the new title.
        before = app.get("/api/v1/plans/", **auth)
        assert before.status == 200, before.body
        assert [plan["title"] for plan in before.json()["results"]] != ["Changed on the primary"]
        assert "planpromo_primary" not in before.cookies

        # A write: on the primary (the replica is read-only: a write there would fail), pinning the client.
        created = app.request(
            "POST",
            "/api/v1/updates/",
            CONTENT_TYPE="application/json",
            data=json.dumps({"work_item": ids["item"], "period": ids["period"], "summary": "Written on the primary."}),
            **auth,
        )
        assert created.status == 201, created.body
        assert "planpromo_primary" in created.cookies
        report_id = created.json()["id"]
        assert query(primary.url(), "SELECT summary FROM tracking_report WHERE id = %s", report_id) == [
            ("Written on the primary.",)
        ]
        assert query(replica.url(), "SELECT count(*) FROM tracking_report") == [(0,)]

        # Read-your-writes: the same client's next reads come from the primary, where its report is.
        mine = app.get(f"/api/v1/updates/{report_id}/", **auth)
        assert mine.status == 200, mine.body
        assert mine.json()["summary"] == "Written on the primary."
        plans = app.get("/api/v1/plans/", **auth)
        assert [plan["title"] for plan in plans.json()["results"]] == ["Changed on the primary"]

    # Another client, without the pin, reads the replica again: the report is not there until replay resumes.
    with ProductionClient({**env, "DATABASE_REPLICA_URL": replica.url()}) as other:
        assert other.get(f"/api/v1/updates/{report_id}/", **auth).status == 404
        query(replica.url(), "SELECT pg_wal_replay_resume()")
        wait_until(lambda: query(replica.url(), "SELECT count(*) FROM tracking_report") == [(1,)])
        assert other.get(f"/api/v1/updates/{report_id}/", **auth).status == 200
