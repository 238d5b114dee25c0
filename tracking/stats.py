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

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, FilteredRelation, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek

from participants.models import Department, ProvincialOffice, office_order
from programs.models import Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment
from tracking import asof
from tracking.choices import RECEIVED_STATES, ReportState, ReportStatus
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
    received = Q(selected_report__state__in=RECEIVED_STATES)
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


def figures_by(selection: Selection, today: datetime.date, key: str, *, belongs: Q | None = None, **extra) -> dict:
    """{value of `key`: {figure: number}} over the selection's obligations: one grouped query."""
    rows = grouped_obligations(selection)
    if belongs is not None:
        rows = rows.filter(belongs)
    rows = rows.values(key).annotate(**obligation_aggregates(today), **extra)
    return {row.pop(key): row for row in rows}


def _attach(entities: list, figures: dict, names=FIGURES) -> list:
    """Set each entity's figures (zeros where it has no obligation in the selection)."""
    empty = {name: (None if name == "mean_percent" else 0) for name in names}
    for entity in entities:
        for name, value in {**empty, **figures.get(entity.pk, {})}.items():
            setattr(entity, name, value)
    return entities


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when nothing was expected."""
    return round(100 * part / whole, 1) if whole else None


# --- Per entity ---------------------------------------------------------------------------------------------------
# Each computes the figures by one grouped query over the obligations, and reads the entities (programs, offices,
# departments, work items) by another: rows of a few narrow columns are grouped, never the entities' wide ones.


def program_stats(*, selection: Selection, today: datetime.date) -> list[Program]:
    """Per program of the selected periods' plans: its work items and the obligation aggregates."""
    programs = Program.objects.filter(plan__in=selection.plans()).select_related("plan")
    if selection.program_id is not None:
        programs = programs.filter(pk=selection.program_id)
    programs = list(programs.order_by("plan__year", "number"))
    items = WorkItem.objects.filter(program__in=programs).order_by().values("program_id").annotate(n=Count("id"))
    counts = {row["program_id"]: row["n"] for row in items}
    for program in programs:
        program.work_item_count = counts.get(program.pk, 0)
    return _attach(programs, figures_by(selection, today, "work_item__program_id"))


def office_stats(*, selection: Selection, today: datetime.date) -> list[ProvincialOffice]:
    """Per office: the items it must report on in the selection and the obligation aggregates."""
    offices = ProvincialOffice.objects.order_by(*office_order())
    if selection.office_id is not None:
        offices = offices.filter(pk=selection.office_id)
    figures = figures_by(
        selection,
        today,
        "office_id",
        belongs=Q(office__isnull=False),
        work_item_count=Count("work_item", distinct=True),
    )
    return _attach(list(offices), figures, (*FIGURES, "work_item_count"))


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


def work_item_stats(*, selection: Selection, today: datetime.date) -> list[WorkItem]:
    """Per work item of the selected periods' plans: who is expected (offices and departments, distinct), who
    reported (distinct offices with a received report), the obligation aggregates; with its responsible
    departments and its targets (their achieved values come from targets_achieved)."""
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
    received = Q(selected_report__state__in=RECEIVED_STATES)
    figures = figures_by(
        selection,
        today,
        "work_item_id",
        offices_expected=Count("office", distinct=True),
        departments_expected=Count("department", distinct=True),
        offices_reported=Count("office", distinct=True, filter=received),
    )
    return _attach(list(items), figures, (*FIGURES, "offices_expected", "departments_expected", "offices_reported"))


def targets_achieved(*, selection: Selection, targets=None) -> dict[int, int]:
    """Per target: the sum over organisations of each one's latest received value in the selection (one query:
    the latest value per target and organisation is picked by a window function)."""
    if selection.as_of is not None:
        return targets_achieved_then(selection=selection, targets=targets)
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


