"""Demo accounts and a realistic spread of reports, so that a fresh install has something to show."""

from __future__ import annotations

import datetime
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from participants.choices import Role
from participants.models import Department, Profile, ProvincialOffice
from programs.choices import PeriodKind
from programs.models import Plan, WorkItem
from tracking import services
from tracking.choices import ReportStatus, Transition
from tracking.models import Obligation, Report

DEMO_ACCOUNTS = [
    # username, role, office short name, department name
    ("admin", Role.ADMINISTRATOR, None, None),
    ("pad", Role.DEPARTMENT_STAFF, None, "Patent Administration Department"),
    ("pdd", Role.DEPARTMENT_STAFF, None, "Patent Documentation Department"),
    ("guangdong", Role.OFFICE_REPORTER, "Guangdong", None),
    ("hunan", Role.OFFICE_REPORTER, "Hunan", None),
    ("tianjin", Role.OFFICE_REPORTER, "Tianjin", None),
    ("analyst", Role.ANALYST, None, None),
]


def generated_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def demo_accounts_ensure(*, password: str | None) -> tuple[list[str], dict]:
    """Create the demo accounts that are missing; set `password` on all of them when it is given."""
    User = get_user_model()
    created, users = [], {}
    for username, role, office_name, department_name in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(username=username)
        if was_created:
            created.append(username)
        if password and (was_created or not user.check_password(password)):
            user.set_password(password)
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "office": ProvincialOffice.objects.get(short_name=office_name) if office_name else None,
                "department": Department.objects.get(name=department_name) if department_name else None,
            },
        )
        users[username] = user
    return created, users


@transaction.atomic
def demo_periods_keep_open(*, year: int = 2012) -> None:
    """The demo plan's periods never close (tracking.locks): years later a newcomer can still write and review."""
    plan = Plan.objects.filter(year=year).first()
    if plan is None:
        return
    if plan.close_after_days is not None:
        plan.close_after_days = None
        plan.save(update_fields=["close_after_days"])
    for period in plan.periods.exclude(close_after_days=None):
        period.close_after_days = None
        period.save(update_fields=["close_after_days"])


def demo_reports_ensure(
    *, users: dict, year: int = 2012, seed: int = 2012, program_numbers=None, period_labels=None
) -> int:
    """Reports on the plan's open obligations (tracking.models.Obligation: who must report what), for its quarters
    and its year, fewer for the later periods; each moved through the workflow by the services at the times of its
    schedule (report_schedule), so that its history, submission and review times fall in the plan's own year.
    Idempotent: an obligation that has its report is kept as it is."""
    plan = Plan.objects.get(year=year)
    obligations = (
        Obligation.objects.filter(period__plan=plan, report__isnull=True)
        .select_related("work_item__program", "period", "office", "department")
        .order_by("period__start", "period__kind", "work_item__program__number", "work_item__number", "pk")
    )
    if program_numbers is not None:
        obligations = obligations.filter(work_item__program__number__in=program_numbers)
    if period_labels is not None:
        obligations = obligations.filter(period__label__in=period_labels)
    obligations = list(obligations)
    # Each organisation reports its share of a national target: one of the organisations that owe the report.
    owing = Counter(Obligation.objects.filter(period__plan=plan).values_list("work_item_id", "period_id").iterator())
    items = {item.pk: item for item in WorkItem.objects.with_structure().filter(program__plan=plan)}
    periods = period_order(plan.periods.all())
    accounts = _DemoAccounts.of(users)
    until = timezone.now()
    created = 0
    for obligation in obligations:
        item, period = items[obligation.work_item_id], obligation.period
        who = obligation.office or obligation.department
        # One generator per report, seeded by what it is about: the same data whatever already exists.
        rng = random.Random(f"{seed}:{item.code}:{period.label}:{who}")
        index = periods[period.pk]
        if rng.random() > PERIOD_SHARE[index]:
            continue  # never written
        steps = report_schedule(period, rng, awaiting=0.15 if index >= 3 else 0.05, until=until)
        if steps:
            _demo_report(
                rng, item, period, obligation, index, steps, accounts, n_organisations=owing[(item.pk, period.pk)]
            )
            created += 1
    return created


