"""The completeness page: organisations × periods, received/expected and on time; it agrees with the
reporting-rates API and with a count from /api/v1/updates/, and exports the same table as CSV and XLSX."""

import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.factories import bulk_reports
from tracking.models import Obligation

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(accounts):
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 3, 7])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
    )
    return accounts


@pytest.fixture
def analyst(client, data):
    client.force_login(data["analyst"])
    return client


def test_completeness_agrees_with_the_api_and_the_updates(analyst, client_for):
    table = analyst.get("/plans/2012/completeness/").context["table"]
    periods = list(ReportingPeriod.objects.filter(plan__year=2012))
    assert [p.pk for p in table.periods] == [
        p.pk for p in sorted(periods, key=lambda p: (p.kind != "quarter", p.start))
    ]
    api = client_for("analyst")
    rates = {
        (r["office"], r["period"]): r
        for r in api.get("/api/v1/stats/reporting-rates/", {"year": 2012, "group_by": "office,period"}).json()
    }
    received = Counter()
    url, params = "/api/v1/updates/", {"year": 2012, "state": ["submitted", "accepted"], "page_size": 500}
    while url:
        page = api.get(url, params).json()
        received.update((u["office"]["id"], u["period"]["id"]) for u in page["results"] if u["office"])
        url, params = page["next"], None
    offices = [row for row in table.rows if row.is_office]
    assert [row.organisation.short_name for row in offices][-1] == "XPCC"  # by code, the XPCC last
    assert len(offices) == 32
    for row in offices:
        for period, cell in zip(table.periods, row.cells, strict=True):
            rate = rates[(row.organisation.pk, period.pk)]
            assert (cell.expected, cell.received, cell.on_time) == (rate["expected"], rate["received"], rate["on_time"])
            assert cell.received == received[(row.organisation.pk, period.pk)]
            assert cell.reporting_rate == rate["reporting_rate"]
            assert cell.received <= cell.expected
        assert row.total.expected == sum(c.expected for c in row.cells)
        assert row.total.received == sum(c.received for c in row.cells)
    assert table.total.expected == Obligation.objects.filter(period__plan__year=2012).count()
    assert [c.expected for c in table.column_totals] == [
        Obligation.objects.filter(period=p).count() for p in table.periods
    ]


def test_completeness_filters_by_program_and_period(analyst):
    q2 = ReportingPeriod.objects.get(label="2012-Q2")
    table = analyst.get(f"/plans/2012/completeness/?program=7&period={q2.pk}").context["table"]
    assert [p.pk for p in table.periods] == [q2.pk]
    assert table.total.expected == Obligation.objects.filter(period=q2, work_item__program__number=7).count()


def test_completeness_exports(analyst):
    response = analyst.get("/plans/2012/completeness/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="completeness-2012-' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = lines[0], lines[1:]
    assert header[:3] == ["Organisation", "Kind", "2012-Q1 expected"]
    guangdong = next(line for line in body if line[0] == "Guangdong")
    table = analyst.get("/plans/2012/completeness/").context["table"]
    row = next(r for r in table.rows if r.organisation == ProvincialOffice.objects.get(short_name="Guangdong"))
    assert guangdong[2:5] == [str(row.cells[0].expected), str(row.cells[0].received), str(row.cells[0].on_time)]
    assert body[-1][0] == "Total" and body[-1][-5] == str(table.total.expected)

    response = analyst.get("/plans/2012/completeness/?format=xlsx&program=1")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref.startswith("A1:")
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Organisation", "Kind", "2012-Q1 expected")
    assert isinstance(values[1][2], int)


def test_completeness_page_queries_are_constant(analyst, django_assert_num_queries):
    # session, user, profile (the role check), plan, periods, the programs (the filter), the six grouped counts,
    # offices, departments; the bell's unread count; the ETag's latest change (tracking.views.conditional)
    with django_assert_num_queries(16):
        analyst.get("/plans/2012/completeness/")
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[2, 5])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        seed=3,
    )
    with django_assert_num_queries(16):
        analyst.get("/plans/2012/completeness/")


def test_completeness_needs_a_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-for-tests-only"))
    assert client.get("/plans/2012/completeness/").status_code == 403
