import datetime

import pytest

from participants.models import ProvincialOffice
from programs.models import Plan, ReportingPeriod, WorkItem
from tests.factories import bulk_reports
from tracking.summary import annual_summary

pytestmark = pytest.mark.django_db


def test_annual_summary_lists_reporters_problems_and_missing(django_assert_max_num_queries):
    periods = list(ReportingPeriod.objects.filter(plan__year=2012))
    items = list(WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 2]))
    reports = bulk_reports(items=items, periods=periods, offices=list(ProvincialOffice.objects.all()))
    plan = Plan.objects.get(year=2012)
    # the periods' ids, the items, their targets and departments, the grouped figures, the achieved values, the
    # received reports, the obligations owed, the programs
    with django_assert_max_num_queries(9):
        summary = annual_summary(plan=plan, today=datetime.date(2013, 3, 1))
    assert [p.program.number for p in summary] == list(range(1, 11))
    i1 = next(s for s in summary[0].items if s.item.number == 1)
    received = [r for r in reports if r.work_item_id == i1.item.pk and r.state in ("submitted", "accepted")]
    assert set(i1.offices_reported) == {r.office for r in received if r.office_id}
    q1 = next(p for p in periods if p.label == "2012-Q1")
    reported_q1 = {r.office_id for r in received if r.period_id == q1.pk and r.office_id}
    missing_q1 = {o.pk for o in i1.missing.get("2012-Q1", []) if isinstance(o, ProvincialOffice)}
    assert missing_q1 == set(ProvincialOffice.objects.values_list("pk", flat=True)) - reported_q1
    # Program III had no reports: everyone owes every period.
    iii1 = summary[2].items[0]
    assert len([o for o in iii1.missing["2012-Q1"] if isinstance(o, ProvincialOffice)]) == 32
    assert summary[2].received == 0 and summary[2].overdue == summary[2].expected
