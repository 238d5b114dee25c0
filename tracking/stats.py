"""Statistics for analysts, computed by the database: one query per list, whatever the number of reports.

Definitions (for a selection of reporting periods: a plan year, one period, or all):
- expected: every participating office (32 for scope `all`, the listed ones, the confirmed ones for
  `conditional`) and every responsible department reports on an item once per period;
- received: reports submitted or accepted; accepted: accepted;
- overdue: expected reports of periods past their due date that were not received (drafts, returned reports and
  reports never started all count);
- status distribution and mean percent complete: over the received reports;
- a target's achieved value: for each organisation, the value in its latest received report (by period end; the
  year's report supersedes the fourth quarter's), summed over the organisations.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth, TruncWeek

from participants.models import ProvincialOffice
from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment, WorkItemOffice
from tracking.choices import RECEIVED_STATES, ReportState
from tracking.models import Report, TargetValue
from tracking.selectors import STATUS_KEYS, expected_offices_expression


def periods_selected(*, year: int | None = None, period: ReportingPeriod | None = None) -> QuerySet:
    periods = ReportingPeriod.objects.all()
    if year is not None:
        periods = periods.filter(plan__year=year)
    if period is not None:
        periods = periods.filter(pk=period.pk)
    return periods


def _scalar(queryset, function: str, field: str = "id", output=None):
    """A correlated subquery giving one aggregate over `queryset` (no GROUP BY: always exactly one row)."""
    output = output or IntegerField()
    # annotate() then values("v"): on a translated model (programs/translation.py), django-modeltranslation's
    # values() with only an expression would select every column as well.
    aggregate = Func(field, function=function, output_field=output)
    return Subquery(queryset.order_by().annotate(v=aggregate).values("v"), output)


def _count(queryset):
    return Coalesce(_scalar(queryset, "COUNT"), 0)


def _received(reports):
    return reports.filter(state__in=RECEIVED_STATES)


def _from_expected_organisation(reports):
    """Reports from organisations expected to report: offices (validated on creation) and responsible
    departments (a program's lead department may report on an item without being expected to)."""
    responsible = WorkItemDepartment.objects.filter(work_item=OuterRef("work_item"), department=OuterRef("department"))
    return reports.filter(Q(office__isnull=False) | Exists(responsible))


def _report_aggregates(reports, today) -> dict:
    """received, accepted, received-when-due (for overdue), status distribution and mean percent, each a
    subquery over `reports` (already correlated to the outer row and restricted to the selected periods)."""
    received = _received(reports)
    aggregates = {
        "received": _count(received),
        "accepted": _count(reports.filter(state=ReportState.ACCEPTED)),
        "received_past_due": _count(_from_expected_organisation(received.filter(period__due__lt=today))),
        "mean_percent": _scalar(received, "AVG", "percent_complete", FloatField()),
    }
    for status in STATUS_KEYS:
        aggregates[f"status_{status}"] = _count(received.filter(status=status))
    return aggregates


def _expected_per_period():
    """Per work item: offices expected plus responsible departments."""
    departments = WorkItemDepartment.objects.filter(work_item=OuterRef("pk"))
    return expected_offices_expression() + _count(departments)


def _overdue():
    return Greatest(F("expected_per_period") * F("periods_past_due") - F("received_past_due"), Value(0))


def program_stats(*, periods: QuerySet, today: datetime.date):
    """Per program with a selected period: work items, reports expected, received, accepted, overdue, status
    distribution, mean percent complete."""
    selected = periods.values("pk")
    plan_periods = periods.filter(plan=OuterRef("plan"))
    reports = Report.objects.filter(work_item__program=OuterRef("pk"), period__in=selected)
    per_item = WorkItem.objects.filter(program=OuterRef("pk")).annotate(e=_expected_per_period())
    return (
        Program.objects.filter(Exists(plan_periods))
        .select_related("plan")
        .annotate(
            work_item_count=_count(WorkItem.objects.filter(program=OuterRef("pk"))),
            expected_per_period=Coalesce(_scalar(per_item, "SUM", "e"), 0),
            period_count=_count(plan_periods),
            periods_past_due=_count(plan_periods.filter(due__lt=today)),
            **_report_aggregates(reports, today),
        )
        .annotate(expected=F("expected_per_period") * F("period_count"), overdue=_overdue())
        .order_by("plan__year", "number")
    )


def office_stats(*, periods: QuerySet, today: datetime.date):
    """Per office: the items it takes part in (in the plans of the selected periods), reports due, received,
    overdue, status distribution and mean percent complete."""
    selected = periods.values("pk")
    plans = periods.values("plan")
    takes_part = Q(office_scope=OfficeScope.ALL) | Q(
        office_scope__in=SCOPES_WITH_OFFICE_ROWS,
        pk__in=WorkItemOffice.objects.filter(office=OuterRef(OuterRef("pk"))).values("work_item"),
    )
    items = WorkItem.objects.filter(program__plan__in=plans).filter(takes_part)
    # Reports due: for each item, once per selected period of its plan.
    due = items.annotate(n=_count(ReportingPeriod.objects.filter(pk__in=selected, plan=OuterRef("program__plan"))))
    past_due = items.annotate(
        n=_count(ReportingPeriod.objects.filter(pk__in=selected, plan=OuterRef("program__plan"), due__lt=today))
    )
    reports = Report.objects.filter(office=OuterRef("pk"), period__in=selected)
    return ProvincialOffice.objects.annotate(
        work_item_count=_count(items),
        expected=Coalesce(_scalar(due, "SUM", "n"), 0),
        expected_past_due=Coalesce(_scalar(past_due, "SUM", "n"), 0),
        **_report_aggregates(reports, today),
    ).annotate(overdue=Greatest(F("expected_past_due") - F("received_past_due"), Value(0)))


def work_item_stats(*, periods: QuerySet, today: datetime.date):
    """Per work item of the selected periods' plans: its roll-up, and its targets with the achieved value."""
    selected = periods.values("pk")
    plan_periods = periods.filter(plan=OuterRef("program__plan"))
    reports = Report.objects.filter(work_item=OuterRef("pk"), period__in=selected)
    return (
        WorkItem.objects.filter(Exists(plan_periods))
        .select_related("program__plan")
        .annotate(
            offices_expected=expected_offices_expression(),
            departments_expected=_count(WorkItemDepartment.objects.filter(work_item=OuterRef("pk"))),
            expected_per_period=_expected_per_period(),
            period_count=_count(plan_periods),
            periods_past_due=_count(plan_periods.filter(due__lt=today)),
            offices_reported=_scalar(_received(reports), "COUNT", "office_id"),
            **_report_aggregates(reports, today),
        )
        .annotate(expected=F("expected_per_period") * F("period_count"), overdue=_overdue())
        .prefetch_related(
            Prefetch("targets", queryset=targets_with_achieved(periods=periods)),
            Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            ),
        )
        .order_by("program__plan__year", "program__number", "number")
    )


