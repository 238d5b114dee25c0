"""What a statistic counts: a Selection of obligations (periods, narrowed to a program, office, department or work
item, optionally as they stood at an instant)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from programs.models import ReportingPeriod
from tracking import asof
from tracking.models import Obligation


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
