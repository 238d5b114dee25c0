"""The reports of generate_data (tracking.generate's module docstring says what they are like): the free slots,
one report per chosen slot, and the batch writer with each report's history."""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from programs.choices import PeriodKind, TeamRole
from programs.models import (
    ProgramDepartment,
    ReportingPeriod,
    Target,
    WorkItem,
    WorkItemDepartment,
)
from tracking.choices import ReportState, Transition
from tracking.demo import likely_status, report_schedule
from tracking.models import Obligation, Report, TargetValue
from tracking.obligations import obligations_link_reports

if TYPE_CHECKING:
    from tracking.generate import Accounts

# The share of organisations that report, by quarter (then the year's report), as in tracking.demo.
PERIOD_SHARE = {0: 1.0, 1: 0.95, 2: 0.85, 3: 0.6, 4: 0.5}


@dataclass(frozen=True)
class Slot:
    """A report that could exist: an organisation's report on an item for a period. `name` says which one in terms
    that do not depend on the database's ids of the plan-year's rows (its report's random numbers are drawn from it),
    and `key` how likely it is to be written (smaller: likelier)."""

    key: float
    year: int
    name: str
    item: int
    period: int
    office: int | None
    department: int | None


@dataclass
class Structure:
    items: dict[int, WorkItem]
    periods: dict[int, ReportingPeriod]
    period_index: dict[int, int]
    reviewers: dict[int, list[int]]  # item id → departments that review it (responsible or leading its program)
    targets: dict[int, list[Target]]


def _structure(years: list[int]) -> Structure:
    items = {i.pk: i for i in WorkItem.objects.filter(program__plan__year__in=years).select_related("program__plan")}
    periods, index = {}, {}
    for plan_year in years:
        plan_periods = ReportingPeriod.objects.filter(plan__year=plan_year)
        # Quarters in order (0-3), then the year (4).
        for n, period in enumerate(sorted(plan_periods, key=lambda p: (p.kind != PeriodKind.QUARTER, p.start))):
            periods[period.pk], index[period.pk] = period, n
    reviewers: dict[int, list[int]] = {pk: [] for pk in items}
    for work_item, department in WorkItemDepartment.objects.filter(work_item__in=items).values_list(
        "work_item", "department"
    ):
        reviewers[work_item].append(department)
    leads: dict[int, list[int]] = {}
    for program, department in ProgramDepartment.objects.filter(
        program__plan__year__in=years, role=TeamRole.LEAD
    ).values_list("program", "department"):
        leads.setdefault(program, []).append(department)
    for pk, item in items.items():
        reviewers[pk] = sorted(set(reviewers[pk]) | set(leads.get(item.program_id, [])))
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(work_item__in=items).order_by("work_item", "position"):
        targets.setdefault(target.work_item_id, []).append(target)
    return Structure(items=items, periods=periods, period_index=index, reviewers=reviewers, targets=targets)


def free_slots(years: list[int], seed: int, *, until: datetime.datetime | None = None) -> Iterator[Slot]:
    """Every obligation of the years that has no report yet, each with a random sort key: a smaller key is
    likelier to be written, and the later quarters' keys are larger (fewer organisations report). With `until`,
    only those whose report would have been created by then.

    The keys of a plan-year are drawn for it alone, in an order of its items, periods and organisations that does
    not depend on the other years or on which reports exist: a plan-year's keys are the same whatever else the
    database holds."""
    structure = _structure(years)
    existing = set(
        Report.objects.filter(period__plan__year__in=years).values_list(
            "work_item_id", "period_id", "office_id", "department_id"
        )
    )
    rows = Obligation.objects.filter(period__plan__year__in=years).values_list(
        "work_item_id", "period_id", "office_id", "department_id"
    )
    by_year: dict[int, list] = {}
    for row in rows:
        item, index = structure.items[row[0]], structure.period_index[row[1]]
        organisation = f"o{row[2]}" if row[2] else f"d{row[3]}"
        name = f"{item.program.plan.year}:{item.program.number}.{item.number}:{index}:{organisation}"
        by_year.setdefault(item.program.plan.year, []).append(((item.program.number, item.number, index, name), row))
    for year in sorted(by_year):
        rng = random.Random(f"{seed}:slots:{year}")
        for (_program, _number, index, name), (item_pk, period_pk, office, department) in sorted(by_year[year]):
            key = rng.random() / PERIOD_SHARE[min(index, 4)]
            if (item_pk, period_pk, office, department) in existing:
                continue
            slot = Slot(key, year, name, item_pk, period_pk, office, department)
            if until is None or _written_by(slot, structure, seed, until):
                yield slot


def report_rng(slot: Slot, seed: int) -> random.Random:
    """The random numbers of the slot's report: its own, so that a report is the same whichever others are made."""
    return random.Random(f"{seed}:report:{slot.name}")


def _written_by(slot: Slot, structure: Structure, seed: int, until: datetime.datetime) -> bool:
    """Whether the slot's report would have been created by `until` (its schedule is drawn first: _report)."""
    period = structure.periods[slot.period]
    if period.start > until.date():
        return False
    if period.due < until.date() - datetime.timedelta(days=1):
        return True  # created at the latest 5 days before the due date
    return bool(report_schedule(period, report_rng(slot, seed), until=until))


