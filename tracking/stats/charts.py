"""Series for charts and tables: the timeline of submissions and acceptances, reporting rates by group, the status
distribution per period and the review load."""

from __future__ import annotations

import datetime

import roman
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek

from programs.translation import localized
from tracking import permissions
from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Report
from tracking.selectors import reports_to_review
from tracking.stats.aggregates import grouped_obligations, obligation_aggregates
from tracking.stats.selection import Selection


def timeline(*, selection: Selection, interval: str) -> list[dict]:
    """Per week or month: obligations received (by first submission), of which on time, and accepted (by the
    time of acceptance), as rows {start, received, on_time, accepted}; two grouped queries."""
    trunc = TruncWeek if interval == "week" else TruncMonth
    obligations = grouped_obligations(selection)
    on_time = Q(selected_report__first_submitted_at__date__lte=F("due"))
    received = (
        obligations.filter(selected_report__state__in=PUBLISHED_STATES)
        .annotate(bucket=trunc("selected_report__first_submitted_at"))
        .values("bucket")
        .annotate(received=Count("id"), on_time=Count("id", filter=on_time))
    )
    accepted = (
        obligations.filter(selected_report__state=ReportState.ACCEPTED)
        .annotate(bucket=trunc("selected_report__reviewed_at"))
        .values("bucket")
        .annotate(accepted=Count("id"))
    )
    rows: dict = {}
    for row in received:
        rows[row["bucket"]] = {"start": row["bucket"], "received": row["received"], "on_time": row["on_time"]}
    for row in accepted:
        rows.setdefault(row["bucket"], {"start": row["bucket"], "received": 0, "on_time": 0})
        rows[row["bucket"]]["accepted"] = row["accepted"]
    return [{"accepted": 0, **rows[key]} for key in sorted(rows)]


# --- Reporting rates ----------------------------------------------------------------------------------------------

GROUPS = {
    # group_by: (the values() keys, the condition that the obligation belongs to such a group)
    "office": (("office_id", "office__short_name", "office__name_zh", "office__code"), Q(office__isnull=False)),
    "department": (("department_id", "department__name", "department__name_zh"), Q(department__isnull=False)),
    "program": (("work_item__program_id", "work_item__program__number", "work_item__program__name"), Q()),
    "period": (("period_id", "period__label", "period__due"), Q()),
    "work_item": (("work_item_id", "work_item__program__number", "work_item__number"), Q()),
}


def reporting_rates(*, selection: Selection, today: datetime.date, group_by: tuple[str, ...] = ()) -> QuerySet:
    """Expected, received, accepted, on time and overdue per group (office, department, program, period, work item,
    or several; none: one row for the whole selection), as values() rows. One grouped query."""
    keys: list[str] = []
    rows = grouped_obligations(selection)
    for name in group_by:
        group_keys, belongs = GROUPS[name]
        keys += group_keys
        rows = rows.filter(belongs)
    aggregates = obligation_aggregates(today)
    names = ("expected", "received", "accepted", "on_time", "overdue", "mean_percent")
    wanted = {name: aggregates[name] for name in names}
    if not keys and not selection.period_ids:
        # Nothing selected (a year without a plan): SQL would not even run, and an empty aggregate of a difference
        # of counts has no value.
        return {name: None if name == "mean_percent" else 0 for name in names}
    if keys:
        return rows.values(*keys).annotate(**wanted).order_by(*keys)
    return rows.aggregate(**wanted)


def status_by_period(*, selection: Selection) -> dict[tuple[int, str], int]:
    """Received obligations per (period id, report status): one grouped query."""
    rows = (
        grouped_obligations(selection)
        .filter(selected_report__state__in=PUBLISHED_STATES)
        .values("period_id", "selected_report__status")
        .annotate(n=Count("id"))
    )
    return {(row["period_id"], row["selected_report__status"]): row["n"] for row in rows}


def review_load(*, plan, department) -> list[dict]:
    """The reports of `plan` waiting for `department`'s review (those of other organisations on items it reviews:
    tracking.permissions), counted per work item, as rows {code, title, count} in the plan's order. One query."""
    rows = list(
        Report.objects.filter(period__plan=plan, state=ReportState.SUBMITTED)
        .filter(permissions.reviewing_department_q(department.pk))
        .exclude(department=department)
        .order_by("work_item__program__number", "work_item__number")
        .values("work_item__program__number", "work_item__number", title=localized("work_item__title"))
        .annotate(count=Count("id"))
    )
    for row in rows:
        row["code"] = f"{roman.toRoman(row['work_item__program__number'])}.{row['work_item__number']}"
    return rows


def review_queue_size(*, user, plan=None) -> int:
    """How many reports wait for `user`'s review (tracking.selectors.reports_to_review), of `plan` when given."""
    queue = reports_to_review(user=user)
    return (queue.filter(period__plan=plan) if plan is not None else queue).count()
