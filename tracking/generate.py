"""Synthetic data at scale, for the query budgets, the index checks and the benchmark (`manage.py generate_data`).

Deterministic for a seed, and plan-year by plan-year: a plan-year's structure and its reports are the same whatever
`--years` and `--reports` say (as long as the reports asked for fill it), so one year's reads compare like for like
between a small database and a big one.

- Plan-years after 2012 are copies of the 2012 plan (programs, teams, work items, responsible departments,
  participating offices, targets, periods), dates shifted by the years between, shaped by their year alone
  (year_shape). Later plans broaden: a listed item also lists some offices the 2012 circular did not name
  (`breadth`, the share of them), and staff confirm some offices for a conditional item; after the strategy's years
  each program also repeats its items (`rounds`: item II.6 is a second round of II.1, ...).
- Exactly the reports asked for, or none and NotEnoughSlots: a plan-year still to come holds none (nothing is
  written after now), so 40 plan-years from 2012 hold reports in their first fifteen or so only.
- Reports meet obligations (tracking.models.Obligation, kept by tracking.obligations: the one definition of who
  reports what), at most one per obligation, fewer in the later quarters, and each is linked to its obligation.
  Their states and times follow the demo's schedule (tracking.demo.report_schedule): created some days before the
  period's due date, mostly first submitted on time, some late, some never; reviewed days later; returned ones
  edited and resubmitted. They satisfy the constraints of tracking.models.Report (completed ⇒ 100 %, returned ⇒
  comment, not draft ⇒ submitted_at and first_submitted_at, reviewed ⇒ reviewed_at).
- Written with bulk_create in batches, one transaction per batch, each report's history as the services would
  have left it (create, submit, return, edit, accept: one historical row per version) through
  django-simple-history's bulk helpers. The services take tens of milliseconds per report; this takes tens of
  microseconds.
"""

from __future__ import annotations

import datetime
import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from participants.choices import Role
from participants.models import Department, Profile, ProvincialOffice
from programs.choices import OfficeScope
from programs.models import (
    Plan,
    Program,
    ProgramDepartment,
    ReportingPeriod,
    Target,
    WorkItem,
    WorkItemDepartment,
    WorkItemOffice,
)
from tracking.generate_reports import Slot, _report, _structure, _write_batch, free_slots
from tracking.obligations import obligations_sync

BASE_YEAR = 2012
LAST_STRATEGY_YEAR = 2021
MOST_ROUNDS = 9
# A free slot's key under which it is written first, plan-year by plan-year (free_slots: a key is a random number
# divided by the share of organisations that report in that quarter): about 86 % of a plan-year's slots. The other
# slots are written only when these do not hold the reports asked for, the latest plan-years' first.
KEY_LIMIT = 1.18
MAX_ITEM_NUMBER = 100  # WorkItem's check constraint


@dataclass(frozen=True)
class Scale:
    years: int
    reports: int


SCALES = {
    "small": Scale(years=1, reports=2_000),  # the 2012 plan and one year of reports
    "large": Scale(years=10, reports=45_000),  # 2012-2021, the strategy's plan-years
}


class NotEnoughSlots(ValueError):
    """More reports asked for than the plan-years have free slots for (nothing is written)."""


@dataclass
class Result:
    years_created: list[int] = field(default_factory=list)
    reports: int = 0
    history_rows: int = 0
    target_values: int = 0
    slots: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        years = ", ".join(map(str, self.years_created)) or "none"
        return (
            f"plan-years created: {years}; reports: {self.reports:,} (of {self.slots:,} free slots); "
            f"history rows: {self.history_rows:,}; target values: {self.target_values:,}; {self.seconds:.1f} s"
        )


# --- Accounts ---------------------------------------------------------------------------------------------------


@dataclass
class Accounts:
    admin: object
    office: dict[int, object]
    department: dict[int, object]


def accounts_ensure() -> Accounts:
    """One reporter per office and one staff member per department (`gen-...`, no usable password), and an
    administrator: the users the generated reports name as their authors and reviewers."""
    User = get_user_model()

    def ensure(username, role, office=None, department=None):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
            user.save()
        Profile.objects.update_or_create(user=user, defaults={"role": role, "office": office, "department": department})
        return user

    with transaction.atomic():
        admin = ensure("gen-admin", Role.ADMINISTRATOR)
        offices = {
            o.pk: ensure(f"gen-office-{o.pk}", Role.OFFICE_REPORTER, office=o) for o in ProvincialOffice.objects.all()
        }
        departments = {
            d.pk: ensure(f"gen-department-{d.pk}", Role.DEPARTMENT_STAFF, department=d)
            for d in Department.objects.all()
        }
    return Accounts(admin=admin, office=offices, department=departments)


