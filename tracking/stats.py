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

The plan as it stood on a date (`Selection.as_of`, see tracking.asof): the same queries, with each obligation's report
read from its latest version written before that instant (tracking.HistoricalReport) instead of its current row, and
target values from theirs; the obligations themselves are the current ones. Callers pass that date as `today`.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, FilteredRelation, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek

from participants.models import Department, ProvincialOffice, office_order
from programs.models import Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment
from tracking import asof
from tracking.choices import PUBLISHED_STATES, ReportState, ReportStatus
from tracking.models import Obligation, TargetValue

STATUS_KEYS = [s.value for s in ReportStatus]


@dataclass(frozen=True)
class Selection:
    """The obligations a statistic counts: those of `period_ids`, narrowed to a program, office or department;
    with `as_of` (an instant: tracking.asof.end_of_day), their reports as they stood then."""

    period_ids: tuple[int, ...]
    program_id: int | None = None
    office_id: int | None = None
    department_id: int | None = None
    work_item_id: int | None = None
    as_of: datetime.datetime | None = None

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

    def values_q(self, targets=None) -> Q:
        """The selection's organisation (and `targets`, when given) as a condition on target values (current or
        historical: both reach their report's organisation)."""
        condition = Q()
        if targets is not None:
            condition &= Q(target__in=targets)
        if self.office_id is not None:
            condition &= Q(report__office_id=self.office_id)
        if self.department_id is not None:
            condition &= Q(report__department_id=self.department_id)
        return condition

    def obligations(self) -> QuerySet:
        return Obligation.objects.filter(self.q())

    def plans(self) -> QuerySet:
        """The plans of the selected periods, as a subquery."""
        return ReportingPeriod.objects.filter(pk__in=self.period_ids).values("plan")


def periods_selected(*, year: int | None = None, period: ReportingPeriod | None = None) -> QuerySet:
    periods = ReportingPeriod.objects.all()
    if year is not None:
        periods = periods.filter(plan__year=year)
    if period is not None:
        periods = periods.filter(pk=period.pk)
    return periods


def selection(
    *, year=None, period=None, program=None, office=None, department=None, work_item=None, as_of=None
) -> Selection:
    """A Selection from the usual parameters (one query: the period ids); `as_of` a date (the end of that local
    day) or None (now)."""
    return Selection(
        as_of=asof.end_of_day(as_of) if as_of is not None else None,
        period_ids=tuple(periods_selected(year=year, period=period).values_list("pk", flat=True)),
        work_item_id=getattr(work_item, "pk", work_item),
        program_id=getattr(program, "pk", program),
        office_id=getattr(office, "pk", office),
        department_id=getattr(department, "pk", department),
    )


# --- The aggregates -----------------------------------------------------------------------------------------------

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


def _attach(entities: list, figures: dict, names=FIGURES, *, periods: list | None = None, plan_of=None) -> list:
    """Set each entity's figures (zeros where it has no obligation in the selection).

    With `periods` (figures keyed by (entity id, period id)): one row per entity and period, each a copy of the
    entity carrying its `period`; `plan_of(entity)`, where given, keeps only the periods of the entity's plan."""
    empty = {name: (None if name == "mean_percent" else 0) for name in names}
    if periods is None:
        for entity in entities:
            for name, value in {**empty, **figures.get(entity.pk, {})}.items():
                setattr(entity, name, value)
        return entities
    rows = []
    for entity in entities:
        for period in periods:
            if plan_of is not None and plan_of(entity) != period.plan_id:
                continue
            row = copy.copy(entity)
            row.period = period
            for name, value in {**empty, **figures.get((entity.pk, period.pk), {})}.items():
                setattr(row, name, value)
            rows.append(row)
    return rows