@contextlib.contextmanager
def timestamps_as_given():
    """Let bulk_create write the created_at/updated_at the generator chose (auto_now would stamp them now)."""
    created, updated = Report._meta.get_field("created_at"), Report._meta.get_field("updated_at")
    saved = created.auto_now_add, updated.auto_now
    created.auto_now_add = updated.auto_now = False
    try:
        yield
    finally:
        created.auto_now_add, updated.auto_now = saved


ACHIEVEMENTS = ["Guidelines drafted.", "Pilot enterprises selected.", "Training held.", "Survey completed.", ""]


PROBLEMS = ["", "", "Funding arrives late.", "Staff shortage in the office.", "Partners slow to respond."]


NEXT_STEPS = ["Consult stakeholders.", "Extend the pilot.", "Prepare the annual review.", "Publish the results."]


RETURN_COMMENTS = ["Please add the figures for the pilot cities.", "The summary does not match the targets."]


def _report(slot: Slot, structure: Structure, accounts: Accounts, seed: int, until: datetime.datetime):
    """One report, its target values and its history: [(transition, when, who, snapshot)], oldest first; None
    when it would have been written after `until`. Its random numbers are its own (report_rng), its schedule's
    first."""
    item, period = structure.items[slot.item], structure.periods[slot.period]
    index = structure.period_index[slot.period]
    rng = report_rng(slot, seed)
    awaiting = 0.15 if index >= 3 else 0.05  # the last quarter's reports are the likeliest still in review
    schedule = report_schedule(period, rng, awaiting=awaiting, until=until)
    if not schedule:
        return None  # it would be written after `until`
    status, percent = likely_status(rng, index)
    author = accounts.office[slot.office] if slot.office else accounts.department[slot.department]
    reviewing = [d for d in structure.reviewers[slot.item] if d != slot.department]
    reviewer = accounts.department[rng.choice(reviewing)] if reviewing else accounts.admin
    who = f"office {slot.office}" if slot.office else f"department {slot.department}"
    report = Report(
        work_item_id=slot.item,
        period_id=slot.period,
        office_id=slot.office,
        department_id=slot.department,
        status=status,
        percent_complete=percent,
        summary=f"{item.code} for {period.label}: {percent}% done ({who}).",
        achievements=rng.choice(ACHIEVEMENTS),
        problems=rng.choice(PROBLEMS),
        next_steps=rng.choice(NEXT_STEPS),
        created_by=author,
        state=ReportState.DRAFT,
        version=1,
    )
    steps = []
    at = None
    for transition, at in schedule:
        _step(report, transition, at, author=author, reviewer=reviewer, rng=rng)
        if steps:
            report.version += 1
        user = reviewer if transition in (Transition.RETURN, Transition.ACCEPT) else author
        steps.append((transition, at, user, _snapshot(report)))
    report.updated_at = at
    values = [(t, round(t.quantity * percent / 100)) for t in structure.targets.get(slot.item, [])]
    return report, values, steps


def _step(report: Report, transition: str, at, *, author, reviewer, rng: random.Random):
    """The report as one transition of its schedule leaves it."""
    if transition == Transition.CREATE:
        report.created_at = at
    elif transition == Transition.SUBMIT:
        report.state, report.submitted_by, report.submitted_at = ReportState.SUBMITTED, author, at
        report.first_submitted_at = report.first_submitted_at or at
    elif transition == Transition.EDIT:
        report.summary += " Figures for the pilot cities added."
    elif transition == Transition.RETURN:
        report.state, report.reviewed_by, report.reviewed_at = ReportState.RETURNED, reviewer, at
        report.review_comment = rng.choice(RETURN_COMMENTS)
    else:
        report.state, report.reviewed_by, report.reviewed_at = ReportState.ACCEPTED, reviewer, at
        report.review_comment = ""


# Every column but the id, in the model's order: a snapshot becomes a Report again positionally (Django's fast path).
_SNAPSHOT_FIELDS = [f.attname for f in Report._meta.concrete_fields[1:]]


def _snapshot(report: Report) -> tuple:
    return tuple(getattr(report, name) for name in _SNAPSHOT_FIELDS)


def _write_batch(batch: list, accounts: Accounts) -> tuple[int, int, int]:
    """Reports, their history (one row per version) and their target values (with history), in one transaction;
    then each report linked to its obligation."""
    with transaction.atomic(), timestamps_as_given():
        reports = Report.objects.bulk_create([report for report, _values, _steps in batch])
        history = []
        for report, _values, steps in batch:
            for transition, at, user, snapshot in steps:
                row = Report(report.pk, *snapshot)
                row._history_date, row._history_user, row._change_reason = at, user, transition.value
                history.append(row)
        Report.history.bulk_history_create(history, default_user=accounts.admin, default_change_reason="generate")
        values = []
        for report, target_values, steps in batch:
            created_at, author = steps[0][1], steps[0][2]
            for target, value in target_values:
                tv = TargetValue(report=report, target=target, value=value)
                tv._history_date, tv._history_user, tv._change_reason = created_at, author, Transition.CREATE.value
                values.append(tv)
        bulk_create_with_history(values, TargetValue, default_user=accounts.admin, default_change_reason="generate")
        obligations_link_reports(obligations=Obligation.objects.filter(period__in={r.period_id for r in reports}))
    return len(reports), len(history), len(values)
