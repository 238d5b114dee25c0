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

    year = factory.Sequence(lambda n: 2030 + n)
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
