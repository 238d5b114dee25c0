"""The figures of a selection's obligations: one grouped query with conditional aggregates (FILTER), and the small
arithmetic the pages and the API share (rates, percentages, status counts)."""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count, F, FilteredRelation, Q, QuerySet

from tracking import asof
from tracking.choices import PUBLISHED_STATES, ReportState, ReportStatus
from tracking.stats.selection import Selection

STATUS_KEYS = [s.value for s in ReportStatus]

FIGURES = (
    "expected",
    "received",
    "accepted",
    "on_time",
    "overdue",
    "mean_percent",
    *(f"status_{s}" for s in STATUS_KEYS),
)


def obligation_aggregates(today: datetime.date) -> dict:
    """Expected, received, accepted, on time, overdue, status distribution and mean percent complete, over the
    obligations of `grouped_obligations` (their report reached as `selected_report`)."""
    received = Q(selected_report__state__in=PUBLISHED_STATES)
    on_time = received & Q(selected_report__first_submitted_at__date__lte=F("due"))
    past_due = Q(due__lt=today)
    aggregates = {
        "expected": Count("id"),
        "received": Count("id", filter=received),
        "accepted": Count("id", filter=Q(selected_report__state=ReportState.ACCEPTED)),
        "on_time": Count("id", filter=on_time),
        # Past due and not received: every obligation past due, less those received (no negated join condition).
        "overdue": Count("id", filter=past_due) - Count("id", filter=received & past_due),
        "mean_percent": Avg("selected_report__percent_complete", filter=received),
    }
    for status in STATUS_KEYS:
        aggregates[f"status_{status}"] = Count("id", filter=received & Q(selected_report__status=status))
    return aggregates


def grouped_obligations(selection: Selection) -> QuerySet:
    """The selection's obligations, each joined to its report by a join that reads only the selected periods'
    reports (the period is the obligation's: an index serves both sides, whatever other years hold); with `as_of`,
    to the report's version as it stood then (tracking.asof), under the same name."""
    if selection.as_of is None:
        report = FilteredRelation("report", condition=Q(report__period_id__in=selection.period_ids))
    else:
        report = asof.report_version_relation(selection.as_of, period_ids=selection.period_ids)
    return selection.obligations().annotate(selected_report=report).order_by()


def figures_by(
    selection: Selection, today: datetime.date, key: str, *, belongs: Q | None = None, by_period=False, **extra
) -> dict:
    """{value of `key`: {figure: number}} over the selection's obligations: one grouped query. `by_period`: keyed
    by (value of `key`, period id)."""
    rows = grouped_obligations(selection)
    if belongs is not None:
        rows = rows.filter(belongs)
    keys = (key, "period_id") if by_period else (key,)
    rows = rows.values(*keys).annotate(**obligation_aggregates(today), **extra)
    if by_period:
        return {(row.pop(key), row.pop("period_id")): row for row in rows}
    return {row.pop(key): row for row in rows}


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when nothing was expected."""
    return round(100 * part / whole, 1) if whole else None


def percent(part, whole) -> int | None:
    """A whole percentage, None when the whole is nothing."""
    return round(100 * part / whole) if whole else None


def status_counts(row) -> list[tuple[str, str, int]]:
    """(status, label, count) per report status, from a row carrying the `status_<status>` figures."""
    return [(status.value, status.label, getattr(row, f"status_{status.value}") or 0) for status in ReportStatus]


def totals(rows, names) -> dict:
    """{name: the sum of the rows' `name`} (rows of a roll-up: their figures added up)."""
    return {name: sum(getattr(row, name) for row in rows) for name in names}


def mean_percent_over(rows) -> float | None:
    """The mean percent complete of the rows' received reports together (each row's mean weighted by its received
    count), None when none was received."""
    received = [row for row in rows if row.received]
    count = sum(row.received for row in received)
    return sum(row.mean_percent * row.received for row in received) / count if received else None
