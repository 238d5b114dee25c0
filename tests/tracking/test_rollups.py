"""Roll-ups are computed in SQL (tracking.stats); here they are recounted from the raw reports and the plan's
structure in Python and compared."""

import datetime
from collections import Counter

import pytest

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem, WorkItemOffice
from tests.factories import bulk_reports
from tests.helpers import period
from tracking import stats
from tracking.demo import demo_reports_ensure
from tracking.models import Report
from tracking.obligations import obligations_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(accounts):
    # Programs I (scopes all and listed) and VI (listed and conditional, with one confirmed office).
    vi3 = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    WorkItemOffice.objects.create(work_item=vi3, office=ProvincialOffice.objects.get(short_name="Guangdong"))
    obligations_sync(plan=vi3.program.plan)  # as the admin does after a confirmation
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 6])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        offices=list(ProvincialOffice.objects.all()),
    )


def received(reports):
    return [r for r in reports if r.state in ("submitted", "accepted")]


STATUS_KEYS = ["not_started", "on_track", "at_risk", "delayed", "completed"]


def status_distribution(row):
    return {s: getattr(row, f"status_{s}") for s in STATUS_KEYS}


def test_stats_match_raw_reports(demo, django_assert_num_queries):
    """tracking.stats' roll-ups of one period, recounted here from the raw reports and the plan's structure."""
    today = datetime.date(2026, 1, 1)
    q2 = period("2012-Q2")
    with django_assert_num_queries(4):  # the items, their targets, their departments; the grouped figures
        rows = list(stats.work_item_stats(selection=stats.Selection(period_ids=(q2.pk,)), today=today))
    assert len(rows) == 34
    for row in rows:
        reports = list(Report.objects.filter(work_item=row, period=q2))
        expected_offices = {"all": 32, "listed": row.office_links.count(), "conditional": row.office_links.count()}
        offices_expected = expected_offices.get(row.office_scope, 0)
        responsible = set(row.department_links.values_list("department_id", flat=True))
        got = [r for r in received(reports) if r.office_id or r.department_id in responsible]
        assert row.received == len(got)
        assert row.accepted == sum(r.state == "accepted" for r in got)
        assert row.offices_reported == len({r.office_id for r in got if r.office_id})
        assert status_distribution(row) == {s: Counter(r.status for r in got)[s] for s in STATUS_KEYS}
        mean = sum(r.percent_complete for r in got) / len(got) if got else None
        assert row.mean_percent == pytest.approx(mean)
        assert row.offices_expected == offices_expected
        assert row.departments_expected == len(responsible)
        assert row.expected == offices_expected + len(responsible)
        assert row.overdue == row.expected - row.received  # Q2 2012 is long past due
        assert row.received <= row.expected
    vi3 = next(r for r in rows if r.program.number == 6 and r.number == 3)
    assert vi3.offices_expected == 1

    # Per program, office and department (same data: building it is the slow part).
    q1 = stats.Selection(period_ids=(period("2012-Q1").pk,))
    with django_assert_num_queries(3):  # the programs, their items counted, the grouped figures
        programs = {p.number: p for p in stats.program_stats(selection=q1, today=today)}
    assert len(programs) == 10
    program_one = received(Report.objects.filter(period__label="2012-Q1", work_item__program__number=1))
    assert programs[1].received == len(program_one)
    assert programs[1].work_item_count == 5
    assert programs[2].received == 0
    with django_assert_num_queries(2):  # the offices, the grouped figures
        offices = {o.short_name: o for o in stats.office_stats(selection=q1, today=today)}
    guangdong = received(Report.objects.filter(period__label="2012-Q1", office__short_name="Guangdong"))
    assert offices["Guangdong"].received == len(guangdong)
    assert status_distribution(offices["Guangdong"]) == {
        s: Counter(r.status for r in guangdong)[s] for s in STATUS_KEYS
    }
    with django_assert_num_queries(2):  # the grouped figures, the departments that have some
        departments = {d.name: d for d in stats.department_stats(selection=q1, today=today)}
    pad = received(
        Report.objects.filter(
            period__label="2012-Q1",
            department__name="Patent Administration Department",
            work_item__department_links__department__name="Patent Administration Department",
        )
    )
    assert departments["Patent Administration Department"].received == len(pad)


def test_seed_demo_is_idempotent(accounts):
    first = demo_reports_ensure(users=accounts, program_numbers=[8], period_labels=["2012-Q3"])
    assert first > 0
    count = Report.objects.count()
    assert demo_reports_ensure(users=accounts, program_numbers=[8], period_labels=["2012-Q3"]) == 0
    assert Report.objects.count() == count
    assert {r.history.count() >= 1 for r in Report.objects.all()} == {True}
