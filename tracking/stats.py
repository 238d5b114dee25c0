"""Every number about reporting, computed by the database from the obligations (tracking.models.Obligation) joined
to their reports: GROUP BY with conditional aggregates (FILTER), never a subquery per row.

Definitions, for a selection of obligations (`Selection`: the periods of a plan year or one period, optionally one
program, office or department):
- expected: the obligations (tracking.obligations says who must report what);
- received: obligations whose report is submitted or accepted; accepted: accepted;
- on time: received, and first submitted on or before the due date (local time);
- overdue: past their due date and not received (no report, a draft, or a returned report);
- reporting rate = received ÷ expected, on-time rate = on time ÷ expected: percentages that cannot exceed 100;
- status distribution and mean percent complete: over the received reports;
- a target's achieved value: for each organisation, the value in its latest received report (by period end; the
  year's report supersedes the fourth quarter's), summed over the organisations;
- timeline: received obligations by the week or month of their first submission (with how many of them were on
  time), and accepted ones by the time of acceptance. Summed over the buckets they equal received and accepted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, FilteredRelation, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek

from participants.models import Department, ProvincialOffice
from programs.models import Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment
from tracking.choices import RECEIVED_STATES, ReportState, ReportStatus
from tracking.models import Obligation, TargetValue

STATUS_KEYS = [s.value for s in ReportStatus]


@dataclass(frozen=True)
class Selection:
    """The obligations a statistic counts: those of `period_ids`, narrowed to a program, office or department."""

    period_ids: tuple[int, ...]
    program_id: int | None = None
    office_id: int | None = None
    department_id: int | None = None
    work_item_id: int | None = None

    def q(self, path: str = "") -> Q:
        """The selection as a condition on obligations reached through `path` ("" from Obligation itself)."""
        prefix = f"{path}__" if path else ""
        condition = Q(**{f"{prefix}period_id__in": self.period_ids})
        if self.program_id is not None:
            condition &= Q(**{f"{prefix}work_item__program_id": self.program_id})
        if self.office_id is not None:
            condition &= Q(**{f"{prefix}office_id": self.office_id})
        if self.department_id is not None:
            condition &= Q(**{f"{prefix}department_id": self.department_id})
        if self.work_item_id is not None:
            condition &= Q(**{f"{prefix}work_item_id": self.work_item_id})
        return condition

    def obligations(self) -> QuerySet:
        return Obligation.objects.filter(self.q())


def periods_selected(*, year: int | None = None, period: ReportingPeriod | None = None) -> QuerySet:
    periods = ReportingPeriod.objects.all()
    if year is not None:
        periods = periods.filter(plan__year=year)
    if period is not None:
        periods = periods.filter(pk=period.pk)
    return periods


def selection(*, year=None, period=None, program=None, office=None, department=None, work_item=None) -> Selection:
    """A Selection from the usual parameters (one query: the period ids)."""
    return Selection(
        period_ids=tuple(periods_selected(year=year, period=period).values_list("pk", flat=True)),
        work_item_id=getattr(work_item, "pk", work_item),
        program_id=getattr(program, "pk", program),
        office_id=getattr(office, "pk", office),
        department_id=getattr(department, "pk", department),
    )


# --- The aggregates -----------------------------------------------------------------------------------------------


def obligation_aggregates(path: str, today: datetime.date, within: Q | None = None) -> dict:
    """Expected, received, accepted, on time, overdue, status distribution and mean percent complete over the
    obligations reached through `path` ("" from Obligation), each restricted by `within` (a FILTER clause)."""
    prefix = f"{path}__" if path else ""
    within = within if within is not None else Q()
    received = within & Q(**{f"{prefix}report__state__in": RECEIVED_STATES})
    on_time = received & Q(**{f"{prefix}report__first_submitted_at__date__lte": F(f"{prefix}due")})
    count = f"{prefix}id"
    aggregates = {
        "expected": Count(count, filter=within or None),
        "received": Count(count, filter=received),
        "accepted": Count(count, filter=within & Q(**{f"{prefix}report__state": ReportState.ACCEPTED})),
        "on_time": Count(count, filter=on_time),
        # Past due and not received: every obligation past due, less those received (no negated join condition).
        "overdue": Count(count, filter=within & Q(**{f"{prefix}due__lt": today}))
        - Count(count, filter=received & Q(**{f"{prefix}due__lt": today})),
        "mean_percent": Avg(f"{prefix}report__percent_complete", filter=received),
    }
    for status in STATUS_KEYS:
        aggregates[f"status_{status}"] = Count(count, filter=received & Q(**{f"{prefix}report__status": status}))
    return aggregates


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when nothing was expected."""
    return round(100 * part / whole, 1) if whole else None


