"""The statistics endpoints agree with counts done here from the raw reports, for every scope."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from participants.models import ProvincialOffice
from programs.models import Program, ReportingPeriod, WorkItem, WorkItemOffice
from tests import circular
from tests.factories import bulk_reports
from tests.helpers import period
from tests.oracles import office_items
from tracking.models import Report, TargetValue
from tracking.obligations import obligations_sync

pytestmark = pytest.mark.django_db

RECEIVED = {"submitted", "accepted"}


@pytest.fixture
def data(accounts):
    vi3 = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    for name in ("Guangdong", "Hunan"):
        WorkItemOffice.objects.create(work_item=vi3, office=ProvincialOffice.objects.get(short_name=name))
    obligations_sync(plan=vi3.program.plan)  # as the admin does on a confirmation
    items = WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 4, 6])
    bulk_reports(
        items=list(items),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        offices=list(ProvincialOffice.objects.all()),
    )
    return accounts


def expected_per_period(item):
    offices = {"all": 32, "listed": item.office_links.count(), "conditional": item.office_links.count(), "none": 0}
    return offices[item.office_scope] + item.department_links.count()


def from_expected(report):
    """Counted: reports of organisations that must report (offices that take part, responsible departments)."""
    if report.office_id is not None:
        return True
    return report.work_item.department_links.filter(department_id=report.department_id).exists()


def on_time(report):
    return timezone.localdate(report.first_submitted_at) <= report.period.due


UNPAGED = ("/api/v1/stats/timeline/", "/api/v1/stats/reporting-rates/")


def results(client, url, **params):
    # page_size only where there are pages: elsewhere it is an unknown parameter (400).
    response = client.get(url, params if url in UNPAGED else {"page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def test_program_stats_match_raw_reports(data, client_for):
    client = client_for("analyst")
    rows = {r["number"]: r for r in results(client, "/api/v1/stats/programs/", year=2012)}
    assert len(rows) == 10
    periods = list(ReportingPeriod.objects.filter(plan__year=2012))
    today = datetime.date.today()
    for number, row in rows.items():
        items = list(WorkItem.objects.filter(program__plan__year=2012, program__number=number))
        reports = [
            r
            for r in Report.objects.filter(work_item__program__number=number, period__plan__year=2012)
            if from_expected(r)
        ]
        received = [r for r in reports if r.state in RECEIVED]
        per_period = sum(expected_per_period(i) for i in items)
        assert row["work_items"] == len(items)
        assert row["expected"] == per_period * len(periods)
        assert row["received"] == len(received)
        assert row["accepted"] == sum(r.state == "accepted" for r in reports)
        assert row["on_time"] == sum(on_time(r) for r in received)
        past_due = [p for p in periods if p.due < today]
        got_past = [r for r in received if r.period.due < today]
        assert row["overdue"] == per_period * len(past_due) - len(got_past)
        for status in ("not_started", "on_track", "at_risk", "delayed", "completed"):
            assert row["status"][status] == sum(r.status == status for r in received)
        mean = sum(r.percent_complete for r in received) / len(received) if received else None
        assert row["mean_percent"] == pytest.approx(mean)
        assert row["reporting_rate"] == (round(100 * len(received) / row["expected"], 1) if row["expected"] else None)
        assert row["reporting_rate"] is None or 0 <= row["on_time_rate"] <= row["reporting_rate"] <= 100
    assert rows[1]["received"] > 0 and rows[2]["received"] == 0


def test_office_stats_match_raw_reports(data, client_for):
    rows = {r["short_name"]: r for r in results(client_for("analyst"), "/api/v1/stats/offices/", year=2012)}
    assert len(rows) == 32
    for name in ("Guangdong", "Tibet", "XPCC", "Hunan"):
        office = ProvincialOffice.objects.get(short_name=name)
        items = office_items(office)
        reports = list(Report.objects.filter(office=office, period__plan__year=2012))
        received = [r for r in reports if r.state in RECEIVED]
        assert rows[name]["work_items"] == len(items)
        assert rows[name]["expected"] == rows[name]["due"] == len(items) * 5
        assert rows[name]["received"] == len(received)
        assert rows[name]["overdue"] == len(items) * 5 - len(received)  # every 2012 period is past due
    # Guangdong's work items are the circular's: every item of all offices or listing Guangdong, and VI.3 (open to
    # offices "where national hi-tech development zones are located") only if Guangdong is confirmed for it.
    named, conditional = circular.office_work_items("Guangdong")
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    codes = {i.code for i in office_items(guangdong)}
    confirmed = {
        row.work_item.code
        for row in WorkItemOffice.objects.filter(
            office=guangdong, work_item__office_scope="conditional", work_item__program__plan__year=2012
        ).select_related("work_item__program")
    }
    assert len(named) == 31 and confirmed <= conditional
    assert codes == named | confirmed, sorted(codes ^ (named | confirmed))
    assert rows["Guangdong"]["work_items"] == len(codes)
    assert rows["Tibet"]["work_items"] == 6  # I.1, I.2, I.4, III.1-3: scope `all` only


def test_work_item_stats_and_targets(data, client_for):
    client = client_for("analyst")
    rows = {r["code"]: r for r in results(client, "/api/v1/stats/work-items/", year=2012, period=period("2012-Q2").pk)}
    assert len(rows) == 34
    vi3 = rows["VI.3"]
    assert vi3["office_scope"] == "conditional" and vi3["offices_expected"] == 2
    assert vi3["expected"] == 2 + 1  # two confirmed offices and the Patent Administration Department, one period
    i1 = rows["I.1"]
    reporters = {
        r.office_id
        for r in Report.objects.filter(
            work_item__program__number=1,
            work_item__number=1,
            period__label="2012-Q2",
            state__in=RECEIVED,
            office__isnull=False,
        )
    }
    assert i1["offices_reported"] == len(reporters) <= i1["offices_expected"] == 32
    iv2 = rows["IV.2"]
    [target] = iv2["targets"]
    assert target["quantity"] == 50
    values = TargetValue.objects.filter(
        target_id=target["id"], report__state__in=RECEIVED, report__period__label="2012-Q2"
    )
    assert target["achieved"] == (sum(v.value for v in values) if values else None)


def test_offices_reported_counts_offices_not_reports(data, client_for):
    """Over the whole year an office reports four or five times on I.1; it still counts once (it was 87 of 32)."""
    [row] = [r for r in results(client_for("analyst"), "/api/v1/stats/work-items/", year=2012) if r["code"] == "I.1"]
    offices = set(
        Report.objects.filter(
            work_item__program__number=1, work_item__number=1, state__in=RECEIVED, office__isnull=False
        ).values_list("office_id", flat=True)
    )
    assert row["offices_reported"] == len(offices) <= row["offices_expected"] == 32
    assert row["received"] > row["offices_reported"]


def test_achieved_takes_each_organisations_latest_value(data, client_for):
    client = client_for("analyst")
    [row] = [r for r in results(client, "/api/v1/stats/work-items/", year=2012) if r["code"] == "IV.2"]
    target_id = row["targets"][0]["id"]
    latest = {}
    for value in TargetValue.objects.filter(target_id=target_id, report__state__in=RECEIVED).select_related(
        "report__period"
    ):
        key = (value.report.office_id, value.report.department_id)
        rank = (value.report.period.end, -value.report.period.start.toordinal())
        if key not in latest or rank > latest[key][0]:
            latest[key] = (rank, value.value)
    assert row["targets"][0]["achieved"] == (sum(v for _, v in latest.values()) if latest else None)


def test_timeline_buckets_sum_to_received_and_accepted(data, client_for):
    client = client_for("analyst")
    rows = results(client, "/api/v1/stats/timeline/", year=2012, interval="week")
    [total] = results(client, "/api/v1/stats/reporting-rates/", year=2012)
    assert sum(r["received"] for r in rows) == total["received"]
    assert sum(r["on_time"] for r in rows) == total["on_time"]
    assert sum(r["accepted"] for r in rows) == total["accepted"]
    expected_reports = [r for r in Report.objects.filter(period__plan__year=2012) if from_expected(r)]
    assert total["received"] == sum(r.state in RECEIVED for r in expected_reports)
    assert total["accepted"] == sum(r.state == "accepted" for r in expected_reports)


def test_reporting_rates_by_office_and_period_agree_with_the_updates_api(data, client_for):
    client = client_for("analyst")
    rows = results(client, "/api/v1/stats/reporting-rates/", year=2012, group_by="office,period")
    assert len(rows) == 32 * 5
    updates = results(client, "/api/v1/updates/", year=2012, state=["submitted", "accepted"])
    counted = Counter((u["office"]["id"], u["period"]["id"]) for u in updates if u["office"])
    for row in rows:
        assert row["received"] == counted[(row["office"], row["period"])]
        assert row["expected"] >= row["received"] >= row["on_time"]
        assert set(row) >= {
            "office",
            "office_short_name",
            "period",
            "period_label",
            "expected",
            "received",
            "accepted",
            "on_time",
            "overdue",
            "reporting_rate",
            "on_time_rate",
        }
        assert "department" not in row and "program" not in row


@pytest.mark.parametrize("group_by", ["department", "program", "period", "work_item", "department,period"])
def test_reporting_rates_groups_sum_to_the_total(data, client_for, group_by):
    client = client_for("analyst")
    [total] = results(client, "/api/v1/stats/reporting-rates/", year=2012)
    rows = results(client, "/api/v1/stats/reporting-rates/", year=2012, group_by=group_by)
    offices = results(client, "/api/v1/stats/reporting-rates/", year=2012, group_by="office")
    for name in ("expected", "received", "accepted", "on_time", "overdue"):
        grouped = sum(r[name] for r in rows)
        if group_by.startswith("department"):
            grouped += sum(r[name] for r in offices)  # offices and departments share the obligations
        assert grouped == total[name], name


def test_statistics_filter_by_program_office_and_department(data, client_for):
    client = client_for("analyst")
    program = Program.objects.get(plan__year=2012, number=1)
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    [by_office] = results(client, "/api/v1/stats/reporting-rates/", year=2012, program=program.pk, office=guangdong.pk)
    reports = Report.objects.filter(office=guangdong, work_item__program=program, state__in=RECEIVED)
    assert by_office["received"] == reports.count()
    assert by_office["expected"] == 5 * len([i for i in office_items(guangdong) if i.program_id == program.pk])
    [programs] = results(client, "/api/v1/stats/programs/", year=2012, program=program.pk, office=guangdong.pk)
    assert (programs["expected"], programs["received"]) == (by_office["expected"], by_office["received"])
    offices = results(client, "/api/v1/stats/offices/", year=2012, office=guangdong.pk)
    assert [o["short_name"] for o in offices] == ["Guangdong"]
    rows = results(client, "/api/v1/stats/timeline/", year=2012, office=guangdong.pk)
    assert sum(r["received"] for r in rows) == Report.objects.filter(office=guangdong, state__in=RECEIVED).count()


@pytest.mark.parametrize("query", ["year=abc", "period=999999", "period=x", "interval=day", "year=1900"])
def test_bad_parameters_are_400(client_for, query):
    url = "/api/v1/stats/timeline/" if "interval" in query else "/api/v1/stats/programs/"
    response = client_for("analyst").get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.json()


@pytest.mark.parametrize("name", ["programs", "offices", "work-items", "timeline", "reporting-rates"])
def test_stats_queries_are_constant(accounts, client_for, django_assert_num_queries, name):
    client = client_for("analyst")
    url = f"/api/v1/stats/{name}/"
    # Each: the period ids of the year, then programs: the programs, their items counted, the grouped figures;
    # offices: the offices, the figures; work-items: the items, their targets and departments, the figures, the
    # achieved values; timeline: received, accepted; reporting rates: the grouped rows. Plus one for the ETag: the
    # reports' latest updated_at (tracking.api.conditional).
    budget = 1 + {"programs": 4, "offices": 3, "work-items": 6, "timeline": 3, "reporting-rates": 2}[name]
    with django_assert_num_queries(budget):
        client.get(url, {"year": 2012})
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[4, 5])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        offices=list(ProvincialOffice.objects.all()),
    )
    with django_assert_num_queries(budget):
        client.get(url, {"year": 2012})


def test_stats_export_as_csv(data, client_for):
    response = client_for("analyst").get("/api/v1/stats/offices/", {"year": 2012, "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "广东省知识产权局" in text
    assert text.count("\n") >= 33


def test_reporting_rates_of_a_year_without_a_plan_are_zero(client_for):
    response = client_for("analyst").get("/api/v1/stats/reporting-rates/", {"year": 2000})
    assert response.status_code == 200
    [row] = response.json()
    assert (row["expected"], row["received"], row["overdue"], row["reporting_rate"]) == (0, 0, 0, None)
    assert (
        client_for("analyst").get("/api/v1/stats/reporting-rates/", {"year": 2000, "group_by": "office"}).json() == []
    )


FIGURES_COMPARED = ("expected", "received", "accepted", "on_time", "overdue", "status", "reporting_rate")


@pytest.mark.parametrize(("name", "key"), [("programs", "number"), ("offices", "short_name"), ("work-items", "code")])
def test_group_by_period_gives_each_periods_row_in_one_call(data, client_for, name, key):
    """Issue 18: `group_by=period` gives one row per entity and period, each the row that a call for that period
    alone gives, and in the entity's order, then the period's."""
    client = client_for("analyst")
    url = f"/api/v1/stats/{name}/"
    periods = list(ReportingPeriod.objects.filter(plan__year=2012).order_by("start", "end"))
    grouped = results(client, url, year=2012, group_by="period")
    entities = [row[key] for row in results(client, url, year=2012)]
    assert len(grouped) == len(entities) * len(periods)
    assert [(row[key], row["period"]) for row in grouped] == [(e, p.pk) for e in entities for p in periods]
    assert {row["period_label"] for row in grouped} == {p.label for p in periods}
    for period_ in periods:
        alone = {row[key]: row for row in results(client, url, year=2012, period=period_.pk)}
        for row in (row for row in grouped if row["period"] == period_.pk):
            assert row["period_due"] == period_.due.isoformat()
            for figure in FIGURES_COMPARED:
                assert row[figure] == alone[row[key]][figure], (row[key], period_.label, figure)
            if name == "work-items":
                assert row["targets"] == alone[row[key]]["targets"]
    assert "period" not in results(client, url, year=2012)[0]  # only when grouped
    assert sum(row["received"] for row in grouped) > 0


def test_group_by_period_is_the_only_group_of_the_entity_statistics(client_for):
    response = client_for("analyst").get("/api/v1/stats/offices/", {"year": 2012, "group_by": "office"})
    assert response.status_code == 400
    assert "group_by" in response.json()


@pytest.mark.parametrize("name", ["programs", "offices", "work-items"])
def test_group_by_period_queries_are_constant(accounts, client_for, django_assert_num_queries, name):
    client = client_for("analyst")
    url = f"/api/v1/stats/{name}/"
    budget = 1 + {"programs": 5, "offices": 4, "work-items": 7}[name]  # the ungrouped budget (the tag), the periods
    with django_assert_num_queries(budget):
        client.get(url, {"year": 2012, "group_by": "period"})
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[4, 5])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        offices=list(ProvincialOffice.objects.all()),
    )
    with django_assert_num_queries(budget):
        client.get(url, {"year": 2012, "group_by": "period"})
