"""The statistics of one plan year read that year's obligations through an index, whatever the other years hold:
EXPLAIN on PostgreSQL, after ANALYZE, at a realistic size (five plan-years of generated reports), shows no
sequential scan of the obligations or the reports, and no subquery run once per row (SubPlan).

The queries explained are the ones each endpoint and page runs, captured from a real request."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from participants.models import ProvincialOffice
from programs.models import Plan, Program, ReportingPeriod
from tests.factories import UserFactory
from tracking import generate
from tracking.obligations import obligations_link_reports, obligations_sync

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEARS = [2012, 2013, 2014, 2015, 2016]
REPORTS = 12_000
TABLES = ("tracking_obligation", "tracking_report")

URLS = [
    "/api/v1/stats/programs/?year=2015",
    "/api/v1/stats/offices/?year=2015",
    "/api/v1/stats/work-items/?year=2015",
    "/api/v1/stats/timeline/?year=2015",
    "/api/v1/stats/reporting-rates/?year=2015&group_by=office,period",
    "/api/v1/stats/reporting-rates/?year=2015&program={program}",
    "/api/v1/stats/programs/?period={period}&office={office}",
    "/api/v1/obligations/?year=2015&office={office}",
    "/api/v1/obligations/?year=2015&page_size=100",
    "/api/v1/obligations/?period={period}&state=missing",
    "/api/v1/obligations/?year=2015&state=submitted,accepted",
    # The lists of one year: the page, its count and the ETag's aggregate (tracking.api.conditional).
    "/api/v1/updates/?year=2015&page_size=100",
    "/api/v1/updates/?period={period}&office={office}",
    # The target values of one year: through that year's periods' reports only (tracking.filtersets).
    "/api/v1/target-values/?year=2015",
    "/api/v1/target-values/?year=2015&office={office}&state=submitted,accepted",
    "/api/v1/work-items/?year=2015",
    "/plans/2015/matrix/?period={period}",
    "/plans/2015/completeness/",
]


@pytest.fixture
def five_years(postgres_only):
    accounts = generate.accounts_ensure()
    for year in YEARS[1:]:
        generate.plan_year_copy(year=year, seed=7, breadth=0.5, admin=accounts.admin)
    for plan in Plan.objects.all():
        obligations_sync(plan=plan)
    generate.reports_generate(years=YEARS, count=REPORTS, seed=7, accounts=accounts, batch_size=10_000)
    obligations_link_reports()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return accounts


def test_statistics_of_a_year_use_indexes_and_no_subquery_per_row(five_years):
    ids = {
        "office": ProvincialOffice.objects.get(short_name="Guangdong").pk,
        "period": ReportingPeriod.objects.get(label="2015-Q2").pk,
        "program": Program.objects.get(plan__year=2015, number=7).pk,
    }
    analyst = UserFactory(username="explain-analyst", profile__role="analyst")
    client = APIClient()
    client.force_login(analyst)
    problems = []
    for url in URLS:
        url = url.format(**ids)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        for query in captured.captured_queries:
            sql = query["sql"]
            if not any(f'"{table}"' in sql for table in TABLES):
                continue
            with connection.cursor() as cursor:
                plan = "\n".join(row[0] for row in _explain(cursor, sql))
            scanned = [table for table in TABLES if re.search(rf"Seq Scan on {table}\b", plan)]
            if scanned or "SubPlan" in plan:
                problems.append(f"{url}: {', '.join(scanned) or 'SubPlan'}\n{sql[:400]}\n{plan}")
    assert not problems, "\n\n".join(problems)


def _explain(cursor, sql):
    # The captured SQL has its parameters inlined by Django's debug cursor, as psql would show it.
    cursor.execute("EXPLAIN " + sql)
    return cursor.fetchall()
