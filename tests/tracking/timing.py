"""Checks shared by the demo and generator tests: reports meet obligations, in their plan's own time."""

import datetime
from collections import Counter

from django.utils import timezone

from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Obligation, Report


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def assert_reports_meet_obligations(year: int):
    """Every report of the plan-year is its obligation's report; some obligations have no received report."""
    reports = Report.objects.filter(period__plan__year=year)
    obligations = Obligation.objects.filter(period__plan__year=year)
    assert reports.exists()
    linked = dict(obligations.filter(report__isnull=False).values_list("report_id", "pk"))
    assert set(linked) == set(reports.values_list("pk", flat=True))
    for obligation in obligations.filter(report__isnull=False).select_related("report"):
        report = obligation.report
        assert (report.work_item_id, report.period_id, report.office_id, report.department_id) == (
            obligation.work_item_id,
            obligation.period_id,
            obligation.office_id,
            obligation.department_id,
        )
    missing = obligations.filter(report__isnull=True).count()
    drafts = obligations.filter(report__state=ReportState.DRAFT).count()
    assert missing > 0 and drafts > 0, "some obligations are never met: no report, or a draft never sent"


def assert_reports_in_their_year(year: int):
    """Times around each period's due date, inside the plan-year or shortly after its last due date; most first
    submissions on time, some late; spread over the year's months; history carries the same times."""
    obligations = list(
        Obligation.objects.filter(period__plan__year=year, report__isnull=False).select_related("report", "period")
    )
    last_due = max(o.period.due for o in obligations)
    horizon = last_due + datetime.timedelta(days=70)
    on_time = late = 0
    for obligation in obligations:
        report, period = obligation.report, obligation.period
        created = local_date(report.created_at)
        assert period.due - datetime.timedelta(days=30) <= created < period.due, (report, created)
        assert datetime.date(year, 1, 1) <= created
        moments = [report.created_at, report.first_submitted_at, report.submitted_at, report.reviewed_at]
        for moment in filter(None, moments):
            assert local_date(moment) <= horizon, (report, moment)
        assert report.created_at <= report.updated_at
        if report.state == ReportState.DRAFT:
            assert report.first_submitted_at is None
            continue
        assert report.created_at < report.first_submitted_at <= report.submitted_at
        if report.reviewed_at:
            assert report.first_submitted_at < report.reviewed_at
        if local_date(report.first_submitted_at) <= obligation.due:
            on_time += 1
        else:
            late += 1
            assert local_date(report.first_submitted_at) <= obligation.due + datetime.timedelta(days=28)
    assert on_time > 2 * late > 0, (on_time, late)
    submitted = Report.objects.filter(period__plan__year=year, first_submitted_at__isnull=False)
    firsts = submitted.values_list("first_submitted_at", flat=True)
    months = Counter(timezone.localtime(at).strftime("%Y-%m") for at in firsts)
    assert len(months) >= 8, months
    # First submissions in every quarter of the year: the timeline shows a year, not one day.
    quarters = {(local_date(at).month - 1) // 3 for at in submitted.values_list("first_submitted_at", flat=True)}
    assert quarters == {0, 1, 2, 3}
    assert Report.objects.filter(period__plan__year=year, state__in=PUBLISHED_STATES).exists()


def assert_history_at_report_times(year: int):
    """Each report's history: its creation at created_at by its author, its first submission at
    first_submitted_at, its last change at updated_at, its last review at reviewed_at by the reviewer."""
    history: dict[int, list] = {}
    for record in Report.history.filter(period__plan__year=year).order_by("history_date", "history_id"):
        history.setdefault(record.id, []).append(record)
    for report in Report.objects.filter(period__plan__year=year):
        records = history[report.pk]
        reasons = [r.history_change_reason for r in records]
        assert reasons[0] == "create"
        assert records[0].history_date == report.created_at
        assert records[0].history_user_id == report.created_by_id
        assert records[-1].history_date == report.updated_at
        assert records[-1].version == report.version
        assert [r.history_date for r in records] == sorted({r.history_date for r in records}), "one time per step"
        if report.first_submitted_at:
            first_submit = records[reasons.index("submit")]
            assert first_submit.history_date == report.first_submitted_at
            assert first_submit.history_user_id == report.submitted_by_id
        if report.reviewed_at:
            review = [r for r in records if r.history_change_reason in ("accept", "return")][-1]
            assert review.history_date == report.reviewed_at
            assert review.history_user_id == report.reviewed_by_id
