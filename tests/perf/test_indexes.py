"""Every filter and ordering of the reports list is served by an index: EXPLAIN on PostgreSQL, after ANALYZE, at
a realistic size (several plan-years of generated reports), shows no sequential scan of tracking_report.

The queries explained are the ones the API itself runs for each list (the page and its count), captured from a
real request, so a change of the selector, the filterset or the serializer's prefetches is checked too.
Filters are given selective values, as an analyst uses them (`status=at_risk`, one office, one period): a value
that matches most of the table is rightly read by a sequential scan, and no index would help it. For the same
reason the count of an unfiltered list (every report, or every published one for an analyst) is not checked;
its page is: the default ordering reads the first rows of an index.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.factories import UserFactory
from tracking import generate

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEARS = [2012, 2013, 2014, 2015, 2016]
REPORTS = 12_000

LISTS = [
    "/api/v1/updates/",  # the default ordering, -updated_at
    "/api/v1/updates/?office={office}",
    "/api/v1/updates/?status=at_risk",
    "/api/v1/updates/?status=delayed&status=completed",
    "/api/v1/updates/?period={period}",
    "/api/v1/updates/?year=2015&page_size=100",
    "/api/v1/updates/?year=2015&page_size=100&office={office}",
    "/api/v1/updates/?year=2015&page_size=100&status=at_risk",
    "/api/v1/updates/?work_item={item}",
    "/api/v1/updates/?state=submitted",
    "/api/v1/updates/?state=returned",
    "/api/v1/updates/?submitted_after=2015-03-01T00:00Z&submitted_before=2015-05-01T00:00Z",
    # Selective: generated reports are submitted around their period's due date, in their own plan-year.
    "/api/v1/updates/?submitted_after=2017-01-01T00:00Z&ordering=submitted_at",
    "/api/v1/updates/?ordering=-submitted_at",
    "/api/v1/updates/?ordering=-updated_at&page=3",
]


def report_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.content[:300]}"
    return [q["sql"] for q in queries.captured_queries if re.search(r'FROM "tracking_report"', q["sql"])]


NOT_FILTERS = {"ordering", "page", "page_size"}


def is_filtered(url: str) -> bool:
    return bool(set(parse_qs(urlsplit(url).query)) - NOT_FILTERS)


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_filtered_report_lists_use_indexes(postgres_only):
    accounts = generate.accounts_ensure()
    for year in YEARS[1:]:
        generate.plan_year_copy(year=year, seed=7, breadth=0.5, admin=accounts.admin)
    generate.reports_generate(years=YEARS, count=REPORTS, seed=7, accounts=accounts, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ids = {
        "office": ProvincialOffice.objects.get(short_name="Guangdong").pk,
        "period": ReportingPeriod.objects.get(label="2015-Q2").pk,
        "item": WorkItem.objects.get(program__plan__year=2015, program__number=2, number=3).pk,
    }
    analyst = UserFactory(username="index-analyst", profile__role="analyst")
    scanned = []
    for user in (accounts.admin, analyst):
        client = APIClient()
        client.force_authenticate(user)
        for url in LISTS:
            url = url.format(**ids)
            for sql in report_queries(client, url):
                counts = sql.startswith(("SELECT COUNT(*)", 'SELECT MAX("tracking_report"."updated_at") AS "last"'))
                if counts and not is_filtered(url):
                    # Counting every row (the analyst: every published one) reads them all, rightly; the count
                    # comes with the ETag's latest change (tracking.api.conditional).
                    continue
                plan = explain(sql)
                if "Seq Scan on tracking_report" in plan:
                    scanned.append(f"{user.username} {url}:\n{plan}")
    assert not scanned, "sequential scans of tracking_report:\n\n" + "\n\n".join(scanned)
