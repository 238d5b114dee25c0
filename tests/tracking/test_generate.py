"""generate_data's reports meet obligations and live in their plan-year's own time (tracking.generate)."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

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
        result = generate.reports_generate(years=[2012], count=500, seed=5, accounts=accounts)
    assert result.reports == Report.objects.count() == 500
    assert set(Report.objects.values_list("period__label", flat=True)) == {"2012-Q1", "2012-Q2"}
    for report in Report.objects.all():
        assert max(filter(None, [report.updated_at, report.submitted_at, report.reviewed_at])) <= now
    assert not Report.history.model.objects.filter(history_date__gt=now).exists()
    assert Plan.objects.count() == 1


def test_generate_data_makes_the_reports_asked_when_later_plan_years_are_still_to_come(capsys):
    """--reports N makes N reports: the slots of a plan-year still to come are not chosen (and then dropped)."""
    with time_machine.travel(datetime.datetime(2013, 12, 1, tzinfo=datetime.UTC), tick=False):
        call_command("generate_data", "--years", "3", "--reports", "3000")
    assert "reports: 3,000 " in capsys.readouterr().out
    assert Report.objects.count() == 3_000
    assert not Report.objects.filter(period__plan__year=2014).exists()


def test_generate_data_fails_clearly_and_writes_nothing_when_the_plan_years_cannot_hold_the_reports():
    clock = time_machine.travel(datetime.datetime(2013, 12, 1, tzinfo=datetime.UTC), tick=False)
    with clock, pytest.raises(CommandError, match=r"20,000 reports asked for, but .* only [\d,]+ free slots"):
        call_command("generate_data", "--years", "3", "--reports", "20000")
    assert list(Plan.objects.values_list("year", flat=True)) == [2012]
    assert not Report.objects.exists()


def _year_signature(year: int) -> tuple[set, set]:
    """A plan-year's structure and its reports, in terms that do not depend on the database's ids."""
    structure = set(
        Plan.objects.filter(year=year).values_list(
            "programs__work_items__program__number",
            "programs__work_items__number",
            "programs__work_items__title",
            "programs__work_items__office_links__office__short_name",
            "programs__work_items__office_links__position",
            "programs__work_items__targets__position",
        )
    )
    reports = set(
        Report.objects.filter(period__plan__year=year).values_list(
            "work_item__program__number",
            "work_item__number",
            "period__label",
            "office__short_name",
            "department__name",
            "state",
            "status",
            "percent_complete",
            "summary",
            "created_at",
            "first_submitted_at",
            "reviewed_at",
            "updated_at",
            "created_by__username",
            "reviewed_by__username",
        )
    )
    return structure, reports


def test_a_plan_year_is_the_same_whatever_years_and_reports_say():
    """2013 over three plan-years and a few reports, then over two plan-years and more reports: the same work
    items and offices, and the first run's reports of 2013 are among the second's, identical (2012 is full in
    both, and then 2013's likeliest slots are written first)."""
    with transaction.atomic():
        generate.generate(years=3, reports=2_300, seed=11)
        structure, reports = _year_signature(2013)
        first_2012 = _year_signature(2012)[1]
        transaction.set_rollback(True)
    generate.generate(years=2, reports=4_500, seed=11)
    again, more = _year_signature(2013)
    assert again == structure
    assert reports and reports < more
    assert _year_signature(2012)[1] == first_2012