def selected_periods(selection: Selection) -> list[ReportingPeriod]:
    """The selection's periods, by plan year and start (one query)."""
    return list(ReportingPeriod.objects.filter(pk__in=selection.period_ids).order_by("plan__year", "start", "end"))


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when nothing was expected."""
    return round(100 * part / whole, 1) if whole else None


# --- Per entity ---------------------------------------------------------------------------------------------------
# Each computes the figures by one grouped query over the obligations, and reads the entities (programs, offices,
# departments, work items) by another: rows of a few narrow columns are grouped, never the entities' wide ones.


def program_stats(*, selection: Selection, today: datetime.date, by_period: bool = False) -> list[Program]:
    """Per program of the selected periods' plans: its work items and the obligation aggregates. `by_period`: one
    row per program and period of its plan, each with its `period`."""
    programs = Program.objects.filter(plan__in=selection.plans()).select_related("plan")
    if selection.program_id is not None:
        programs = programs.filter(pk=selection.program_id)
    programs = list(programs.order_by("plan__year", "number"))
    items = WorkItem.objects.filter(program__in=programs).order_by().values("program_id").annotate(n=Count("id"))
    counts = {row["program_id"]: row["n"] for row in items}
    for program in programs:
        program.work_item_count = counts.get(program.pk, 0)
    figures = figures_by(selection, today, "work_item__program_id", by_period=by_period)
    if by_period:
        return _attach(programs, figures, periods=selected_periods(selection), plan_of=lambda row: row.plan_id)
    return _attach(programs, figures)


def office_stats(*, selection: Selection, today: datetime.date, by_period: bool = False) -> list[ProvincialOffice]:
    """Per office: the items it must report on in the selection and the obligation aggregates. `by_period`: one
    row per office and period, each with its `period`."""
    offices = ProvincialOffice.objects.order_by(*office_order())
    if selection.office_id is not None:
        offices = offices.filter(pk=selection.office_id)
    figures = figures_by(
        selection,
        today,
        "office_id",
        belongs=Q(office__isnull=False),
        by_period=by_period,
        work_item_count=Count("work_item", distinct=True),
    )
    periods = selected_periods(selection) if by_period else None
    return _attach(list(offices), figures, (*FIGURES, "work_item_count"), periods=periods)


def department_stats(*, selection: Selection, today: datetime.date) -> list[Department]:
    """Per department with obligations in the selection: as office_stats."""
    figures = figures_by(
        selection,
        today,
        "department_id",
        belongs=Q(department__isnull=False),
        work_item_count=Count("work_item", distinct=True),
    )
    departments = Department.objects.filter(pk__in=figures).order_by("name")
    return _attach(list(departments), figures, (*FIGURES, "work_item_count"))


def work_item_stats(*, selection: Selection, today: datetime.date, by_period: bool = False) -> list[WorkItem]:
    """Per work item of the selected periods' plans: who is expected (offices and departments, distinct), who
    reported (distinct offices with a received report), the obligation aggregates; with its responsible
    departments and its targets (their achieved values come from targets_achieved). `by_period`: one row per
    work item and period of its plan, each with its `period`."""
    items = WorkItem.objects.filter(program__plan__in=selection.plans())
    if selection.program_id is not None:
        items = items.filter(program_id=selection.program_id)
    if selection.work_item_id is not None:
        items = items.filter(pk=selection.work_item_id)
    items = (
        items.select_related("program__plan")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("position")),
            Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            ),
        )
        .order_by("program__plan__year", "program__number", "number")
    )
    received = Q(selected_report__state__in=PUBLISHED_STATES)
    figures = figures_by(
        selection,
        today,
        "work_item_id",
        by_period=by_period,
        offices_expected=Count("office", distinct=True),
        departments_expected=Count("department", distinct=True),
        offices_reported=Count("office", distinct=True, filter=received),
    )
    names = (*FIGURES, "offices_expected", "departments_expected", "offices_reported")
    if by_period:
        periods = selected_periods(selection)
        return _attach(list(items), figures, names, periods=periods, plan_of=lambda row: row.program.plan_id)
    return _attach(list(items), figures, names)


def targets_achieved(*, selection: Selection, targets=None, by_period: bool = False) -> dict:
    """Per target: the sum over organisations of each one's latest received value in the selection (one query:
    the latest value per target and organisation is picked by a window function). `by_period`: per (target id,
    period id), the sum of the values received for that period. With the selection's `as_of`: as they stood then."""
    if selection.as_of is not None:
        return asof.targets_achieved_then(selection=selection, targets=targets, by_period=by_period)
    values = TargetValue.objects.filter(
        selection.values_q(targets), report__state__in=PUBLISHED_STATES, report__period_id__in=selection.period_ids
    )
    if by_period:  # one report per organisation, item and period: nothing to choose among
        achieved: dict = defaultdict(int)
        for target_id, period_id, value in values.values_list("target_id", "report__period_id", "value"):
            achieved[target_id, period_id] += value
        return dict(achieved)
    ranked = values.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("target_id"), F("report__office_id"), F("report__department_id")],
            order_by=[F("report__period__end").desc(), F("report__period__start").asc()],
        )
    ).filter(rank=1)
    achieved = defaultdict(int)
    for target_id, value in ranked.values_list("target_id", "value"):
        achieved[target_id] += value
    return dict(achieved)


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
