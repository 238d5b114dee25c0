"""Completeness and timeliness (DHIS2's reporting-rate summary): organisations (offices, then departments) ×
periods, each cell received/expected and on time, with row and column totals; grouped SQL over the obligations.
And the same rates at two dates (the compare view: rates_between)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from participants.models import Department, ProvincialOffice, office_order
from programs.models import Program
from tracking import asof
from tracking.stats.aggregates import rate
from tracking.stats.charts import reporting_rates
from tracking.stats.selection import Selection


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


class Change:
    """A figure's move from the first date to the second (one decimal; None when either is None), read as an
    attribute of a RateChange."""

    def __init__(self, figure: str):
        self.figure = figure

    def __get__(self, change, owner=None):
        if change is None:
            return self
        first, second = getattr(change.first, self.figure), getattr(change.second, self.figure)
        return None if first is None or second is None else round(second - first, 1)


@dataclass
class RateChange:
    """The figures of a program (None: the whole plan) as they stood on two dates, and how they moved."""

    program: Program | None
    first: RateCell
    second: RateCell

    reporting_rate_change = Change("reporting_rate")
    on_time_rate_change = Change("on_time_rate")
    accepted_change = Change("accepted")
    overdue_change = Change("overdue")


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
