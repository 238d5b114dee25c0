"""generate_data's reports meet obligations and live in their plan-year's own time (tracking.generate)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from programs.models import Plan
from tests.tracking.timing import (
    assert_history_at_report_times,
    assert_reports_in_their_year,
    assert_reports_meet_obligations,
)
from tracking import generate
from tracking.models import Obligation, Report
from tracking.obligations import obligations_expected

pytestmark = pytest.mark.django_db


def test_generate_data_small_meets_obligations_in_2012(capsys):
    call_command("generate_data", "--scale", "small")
    assert "reports: 2,000" in capsys.readouterr().out
    assert Report.objects.count() == 2_000
    assert_reports_meet_obligations(2012)
    assert_reports_in_their_year(2012)
    assert_history_at_report_times(2012)
    # Authors and reviewers are the generated organisation accounts: an office's reporter writes its reports.
    for report in Report.objects.exclude(office=None).select_related("created_by__profile")[:200]:
        assert report.created_by.profile.office_id == report.office_id
    for report in (
        Report.objects.exclude(reviewed_by=None).exclude(department=None).select_related("reviewed_by__profile")[:200]
    ):
        assert report.reviewed_by.profile.department_id != report.department_id


def test_plan_year_copy_makes_its_obligations_and_reports_meet_them():
    accounts = generate.accounts_ensure()
    plan = generate.plan_year_copy(year=2013, seed=3, breadth=0.5, admin=accounts.admin)
    expected = obligations_expected(plan=plan)
    rows = Obligation.objects.filter(period__plan=plan).values_list(
        "work_item_id", "period_id", "office_id", "department_id", "due"
    )
    assert {(w, p, o, d): due for w, p, o, d, due in rows} == expected
    assert len(expected) > Obligation.objects.filter(period__plan__year=2012).count()  # broader than 2012
    result = generate.reports_generate(years=[2013], count=1_500, seed=3, accounts=accounts, batch_size=400)
    assert result.reports == Report.objects.count() == 1_500
    assert_reports_meet_obligations(2013)
    assert_reports_in_their_year(2013)
    assert_history_at_report_times(2013)


def test_generate_writes_nothing_after_the_clock():
    """A plan-year still under way when the data is generated has no report from its future."""
    accounts = generate.accounts_ensure()
    now = datetime.datetime(2012, 8, 1, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        result = generate.reports_generate(years=[2012], count=2_000, seed=5, accounts=accounts)
    assert 0 < result.reports == Report.objects.count()
    assert set(Report.objects.values_list("period__label", flat=True)) == {"2012-Q1", "2012-Q2"}
    for report in Report.objects.all():
        assert max(filter(None, [report.updated_at, report.submitted_at, report.reviewed_at])) <= now
    assert not Report.history.model.objects.filter(history_date__gt=now).exists()
    assert Plan.objects.count() == 1
