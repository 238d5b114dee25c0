"""How long `?as_of=` takes against the live figures, on PostgreSQL at the large scale (issue 12: within 3×).

    .venv/bin/python tests/perf/time_as_of.py [--database-url URL] [--runs 7] [--explain]

Without --database-url: a throwaway cluster (tests/plugins/pgcluster.py), migrated, the 2012 plan loaded,
`generate_data --scale large` (as `make bench` does: about 3 minutes of CPU), VACUUM ANALYZE. Then, in-process
through Django's test client signed in as an analyst: each endpoint for 2019 without and with as_of=2019-06-30, one
warm-up then --runs timed requests each; prints the p50s and their ratio. --explain prints the plan of the as_of
statistics query. Not a test (pytest does not collect it): the machine is shared, run it when it is quiet.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.plugins.pgcluster import PostgresCluster  # noqa: E402

ENDPOINTS = [
    "/api/v1/stats/programs/?year=2019",
    "/api/v1/stats/offices/?year=2019",
    "/api/v1/stats/work-items/?year=2019",
    "/api/v1/stats/reporting-rates/?year=2019&group_by=office",
    "/api/v1/obligations/?year=2019",
    "/plans/2019/completeness/",
]
AS_OF = "2019-06-30"


def prepare(database_url: str, scale: str):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "planpromo.settings"}
    for command in (["migrate", "--noinput", "-v0"], ["load_plan", "-v0"], ["generate_data", "--scale", scale]):
        print("manage.py", *command, flush=True)
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    subprocess.run(["psql", database_url, "-qc", "VACUUM ANALYZE"], check=True)


def measure(runs: int, explain: bool):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from participants.choices import Role
    from participants.models import Profile
    from tracking import stats

    analyst, _ = get_user_model().objects.get_or_create(username="time-as-of-analyst")
    Profile.objects.update_or_create(user=analyst, defaults={"role": Role.ANALYST})
    client = Client()
    client.force_login(analyst)

    def p50(url: str) -> float:
        assert client.get(url).status_code == 200, url  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        return statistics.median(times)

    print(f"\n| endpoint (2019) | now, p50 ms | as_of={AS_OF}, p50 ms | ratio |")
    print("|---|---:|---:|---:|")
    for url in ENDPOINTS:
        now = p50(url)
        then = p50(f"{url}{'&' if '?' in url else '?'}as_of={AS_OF}")
        print(f"| {url} | {now:.0f} | {then:.0f} | {then / now:.2f}× |", flush=True)

    if explain:
        import datetime

        selection = stats.selection(year=2019, as_of=datetime.date.fromisoformat(AS_OF))
        rows = stats.grouped_obligations(selection).values("work_item__program_id")
        rows = rows.annotate(**stats.obligation_aggregates(datetime.date.fromisoformat(AS_OF)))
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing database with the generated data")
    parser.add_argument("--scale", default="large")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the throwaway cluster running (prints its URL)")
    args = parser.parse_args()
    cluster = None if args.database_url else PostgresCluster()
    if cluster:
        cluster.start()
    database_url = args.database_url or cluster.url()
    try:
        if cluster:
            prepare(database_url, args.scale)
        os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="planpromo.settings")
        measure(args.runs, args.explain)
    finally:
        if cluster and args.keep:
            print(f"cluster kept: {database_url}; stop it with: pg_ctl -D {cluster.datadir} stop", flush=True)
        elif cluster:
            cluster.stop()


if __name__ == "__main__":
    main()