# --- Per entity ---------------------------------------------------------------------------------------------------


def program_stats(*, selection: Selection, today: datetime.date) -> QuerySet:
    """Per program of the selected periods' plans: work items and the obligation aggregates. One grouped query;
    a program's obligations are those of its own plan, so the join never reaches other years."""
    programs = Program.objects.filter(plan__periods__in=selection.period_ids).distinct()
    if selection.program_id is not None:
        programs = programs.filter(pk=selection.program_id)
    return (
        Program.objects.filter(pk__in=programs.values("pk"))
        .select_related("plan")
        .annotate(
            work_item_count=Count("work_items", distinct=True),
            **obligation_aggregates("work_items__obligations", today, selection.q("work_items__obligations")),
        )
        .order_by("plan__year", "number")
    )


def office_stats(*, selection: Selection, today: datetime.date) -> QuerySet:
    """Per office: the items it must report on in the selection and the obligation aggregates. The join is
    restricted to the selection (FilteredRelation), so other years' obligations are never read."""
    offices = ProvincialOffice.objects.annotate(
        selected=FilteredRelation("obligations", condition=selection.q("obligations"))
    )
    if selection.office_id is not None:
        offices = offices.filter(pk=selection.office_id)
    return offices.annotate(
        work_item_count=Count("selected__work_item", distinct=True),
        **obligation_aggregates("selected", today),
    ).order_by(F("code").asc(nulls_last=True), "short_name")


def department_stats(*, selection: Selection, today: datetime.date) -> QuerySet:
    """Per department with obligations in the selection: as office_stats."""
    departments = Department.objects.annotate(
        selected=FilteredRelation("obligations", condition=selection.q("obligations"))
    )
    if selection.department_id is not None:
        departments = departments.filter(pk=selection.department_id)
    return (
        departments.annotate(
            work_item_count=Count("selected__work_item", distinct=True),
            **obligation_aggregates("selected", today),
        )
        .filter(expected__gt=0)
        .order_by("name")
    )


def work_item_stats(*, selection: Selection, today: datetime.date) -> QuerySet:
    """Per work item of the selected periods' plans: who is expected (offices and departments, distinct), who
    reported (distinct offices with a received report), the obligation aggregates; with its responsible
    departments and its targets (their achieved values come from targets_achieved)."""
    items = WorkItem.objects.filter(program__plan__periods__in=selection.period_ids)
    if selection.program_id is not None:
        items = items.filter(program_id=selection.program_id)
    within = selection.q("obligations")
    received = within & Q(obligations__report__state__in=RECEIVED_STATES)
    return (
        WorkItem.objects.filter(pk__in=items.values("pk"))
        .select_related("program__plan")
        .annotate(
            offices_expected=Count("obligations__office", distinct=True, filter=within),
            departments_expected=Count("obligations__department", distinct=True, filter=within),
            offices_reported=Count("obligations__office", distinct=True, filter=received),
            **obligation_aggregates("obligations", today, within),
        )
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("position")),
            Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            ),
        )
        .order_by("program__plan__year", "program__number", "number")
    )


def targets_achieved(*, selection: Selection, targets=None) -> dict[int, int]:
    """Per target: the sum over organisations of each one's latest received value in the selection (one query:
    the latest value per target and organisation is picked by a window function)."""
    values = TargetValue.objects.filter(report__state__in=RECEIVED_STATES, report__period_id__in=selection.period_ids)
    if targets is not None:
        values = values.filter(target__in=targets)
    if selection.office_id is not None:
        values = values.filter(report__office_id=selection.office_id)
    if selection.department_id is not None:
        values = values.filter(report__department_id=selection.department_id)
    ranked = values.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("target_id"), F("report__office_id"), F("report__department_id")],
            order_by=[F("report__period__end").desc(), F("report__period__start").asc()],
        )
    ).filter(rank=1)
    achieved: dict[int, int] = defaultdict(int)
    for target_id, value in ranked.values_list("target_id", "value"):
        achieved[target_id] += value
    return dict(achieved)


