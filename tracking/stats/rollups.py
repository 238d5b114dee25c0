"""Figures per entity (program, office, department, work item), optionally per period. Each computes the figures by
one grouped query over the obligations, and reads the entities by another: rows of a few narrow columns are grouped,
never the entities' wide ones."""

from __future__ import annotations

import copy
import datetime

from django.db.models import Count, Prefetch, Q

from participants.models import Department, ProvincialOffice, office_order
from programs.models import Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment
from tracking.choices import PUBLISHED_STATES
from tracking.stats.aggregates import FIGURES, figures_by
from tracking.stats.selection import Selection


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
