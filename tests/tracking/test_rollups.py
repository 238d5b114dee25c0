"""Roll-ups are computed in SQL; here they are recounted from the raw reports in Python and compared."""

from collections import Counter

import pytest

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem, WorkItemOffice
from tests.factories import bulk_reports
from tests.tracking.conftest import period
from tracking import selectors
from tracking.demo import demo_reports_ensure
from tracking.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(accounts):
    # Programs I (scopes all and listed) and VI (listed and conditional, with one confirmed office).
    vi3 = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    WorkItemOffice.objects.create(work_item=vi3, office=ProvincialOffice.objects.get(short_name="Guangdong"))
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 6])),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012)),
        offices=list(ProvincialOffice.objects.all()),
    )


def received(reports):
    return [r for r in reports if r.state in ("submitted", "accepted")]


def test_work_item_rollup_matches_raw_reports(demo, django_assert_num_queries):
    q2 = period("2012-Q2")
    with django_assert_num_queries(1):
        rows = list(selectors.work_item_rollup(period=q2))
    assert len(rows) == 34
    for row in rows:
        reports = list(Report.objects.filter(work_item=row, period=q2))
        got = received(reports)
        assert row.report_count == len(reports)
        assert row.received == len(got)
        assert row.accepted == sum(r.state == "accepted" for r in reports)
        assert row.offices_reported == len({r.office_id for r in got if r.office_id})
        assert row.departments_reported == len({r.department_id for r in got if r.department_id})
        assert selectors.status_distribution(row) == {
            s: Counter(r.status for r in got)[s] for s in selectors.STATUS_KEYS
        }
        mean = sum(r.percent_complete for r in got) / len(got) if got else None
        assert row.mean_percent == pytest.approx(mean)
        expected_offices = {"all": 32, "listed": row.office_links.count(), "conditional": row.office_links.count()}
        assert row.offices_expected == expected_offices.get(row.office_scope, 0)
        assert row.departments_expected == row.department_links.count()
    vi3 = next(r for r in rows if r.program.number == 6 and r.number == 3)
    assert vi3.offices_expected == 1

    # Per program, office and department (same data: building it is the slow part).
    q1 = period("2012-Q1")
    with django_assert_num_queries(1):
        programs = {p.number: p for p in selectors.program_rollup(period=q1)}
    assert len(programs) == 10
    program_one = received(Report.objects.filter(period=q1, work_item__program__number=1))
    assert programs[1].received == len(program_one)
    assert programs[1].work_item_count == 5
    assert programs[2].received == 0
    with django_assert_num_queries(1):
        offices = {o.short_name: o for o in selectors.office_rollup(period=q1)}
    guangdong = received(Report.objects.filter(period=q1, office__short_name="Guangdong"))
    assert offices["Guangdong"].received == len(guangdong)
    assert selectors.status_distribution(offices["Guangdong"]) == {
        s: Counter(r.status for r in guangdong)[s] for s in selectors.STATUS_KEYS
    }
    with django_assert_num_queries(1):
        departments = {d.name: d for d in selectors.department_rollup(period=q1)}
    pad = received(Report.objects.filter(period=q1, department__name="Patent Administration Department"))
    assert departments["Patent Administration Department"].received == len(pad)


def test_seed_demo_is_idempotent(accounts):
    first = demo_reports_ensure(users=accounts, program_numbers=[8], period_labels=["2012-Q3"])
    assert first > 0
    count = Report.objects.count()
    assert demo_reports_ensure(users=accounts, program_numbers=[8], period_labels=["2012-Q3"]) == 0
    assert Report.objects.count() == count
    assert {r.history.count() >= 1 for r in Report.objects.all()} == {True}