def timeline(*, selection: Selection, interval: str) -> list[dict]:
    """Per week or month: obligations received (by first submission), of which on time, and accepted (by the
    time of acceptance), as rows {start, received, on_time, accepted}; two grouped queries."""
    trunc = TruncWeek if interval == "week" else TruncMonth
    obligations = selection.obligations().order_by()
    on_time = Q(report__first_submitted_at__date__lte=F("due"))
    received = (
        obligations.filter(report__state__in=RECEIVED_STATES)
        .annotate(bucket=trunc("report__first_submitted_at"))
        .values("bucket")
        .annotate(received=Count("id"), on_time=Count("id", filter=on_time))
    )
    accepted = (
        obligations.filter(report__state=ReportState.ACCEPTED)
        .annotate(bucket=trunc("report__reviewed_at"))
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
    rows = selection.obligations().order_by()
    for name in group_by:
        group_keys, belongs = GROUPS[name]
        keys += group_keys
        rows = rows.filter(belongs)
    aggregates = obligation_aggregates("", today)
    names = ("expected", "received", "accepted", "on_time", "overdue", "mean_percent")
    wanted = {name: aggregates[name] for name in names}
    if keys:
        return rows.values(*keys).annotate(**wanted).order_by(*keys)
    return rows.aggregate(**wanted)


def status_by_period(*, selection: Selection) -> dict[tuple[int, str], int]:
    """Received obligations per (period id, report status): one grouped query."""
    rows = (
        selection.obligations()
        .filter(report__state__in=RECEIVED_STATES)
        .order_by()
        .values("period_id", "report__status")
        .annotate(n=Count("id"))
    )
    return {(row["period_id"], row["report__status"]): row["n"] for row in rows}


# --- Completeness (organisations × periods) -----------------------------------------------------------------------


@dataclass
class RateCell:
    """Expected, received and on-time obligations of one cell, row, column or the whole table."""

    expected: int = 0
    received: int = 0
    on_time: int = 0
    accepted: int = 0
    overdue: int = 0

    @property
    def reporting_rate(self) -> float | None:
        return rate(self.received, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.expected)

    @property
    def band(self) -> int | None:
        """The reporting rate in tenths (0-10), for the colour scale; None when nothing was expected."""
        return None if self.reporting_rate is None else int(self.reporting_rate // 10)

    @classmethod
    def of(cls, row: dict | None) -> RateCell:
        if not row:
            return cls()
        return cls(**{name: row[name] for name in ("expected", "received", "on_time", "accepted", "overdue")})


@dataclass
class CompletenessRow:
    organisation: object
    is_office: bool
    cells: list[RateCell]
    total: RateCell


@dataclass
class Completeness:
    periods: list
    rows: list[CompletenessRow]
    column_totals: list[RateCell]
    total: RateCell


def completeness(*, periods: list, selection: Selection, today: datetime.date) -> Completeness:
    """Organisations (offices by code, the XPCC last; then departments by name) × periods: received/expected and
    on time per cell, per row, per column and in all. Six grouped queries and the two lists of organisations."""

    def grouped(*group_by):
        return reporting_rates(selection=selection, today=today, group_by=group_by)

    cells = {(row["office_id"], None, row["period_id"]): row for row in grouped("office", "period")}
    cells |= {(None, row["department_id"], row["period_id"]): row for row in grouped("department", "period")}
    totals = {(row["office_id"], None): row for row in grouped("office")}
    totals |= {(None, row["department_id"]): row for row in grouped("department")}
    columns = {row["period_id"]: row for row in grouped("period")}
    everything = reporting_rates(selection=selection, today=today)

    offices = ProvincialOffice.objects.order_by(F("code").asc(nulls_last=True), "short_name")
    if selection.office_id is not None:
        offices = offices.filter(pk=selection.office_id)
    departments = Department.objects.filter(pk__in={key[1] for key in totals if key[1] is not None}).order_by("name")
    organisations = [(office, (office.pk, None)) for office in offices if (office.pk, None) in totals]
    organisations += [(department, (None, department.pk)) for department in departments]
    rows = [
        CompletenessRow(
            organisation=organisation,
            is_office=key[0] is not None,
            cells=[RateCell.of(cells.get((*key, period.pk))) for period in periods],
            total=RateCell.of(totals.get(key)),
        )
        for organisation, key in organisations
    ]
    return Completeness(
        periods=periods,
        rows=rows,
        column_totals=[RateCell.of(columns.get(period.pk)) for period in periods],
        total=RateCell.of(everything),
    )