def targets_with_achieved(*, periods: QuerySet):
    """Targets annotated with `achieved`: each organisation's latest received value, summed."""
    selected = periods.values("pk")
    values = TargetValue.objects.filter(report__state__in=RECEIVED_STATES, report__period__in=selected)
    same_organisation = Q(report__office__isnull=False, report__office=OuterRef("report__office")) | Q(
        report__department__isnull=False, report__department=OuterRef("report__department")
    )
    later = Q(report__period__end__gt=OuterRef("report__period__end")) | Q(
        report__period__end=OuterRef("report__period__end"), report__period__start__lt=OuterRef("report__period__start")
    )
    superseded = values.filter(target=OuterRef("target")).filter(same_organisation).filter(later)
    latest = values.filter(target=OuterRef("pk")).exclude(Exists(superseded))
    return Target.objects.order_by("position").annotate(
        achieved=_scalar(latest, "SUM", "value"),
        achieved_reports=_count(latest),
    )


def timeline(*, periods: QuerySet, interval: str):
    """Reports submitted (by their latest submission) and accepted (by acceptance time) per week or month, as
    rows {start, submitted, accepted}; two grouped queries."""
    trunc = TruncWeek if interval == "week" else TruncMonth
    reports = Report.objects.filter(period__in=periods.values("pk")).order_by()
    submitted = (
        reports.filter(submitted_at__isnull=False)
        .annotate(bucket=trunc("submitted_at"))
        .values("bucket")
        .annotate(n=Count("id"))
    )
    accepted = (
        reports.filter(state=ReportState.ACCEPTED, reviewed_at__isnull=False)
        .annotate(bucket=trunc("reviewed_at"))
        .values("bucket")
        .annotate(n=Count("id"))
    )
    rows: dict = {}
    for row in submitted:
        rows.setdefault(row["bucket"], {"start": row["bucket"], "submitted": 0, "accepted": 0})["submitted"] = row["n"]
    for row in accepted:
        rows.setdefault(row["bucket"], {"start": row["bucket"], "submitted": 0, "accepted": 0})["accepted"] = row["n"]
    return [rows[key] for key in sorted(rows)]