# --- When things happen ------------------------------------------------------------------------------------------

# The share of obligations that get a report at all, by period: the quarters in order (0-3), then the year (4).
PERIOD_SHARE = {0: 0.9, 1: 0.8, 2: 0.7, 3: 0.5, 4: 0.35}
PERCENT_RANGE = {0: (5, 30), 1: (25, 55), 2: (45, 80), 3: (65, 100), 4: (70, 100)}
TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has no daylight saving: a fixed offset
LATE = 0.2  # the share of submitted reports first sent after the due date


def period_order(periods) -> dict[int, int]:
    """Period id → its place in the plan-year: the quarters in order (0-3), then the year (4)."""
    ordered = sorted(periods, key=lambda p: (p.kind != PeriodKind.QUARTER, p.start, p.pk))
    return {period.pk: min(n, 4) for n, period in enumerate(ordered)}


def _at(day: datetime.date, rng: random.Random, after: datetime.datetime | None = None) -> datetime.datetime:
    """A moment of office hours on `day` (8:00-18:59 in China), and after `after` (then a little later)."""
    moment = datetime.datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59), tzinfo=TZ)
    if after is not None and moment <= after:
        moment = after + datetime.timedelta(minutes=rng.randint(5, 60))
    return moment


def report_schedule(
    period, rng: random.Random, *, awaiting: float = 0.05, until: datetime.datetime | None = None
) -> list[tuple[Transition, datetime.datetime]]:
    """When a report on `period` goes through each step of the workflow: [(transition, time)], oldest first.

    Created 5-30 days before the period's due date; never sent (a draft) one time in ten; else first submitted on
    time (by the due date) four times in five, or 1-28 days late; reviewed 1-10 days after that: accepted, or
    awaiting review (`awaiting`), or returned, and then (two times in three) edited 1-6 days later, resubmitted and
    accepted within a week. Every time is in office hours in China; the last ones fall at most about eight weeks
    after the due date. Steps after `until` are left out (the report stops where it was then; none at all when it
    was created after `until`). The same random numbers are drawn whatever `until` is.
    """
    due = period.due
    created = _at(max(due - datetime.timedelta(days=rng.randint(5, 30)), period.start), rng)
    steps = [(Transition.CREATE, created)]
    fate, late = rng.random(), rng.random() < LATE
    if late:
        submit_day = due + datetime.timedelta(days=rng.randint(1, 28))
    else:
        submit_day = created.date() + datetime.timedelta(days=rng.randint(0, max((due - created.date()).days, 0)))
    submitted = _at(submit_day, rng, after=created)
    reviewed = _at(submitted.date() + datetime.timedelta(days=rng.randint(1, 10)), rng, after=submitted)
    edited = _at(reviewed.date() + datetime.timedelta(days=rng.randint(1, 6)), rng, after=reviewed)
    resubmitted = _at(edited.date() + datetime.timedelta(days=rng.randint(0, 2)), rng, after=edited)
    accepted = _at(resubmitted.date() + datetime.timedelta(days=rng.randint(1, 7)), rng, after=resubmitted)
    if fate >= 0.10:  # else never sent: still a draft
        steps.append((Transition.SUBMIT, submitted))
        if fate < 0.10 + awaiting:
            pass  # awaiting review
        elif fate < 0.28 + awaiting:
            steps.append((Transition.RETURN, reviewed))
            if fate >= 0.16 + awaiting:  # edited, resubmitted and accepted
                steps += [(Transition.EDIT, edited), (Transition.SUBMIT, resubmitted), (Transition.ACCEPT, accepted)]
        else:
            steps.append((Transition.ACCEPT, reviewed))
    if until is not None:
        steps = [(transition, at) for transition, at in steps if at <= until]
    return steps


# --- Writing a report through the services ------------------------------------------------------------------------


