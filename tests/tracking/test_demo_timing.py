"""seed_demo's reports meet obligations and live in the plan's own year (tracking.demo)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod
from tests.tracking.timing import (
    assert_history_at_report_times,
    assert_reports_in_their_year,
    assert_reports_meet_obligations,
)
from tracking.choices import Transition
from tracking.demo import demo_reports_ensure, report_schedule
from tracking.models import Obligation, Report

pytestmark = pytest.mark.django_db

# Programs VII (offices and many departments), VIII and X: every period of 2012, a few hundred reports.
PROGRAMS = [7, 8, 10]


@pytest.fixture
def demo(accounts):
    return demo_reports_ensure(users=accounts, program_numbers=PROGRAMS)


def test_demo_reports_meet_obligations(demo):
    assert demo == Report.objects.count() > 200
    assert_reports_meet_obligations(2012)
    # The annual report too, not only the quarters.
    assert Report.objects.filter(period__kind="year").exists()


def test_demo_reports_are_spread_over_2012_mostly_on_time(demo):
    assert_reports_in_their_year(2012)
    assert not Report.objects.filter(created_at__date__gte=timezone.localdate() - datetime.timedelta(days=365))


def test_demo_history_carries_the_report_times_and_users(demo, accounts):
    assert_history_at_report_times(2012)
    guangdong = Report.objects.filter(office=ProvincialOffice.objects.get(short_name="Guangdong"))
    assert guangdong.exists()
    assert set(guangdong.values_list("created_by", flat=True)) == {accounts["guangdong"].pk}
    assert set(guangdong.exclude(submitted_by=None).values_list("submitted_by", flat=True)) == {
        accounts["guangdong"].pk
    }
    for report in Report.objects.exclude(reviewed_by=None).exclude(department=None):
        assert report.reviewed_by.profile.department_id != report.department_id, "nobody reviews their own report"
    history = Report.history.model.objects.filter(history_change_reason="create")
    assert not history.filter(history_date__year__gt=2013).exists()


def test_demo_is_idempotent_and_keeps_its_times(demo, accounts):
    times = dict(Report.objects.values_list("pk", "first_submitted_at"))
    assert demo_reports_ensure(users=accounts, program_numbers=PROGRAMS) == 0
    assert dict(Report.objects.values_list("pk", "first_submitted_at")) == times


def test_demo_writes_nothing_after_the_clock(accounts):
    """Seeded on 1 June 2012, the demo has the first quarter and part of the second, nothing later."""
    now = datetime.datetime(2012, 6, 1, 12, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        created = demo_reports_ensure(users=accounts, program_numbers=[8])
    assert created > 0
    assert set(Report.objects.values_list("period__label", flat=True)) == {"2012-Q1"}
    for report in Report.objects.all():
        assert max(filter(None, [report.updated_at, report.submitted_at, report.reviewed_at])) <= now
    assert not Report.history.model.objects.filter(history_date__gt=now).exists()
    assert Obligation.objects.filter(period__label="2012-Q1", work_item__program__number=8, report=None).exists()


def test_report_schedule_is_ordered_and_stops_at_until():
    import random

    period = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q2")
    for n in range(200):
        steps = report_schedule(period, random.Random(n))
        times = [at for _transition, at in steps]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert steps[0][0] == Transition.CREATE
        until = times[len(times) // 2]
        assert report_schedule(period, random.Random(n), until=until) == [s for s in steps if s[1] <= until]
