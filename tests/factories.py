"""Test data: factory_boy factories for the plan structure and the people who use it."""

import datetime

import factory
from django.contrib.auth import get_user_model

from participants.choices import DepartmentKind, Role
from participants.models import Department, Profile
from programs.choices import OfficeScope
from programs.models import Plan, Program, WorkItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")
    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    role = Role.ANALYST


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Test Department {n}")
    kind = DepartmentKind.SIPO_DEPARTMENT


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    year = factory.Sequence(lambda n: 2030 + n % 70)  # within the plausible years the database allows
    title = factory.LazyAttribute(lambda o: f"Promotional Plan for National Patent Development Strategy in {o.year}")
    document_number = factory.Sequence(lambda n: f"TEST [{n}]")
    issued_on = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 11, 1))
    issuing_body = "State Intellectual Property Office"
    strategy = "National Patent Development Strategy (2011–2020)"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n % 50 + 1)
    name = factory.Sequence(lambda n: f"Program {n}")
    objective = "An objective."


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n % 100 + 1)
    title = factory.Sequence(lambda n: f"Work item {n}")
    text = factory.LazyAttribute(lambda o: f"{o.title}. More text.")
    office_scope = OfficeScope.NONE


def bulk_reports(*, items, periods, offices=None, seed=7, share=0.8):
    """Reports meeting the obligations of `items` in `periods` (`offices` is no longer needed), written with
    bulk_create for speed (tests of reads that need many rows; no history), in a seeded spread of states."""
    import random

    from django.utils import timezone

    from tracking.models import Obligation, Report, TargetValue
    from tracking.obligations import obligations_link_reports

    rng = random.Random(seed)
    now = timezone.now()
    reports, values = [], []
    expected: dict[tuple, list] = {}
    for obligation in Obligation.objects.filter(work_item__in=items, period__in=periods).select_related(
        "office", "department"
    ):
        expected.setdefault((obligation.work_item_id, obligation.period_id), []).append(
            (obligation.office, obligation.department)
        )
    for item in items:
        for period in periods:
            for office, department in expected.get((item.pk, period.pk), []):
                if rng.random() > share:
                    continue
                state = rng.choice(["draft", "submitted", "accepted", "accepted", "returned"])
                status = rng.choice(["not_started", "on_track", "at_risk", "delayed", "completed"])
                percent = 100 if status == "completed" else rng.randint(0, 99)
                reviewed = state in {"accepted", "returned"}
                submitted_at = None if state == "draft" else now - datetime.timedelta(days=rng.randint(0, 60))
                report = Report(
                    work_item=item,
                    period=period,
                    office=office,
                    department=department,
                    status=status,
                    percent_complete=percent,
                    summary="Bulk test report.",
                    state=state,
                    submitted_at=submitted_at,
                    first_submitted_at=submitted_at,
                    reviewed_at=now if reviewed else None,
                    review_comment="Needs figures." if state == "returned" else "",
                )
                reports.append(report)
                values.extend((report, target, rng.randint(0, target.quantity)) for target in item.targets.all())
    Report.objects.bulk_create(reports)
    TargetValue.objects.bulk_create(TargetValue(report=r, target=t, value=v) for r, t, v in values)
    obligations_link_reports(obligations=Obligation.objects.filter(work_item__in=items, period__in=periods))
    return reports