# --- Plan-years -------------------------------------------------------------------------------------------------


def _shift(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def year_shape(year: int) -> tuple[float, int]:
    """The breadth and rounds of a synthetic plan-year: a function of its year alone, so that a plan-year is the
    same whatever else is generated. The strategy's plan-years (to LAST_STRATEGY_YEAR) take every office; later ones
    also repeat their items, two rounds more each year up to MOST_ROUNDS (so that the plan-years up to now hold
    200,000 reports: the bench's growth run; a plan-year still to come holds none)."""
    if year <= LAST_STRATEGY_YEAR:
        return 1.0, 1
    return 1.0, min(1 + 2 * (year - LAST_STRATEGY_YEAR), MOST_ROUNDS, max_rounds())


def max_rounds() -> int:
    most = (
        Program.objects.filter(plan__year=BASE_YEAR)
        .values("pk")
        .annotate(n=Max("work_items__number"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return MAX_ITEM_NUMBER // (most or 1)


@transaction.atomic
def plan_year_copy(*, year: int, seed: int, breadth: float = 0.0, rounds: int = 1, admin=None) -> Plan | None:
    """Copy the 2012 plan to `year` (None when that plan-year exists already: it is kept as it is)."""
    if Plan.objects.filter(year=year).exists():
        return None
    source = Plan.objects.get(year=BASE_YEAR)
    plan = _plan_and_periods_copy(source, year)
    programs = list(source.programs.order_by("number").prefetch_related("team_memberships"))
    copies = Program.objects.bulk_create(
        Program(plan=plan, number=p.number, name=p.name, objective=p.objective) for p in programs
    )
    ProgramDepartment.objects.bulk_create(
        ProgramDepartment(program=copy, department_id=m.department_id, role=m.role, position=m.position)
        for original, copy in zip(programs, copies, strict=True)
        for m in original.team_memberships.all()
    )
    items = list(WorkItem.objects.with_structure().filter(program__plan=source).order_by("program__number", "number"))
    copier = _ItemCopier(
        by_program={p.pk: c for p, c in zip(programs, copies, strict=True)},
        per_program={p.pk: max((i.number for i in items if i.program_id == p.pk), default=0) for p in programs},
        offices=list(ProvincialOffice.objects.values_list("pk", flat=True)),
        rng=random.Random(f"{seed}:plan:{year}"),
        breadth=breadth,
        admin=admin,
    )
    for round_ in range(rounds):
        for item in items:
            copier.copy(item, round_)
    copier.write(confirmed_at=timezone.make_aware(datetime.datetime(year, 1, 10, 10, 0)))
    # Bulk-created: no plan_structure_changed signal fires, so the obligations are made here.
    obligations_sync(plan=plan)
    return plan


def _plan_and_periods_copy(source: Plan, year: int) -> Plan:
    """The plan's own row and its periods, the year in their titles and their dates shifted."""
    delta = year - BASE_YEAR

    def retitle(text: str) -> str:
        return text.replace(str(BASE_YEAR), str(year)).replace(f"[{BASE_YEAR - 1}]", f"[{year - 1}]")

    plan = Plan.objects.create(
        year=year,
        title=retitle(source.title),
        circular_title=retitle(source.circular_title),
        document_number=retitle(source.document_number),
        issued_on=_shift(source.issued_on, delta),
        issuing_body=source.issuing_body,
        strategy=source.strategy,
        addressees=source.addressees,
        preamble=retitle(source.preamble),
    )
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            plan=plan,
            label=retitle(p.label),
            kind=p.kind,
            start=_shift(p.start, delta),
            end=_shift(p.end, delta),
            due=_shift(p.due, delta),
        )
        for p in source.periods.all()
    )
    return plan


@dataclass
class _ItemCopier:
    """Copies of the work items, round by round, with their departments, offices (broadened: `breadth`) and
    targets, written in four bulk inserts."""

    by_program: dict
    per_program: dict
    offices: list
    rng: random.Random
    breadth: float
    admin: object
    items: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    office_rows: list = field(default_factory=list)
    targets: list = field(default_factory=list)

    def copy(self, item: WorkItem, round_: int):
        suffix = f" (round {round_ + 1})" if round_ else ""
        copy = WorkItem(
            program=self.by_program[item.program_id],
            number=item.number + round_ * self.per_program[item.program_id],
            title=item.title[: 500 - len(suffix)] + suffix,
            text=item.text,
            office_scope=item.office_scope,
            office_condition=item.office_condition,
        )
        self.items.append(copy)
        self.departments += [(copy, link.department_id, link.position) for link in item.department_links.all()]
        listed = [link.office_id for link in item.office_links.all()]
        if item.office_scope == OfficeScope.LISTED:
            extra = [o for o in self.offices if o not in listed and self.rng.random() < self.breadth]
            self.office_rows += [(copy, o, n, None) for n, o in enumerate(listed + extra, start=1)]
        elif item.office_scope == OfficeScope.CONDITIONAL:
            self.office_rows += [
                (copy, o, None, self.admin) for o in self.offices if self.rng.random() < self.breadth / 2
            ]
        self.targets += [(copy, t) for t in item.targets.all()]

    def write(self, *, confirmed_at):
        WorkItem.objects.bulk_create(self.items)
        WorkItemDepartment.objects.bulk_create(
            WorkItemDepartment(work_item=i, department_id=d, position=p) for i, d, p in self.departments
        )
        WorkItemOffice.objects.bulk_create(
            WorkItemOffice(
                work_item=i, office_id=o, position=p, confirmed_by=by, confirmed_at=confirmed_at if by else None
            )
            for i, o, p, by in self.office_rows
        )
        Target.objects.bulk_create(
            Target(
                work_item=i,
                position=t.position,
                quantity=t.quantity,
                approximate=t.approximate,
                description=t.description,
                source=t.source,
            )
            for i, t in self.targets
        )


# --- Reports ----------------------------------------------------------------------------------------------------


def reports_generate(
    *,
    years: list[int],
    count: int,
    seed: int,
    accounts: Accounts,
    batch_size: int = 5_000,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Write `count` reports on the plan-years (reports_choose says which), one transaction per batch."""
    return reports_write(reports_choose(years=years, count=count, seed=seed), accounts, batch_size, progress)


@dataclass
class Choice:
    years: list[int]
    seed: int
    slots: list[Slot]
    free: int
    until: datetime.datetime


def reports_choose(*, years: list[int], count: int, seed: int) -> Choice:
    """The slots of `count` reports: those under KEY_LIMIT plan-year by plan-year, the earliest first, then the
    others, the latest plan-years' first. A plan-year's reports are thus the same whatever later years hold. Raises
    NotEnoughSlots when fewer slots are free (a plan-year still to come has none: no report is written after now)."""
    until = timezone.now()
    slots = list(free_slots(years, seed, until=until))
    if count > len(slots):
        raise NotEnoughSlots(
            f"{count:,} reports asked for, but the plan-years {years[0]}-{years[-1]} have only {len(slots):,} free "
            f"slots whose reports would have been written by now: ask for fewer reports or more plan-years."
        )
    return Choice(years, seed, heapq.nsmallest(count, slots, key=_rank), len(slots), until)


def reports_write(choice: Choice, accounts: Accounts, batch_size: int, progress=None) -> Result:
    result = Result(slots=choice.free)
    structure = _structure(choice.years)
    chosen = choice.slots
    # Written in the order they would have been: by period, then item, then organisation.
    chosen.sort(key=lambda s: (structure.periods[s.period].start, s.period, s.item, s.office or 0, s.department or 0))
    for start in range(0, len(chosen), batch_size):
        batch = [
            _report(slot, structure, accounts, choice.seed, choice.until) for slot in chosen[start : start + batch_size]
        ]
        reports, history, values = _write_batch(batch, accounts)
        result.reports += reports
        result.history_rows += history
        result.target_values += values
        if progress:
            progress(result.reports, len(chosen))
    return result


def _rank(slot: Slot) -> tuple:
    if slot.key < KEY_LIMIT:
        return (0, slot.year, slot.key)
    return (1, -slot.year, slot.key)


def generate(
    *,
    scale: str = "small",
    reports: int | None = None,
    years: int | None = None,
    seed: int = 2012,
    batch_size: int = 5_000,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Plan-years 2012.. (copies of 2012 after it, shaped by year_shape) and `reports` reports on them; see the
    module docstring. Raises NotEnoughSlots, having changed nothing, when they cannot hold the reports."""
    started = time.monotonic()
    preset = SCALES[scale]
    count = preset.reports if reports is None else reports
    accounts = accounts_ensure()
    plan_years = list(range(BASE_YEAR, BASE_YEAR + (years or preset.years)))
    with transaction.atomic():  # the plan-years created are rolled back when they cannot hold the reports
        created = []
        for year in plan_years[1:]:
            breadth, rounds = year_shape(year)
            if plan_year_copy(year=year, seed=seed, breadth=breadth, rounds=rounds, admin=accounts.admin):
                created.append(year)
        choice = reports_choose(years=plan_years, count=count, seed=seed)
    result = reports_write(choice, accounts, batch_size, progress)
    result.years_created = created
    result.seconds = time.monotonic() - started
    return result


__all__ = [
    "SCALES",
    "NotEnoughSlots",
    "accounts_ensure",
    "free_slots",
    "generate",
    "plan_year_copy",
    "reports_generate",
    "year_shape",
]