def targets_achieved_then(*, selection: Selection, targets=None) -> dict[int, int]:
    """targets_achieved as everything stood at `selection.as_of`: one query reads every version written by then of
    the target values of the reports received then (tracking.asof.received_reports_then), with their report's
    organisation and period; here each value's latest version is kept (unless it records a deletion), then each
    organisation's latest received value per target, as the window does for the present. (A window over the
    versions, under the window over the values, let PostgreSQL choose nested loops that took minutes.)"""
    received = asof.received_reports_then(
        selection.as_of, period_ids=selection.period_ids, received_states=RECEIVED_STATES
    )
    versions = asof.HistoricalTargetValue.objects.filter(history_date__lt=selection.as_of, report_id__in=received)
    if targets is not None:
        versions = versions.filter(target__in=targets)
    if selection.office_id is not None:
        versions = versions.filter(report__office_id=selection.office_id)
    if selection.department_id is not None:
        versions = versions.filter(report__department_id=selection.department_id)
    rows = versions.order_by("history_date", "history_id").values_list(
        "id",
        "history_type",
        "target_id",
        "value",
        "report__office_id",
        "report__department_id",
        "report__period__end",
        "report__period__start",
    )
    latest = {row[0]: row[1:] for row in rows}  # oldest first: the last version of each value wins
    best: dict[tuple, tuple] = {}  # (target, office, department): ((period end, -period start), value)
    for kind, target_id, value, office_id, department_id, end, start in latest.values():
        if kind not in asof.EXISTING:
            continue
        key, rank = (target_id, office_id, department_id), (end, -start.toordinal())
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    achieved: dict[int, int] = defaultdict(int)
    for (target_id, _office, _department), (_rank, value) in best.items():
        achieved[target_id] += value
    return dict(achieved)


def timeline(*, selection: Selection, interval: str) -> list[dict]:
    """Per week or month: obligations received (by first submission), of which on time, and accepted (by the
    time of acceptance), as rows {start, received, on_time, accepted}; two grouped queries."""
    trunc = TruncWeek if interval == "week" else TruncMonth
    obligations = grouped_obligations(selection)
    on_time = Q(selected_report__first_submitted_at__date__lte=F("due"))
    received = (
        obligations.filter(selected_report__state__in=RECEIVED_STATES)
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
        .filter(selected_report__state__in=RECEIVED_STATES)
        .values("period_id", "selected_report__status")
        .annotate(n=Count("id"))
    )
    return {(row["period_id"], row["selected_report__status"]): row["n"] for row in rows}


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

    offices = ProvincialOffice.objects.order_by(*office_order())
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


# --- Two dates compared (the dashboard's compare view) ----------------------------------------------------------


@dataclass
class RateChange:
    """The figures of a program (None: the whole plan) as they stood on two dates, and how they moved."""

    program: Program | None
    first: RateCell
    second: RateCell

    def _delta(self, name):
        first, second = getattr(self.first, name), getattr(self.second, name)
        return None if first is None or second is None else round(second - first, 1)

    @property
    def reporting_rate_change(self):
        return self._delta("reporting_rate")

    @property
    def on_time_rate_change(self):
        return self._delta("on_time_rate")

    @property
    def accepted_change(self):
        return self._delta("accepted")

    @property
    def overdue_change(self):
        return self._delta("overdue")


def rates_between(
    *, plan, period_ids: tuple[int, ...], first: datetime.date, second: datetime.date
) -> list[RateChange]:
    """Reporting rate, on-time rate, accepted and overdue of the plan's periods as they stood at the end of `first`
    and of `second` (each day's overdue judged on that day), for the whole plan then per program: four grouped
    queries and the programs."""
    figures = {}
    for day in (first, second):
        chosen = Selection(period_ids=period_ids, as_of=asof.end_of_day(day))
        per_program = reporting_rates(selection=chosen, today=day, group_by=("program",))
        figures[day] = {row["work_item__program_id"]: RateCell.of(row) for row in per_program}
        figures[day][None] = RateCell.of(reporting_rates(selection=chosen, today=day))
    programs = [None, *Program.objects.filter(plan=plan).order_by("number")]
    return [
        RateChange(
            program,
            figures[first].get(getattr(program, "pk", None), RateCell()),
            figures[second].get(getattr(program, "pk", None), RateCell()),
        )
        for program in programs
    ]
