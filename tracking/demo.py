"""Demo accounts and a realistic spread of reports, so that a fresh install has something to show."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from participants.choices import Role
from participants.models import Department, Profile, ProvincialOffice
from programs.choices import PeriodKind
from programs.models import Plan, WorkItem
from tracking import services
from tracking.choices import ReportStatus
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

# How far the year had got by each quarter: (share of organisations that report, percent range)
QUARTER_PROGRESS = [(1.0, (5, 30)), (0.95, (25, 55)), (0.85, (45, 80)), (0.45, (65, 100))]


@dataclass
class SeedResult:
    password: str | None
    created_users: list[str]
    created_reports: int


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


def demo_reports_ensure(
    *, users: dict, year: int = 2012, seed: int = 2012, program_numbers=None, period_labels=None
) -> int:
    """Reports from every office and responsible department on their items for the plan's quarters, moved
    through the workflow by the services (so that each has its history). Idempotent: existing reports are kept."""
    plan = Plan.objects.get(year=year)
    admin, pad = users["admin"], users["pad"]
    items = WorkItem.objects.with_structure().filter(program__plan=plan)
    if program_numbers is not None:
        items = items.filter(program__number__in=program_numbers)
    items = list(items)
    existing = set(
        Report.objects.filter(period__plan=plan).values_list("work_item_id", "period_id", "office_id", "department_id")
    )
    quarters = list(plan.periods.filter(kind=PeriodKind.QUARTER).order_by("start"))
    if period_labels is not None:
        quarters = [q for q in quarters if q.label in period_labels]
    expected: dict[tuple, list] = {}
    for obligation in Obligation.objects.filter(period__plan=plan).select_related("office", "department"):
        expected.setdefault((obligation.work_item_id, obligation.period_id), []).append(
            (obligation.office, obligation.department)
        )
    created = 0
    for index, period in enumerate(quarters):
        share, (low, high) = QUARTER_PROGRESS[min(index, len(QUARTER_PROGRESS) - 1)]
        for item in items:
            organisations = expected.get((item.pk, period.pk), [])
            for office, department in organisations:
                key = (item.pk, period.pk, office.pk if office else None, department.pk if department else None)
                # One generator per report, seeded by what it is about: the same data whatever already exists.
                rng = random.Random(f"{seed}:{item.code}:{period.label}:{office or department}")
                if key in existing or rng.random() > share:
                    continue
                created += _demo_report(
                    rng,
                    item,
                    period,
                    office,
                    department,
                    admin,
                    pad,
                    low,
                    high,
                    index,
                    n_organisations=len(organisations),
                )
    return created


def _demo_report(rng, item, period, office, department, admin, pad, low, high, quarter_index, n_organisations=1) -> int:
    percent = rng.randint(low, high)
    status = rng.choices(
        [ReportStatus.ON_TRACK, ReportStatus.AT_RISK, ReportStatus.DELAYED, ReportStatus.COMPLETED],
        weights=[70, 15, 8, 7 if quarter_index >= 2 else 0],
    )[0]
    if status == ReportStatus.COMPLETED:
        percent = 100
    who = office or department
    fields = {
        "status": status,
        "percent_complete": percent,
        "summary": f"{who}: {item.title.lower()} is {percent}% done for {period.label}.",
        "achievements": rng.choice(["Guidelines drafted.", "Pilot enterprises selected.", "Training held.", ""]),
        "problems": rng.choice(["", "", "Funding arrives late.", "Staff shortage in the office."]),
        "next_steps": rng.choice(["Consult stakeholders.", "Extend the pilot.", "Prepare the annual review."]),
    }
    # Each organisation reports its own contribution to the national target: its share of it, so far.
    targets = [(t, round(t.quantity * percent / 100 / n_organisations)) for t in item.targets.all()]
    report = services.report_create(
        user=admin,
        work_item=item,
        period=period,
        office=office,
        department=department,
        fields=fields,
        target_values=targets,
    )
    fate = rng.random()
    if fate < 0.12:
        return 1  # still a draft
    report = services.report_submit(report=report, user=admin)
    reviewer = pad if _reviews(pad, report) else admin
    if fate < 0.22:
        services.report_return(report=report, user=reviewer, comment="Please add the figures for the pilot cities.")
    elif fate < 0.40 and quarter_index >= 2:
        pass  # awaiting review
    else:
        services.report_accept(report=report, user=reviewer)
    return 1


def _reviews(user, report) -> bool:
    from tracking.permissions import can_review_report

    return can_review_report(user, report)
