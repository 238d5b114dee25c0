"""The bench's raw-SQL limits (bench/rawapp.py) return what the product returns: the same rows, compared by their
numbers (bench/limits.py), for every read that has a limit, over generated reports of a plan year on PostgreSQL.

The limit runs its hand-written SQL on the test's own database connection (inside the test's transaction, so it sees
the generated data), in the site's time zone as it does under gunicorn."""

import orjson
import pytest
from django.db import connection
from rest_framework.test import APIClient

from bench import limits, rawapp
from participants.models import ProvincialOffice
from programs.models import Plan
from tests.factories import UserFactory
from tracking import generate
from tracking.obligations import obligations_link_reports, obligations_sync

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEAR = 2012
READS = [
    ("/api/v1/stats/programs/?year=2012", "/stats/programs/?year=2012"),
    ("/api/v1/stats/offices/?year=2012", "/stats/offices/?year=2012"),
    ("/api/v1/stats/work-items/?year=2012", "/stats/work-items/?year=2012"),
    ("/api/v1/stats/reporting-rates/?year=2012&group_by=office", "/stats/reporting-rates/?year=2012&group_by=office"),
    ("/api/v1/obligations/?year=2012", "/obligations/?year=2012"),
    ("/api/v1/work-items/?year=2012", "/work-items/?year=2012"),
    ("/api/v1/updates/?year=2012&page_size=100", "/updates/?year=2012&page_size=100"),
    ("/api/v1/updates/?year=2012&page_size=100&status=at_risk", "/updates/?year=2012&page_size=100&status=at_risk"),
]


@pytest.fixture
def reports_of_a_year(postgres_only):
    accounts = generate.accounts_ensure()
    for plan in Plan.objects.all():
        obligations_sync(plan=plan)
    generate.reports_generate(years=[YEAR], count=1_500, seed=5, accounts=accounts, batch_size=1_500)
    obligations_link_reports()


@pytest.fixture
def limit(reports_of_a_year):
    """bench/rawapp.py's WSGI application over the test's connection, in the site's time zone."""
    connection.ensure_connection()
    rawapp._connection = connection.connection
    yield call_limit
    rawapp._connection = None
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")


def call_limit(path: str) -> tuple[str, bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Shanghai'")
    route, _, query = path.partition("?")
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    body = b"".join(rawapp.application({"PATH_INFO": route, "QUERY_STRING": query}, start_response))
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    return answer["status"], body


@pytest.mark.parametrize(("product_path", "limit_path"), READS)
def test_the_limit_returns_the_products_numbers(limit, product_path, limit_path):
    client = APIClient()
    client.force_authenticate(UserFactory(profile__role="analyst"))
    product = client.get(product_path)
    assert product.status_code == 200
    status, body = limit(limit_path)
    assert status == "200 OK", body[:500]
    rows = limits.rows_of(body)
    assert rows, "the limit returned no rows: nothing was compared"
    assert limits.differences(limits.rows_of(product.content), rows, most=20) == []


def test_the_statistics_limit_counts_what_the_obligations_hold(limit):
    """The hand-written figures are not just equal to the product's but add up: per office, received + overdue
    never exceeds expected, and the programs' totals equal the offices' and departments' together."""
    _, body = limit("/stats/programs/?year=2012")
    programs = orjson.loads(body)["results"]
    _, body = limit("/stats/offices/?year=2012")
    offices = orjson.loads(body)["results"]
    assert len(offices) == ProvincialOffice.objects.count()
    assert sum(p["expected"] for p in programs) >= sum(o["expected"] for o in offices) > 0
    assert all(o["received"] + o["overdue"] <= o["expected"] for o in offices)
    assert sum(p["received"] for p in programs) > 0
    assert all(sum(o["status"].values()) == o["received"] for o in offices)