@dataclass
class _DemoAccounts:
    """Who writes and who reviews: an organisation's own demo account when it has one (guangdong, pad, ...), else
    the administrator acting for it; a reviewing department's demo account when one may review, else the
    administrator."""

    admin: object
    by_office: dict[int, object]
    by_department: dict[int, object]
    reviewers: list
    chosen: dict = field(default_factory=dict)

    @classmethod
    def of(cls, users: dict) -> _DemoAccounts:
        by_office, by_department, reviewers = {}, {}, []
        for username, role, _office, _department in DEMO_ACCOUNTS:
            user = users[username]
            profile = user.profile
            if role == Role.OFFICE_REPORTER:
                by_office[profile.office_id] = user
            elif role == Role.DEPARTMENT_STAFF:
                by_department[profile.department_id] = user
                reviewers.append(user)
        return cls(admin=users["admin"], by_office=by_office, by_department=by_department, reviewers=reviewers)

    def author(self, obligation):
        if obligation.office_id:
            return self.by_office.get(obligation.office_id, self.admin)
        return self.by_department.get(obligation.department_id, self.admin)

    def reviewer(self, report):
        """Asked once per item and reporting department: who may review does not change while seeding."""
        from tracking.permissions import can_review_report

        key = (report.work_item_id, report.department_id)
        if key not in self.chosen:
            self.chosen[key] = next((user for user in self.reviewers if can_review_report(user, report)), self.admin)
        return self.chosen[key]


def likely_status(rng, index: int) -> tuple[str, int]:
    """A status and percent complete likely for a report of the `index`th period of its year (the year's report:
    4); none completed in the first half."""
    low, high = PERCENT_RANGE[min(index, 4)]
    percent = rng.randint(low, high)
    status = rng.choices(
        [ReportStatus.ON_TRACK, ReportStatus.AT_RISK, ReportStatus.DELAYED, ReportStatus.COMPLETED],
        weights=[70, 15, 8, 7 if index >= 2 else 0],
    )[0]
    return status, 100 if status == ReportStatus.COMPLETED else percent


def _demo_fields(rng, item, period, who, index) -> dict:
    """The report's fields: a status and percent likely for the period's place in the year, and words."""
    status, percent = likely_status(rng, index)
    return {
        "status": status,
        "percent_complete": percent,
        "summary": f"{who}: {item.title.lower()} is {percent}% done for {period.label}.",
        "achievements": rng.choice(["Guidelines drafted.", "Pilot enterprises selected.", "Training held.", ""]),
        "problems": rng.choice(["", "", "Funding arrives late.", "Staff shortage in the office."]),
        "next_steps": rng.choice(["Consult stakeholders.", "Extend the pilot.", "Prepare the annual review."]),
    }


def _demo_report(rng, item, period, obligation, index, steps, accounts, n_organisations=1) -> Report:
    """The report on `obligation`, moved through `steps` by the services, each step under a clock set to its time
    (time-machine): the services, auto_now and the history all read that clock."""
    office, department = obligation.office, obligation.department
    fields = _demo_fields(rng, item, period, office or department, index)
    percent = fields["percent_complete"]
    # Each organisation reports its own contribution to the national target: its share of it, so far.
    targets = [(t, round(t.quantity * percent / 100 / n_organisations)) for t in item.targets.all()]
    author = accounts.author(obligation)
    reviewer = None
    report = None
    for transition, at in steps:
        with time_machine.travel(at, tick=False):
            if transition == Transition.CREATE:
                report = services.report_create(
                    user=author,
                    work_item=item,
                    period=period,
                    office=office,
                    department=department,
                    fields=fields,
                    target_values=targets,
                )
            elif transition == Transition.SUBMIT:
                report = services.report_submit(report=report, user=author)
            elif transition == Transition.EDIT:
                report = services.report_update(
                    report=report,
                    user=author,
                    version=report.version,
                    fields={"summary": fields["summary"] + " Figures for the pilot cities added."},
                )
            else:
                reviewer = reviewer or accounts.reviewer(report)
                if transition == Transition.RETURN:
                    report = services.report_return(
                        report=report, user=reviewer, comment="Please add the figures for the pilot cities."
                    )
                else:
                    report = services.report_accept(report=report, user=reviewer)
    return report
