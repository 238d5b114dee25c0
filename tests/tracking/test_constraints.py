"""Every named constraint of the tracking tables, enforced by the database itself and identified by name.

Each case writes one row that breaks exactly one constraint, past the services and the model's validation
(bulk_create), and checks that the database refused it with *that* constraint: on PostgreSQL by the name the server
reports (psycopg's diag.constraint_name); on SQLite by the name in the message of a CHECK constraint, and by the
columns of a (partial) unique index, which SQLite reports instead of its name. A new constraint without a case here
fails `test_every_constraint_has_a_case`.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from participants.models import Department, ProvincialOffice
from programs.models import Target
from tests.factories import UserFactory
from tests.helpers import item, period
from tracking.models import Attachment, Report, TargetValue

pytestmark = pytest.mark.django_db

MODELS = [Report, TargetValue, Attachment]
NOW = timezone.now()
REVIEWED = {"state": "accepted", "submitted_at": NOW, "first_submitted_at": NOW, "reviewed_at": NOW}


def constraint(name):
    return next(c for model in MODELS for c in model._meta.constraints if c.name == name)


def refused_by(name, exc: IntegrityError) -> bool:
    """Did the database refuse the row because of the constraint `name`?"""
    if connection.vendor == "postgresql":
        return exc.__cause__.diag.constraint_name == name
    message = str(exc)
    found = constraint(name)
    if isinstance(found, UniqueConstraint):
        model = next(m for m in MODELS if found in m._meta.constraints)
        columns = [f"{model._meta.db_table}.{model._meta.get_field(f).column}" for f in found.fields]
        return message == f"UNIQUE constraint failed: {', '.join(columns)}"
    return message == f"CHECK constraint failed: {name}"


def report(**fields) -> Report:
    """A valid draft of Guangdong on I.1 for 2012-Q1, with the given fields changed."""
    values = {
        "work_item": item("I.1"),
        "period": period(),
        "office": ProvincialOffice.objects.get(short_name="Guangdong"),
        "status": "on_track",
        "percent_complete": 40,
        "summary": "Guidelines drafted.",
        **fields,
    }
    return Report(**values)


def pad():
    return Department.objects.get(name="Patent Administration Department")


def saved_report():
    (saved,) = Report.objects.bulk_create([report()])
    return saved


def a_target():
    return Target.objects.filter(work_item__program__plan__year=2012).select_related("work_item").first()


def second_value():
    target = a_target()
    (owner,) = Report.objects.bulk_create([report(work_item=target.work_item)])
    TargetValue.objects.bulk_create([TargetValue(report=owner, target=target, value=1)])
    return TargetValue(report=owner, target=target, value=2)


# name: a function returning the rows to write (after writing any valid rows they need); the last row breaks it.
CASES = {
    "report_exactly_one_organisation": lambda: [report(department=pad())],
    "report_unique_per_office": lambda: [saved_report() and report(summary="Again.")],
    "report_unique_per_department": lambda: [
        Report.objects.bulk_create([report(office=None, department=pad())]) and report(office=None, department=pad())
    ],
    "report_percent_0_100": lambda: [report(percent_complete=101)],
    "report_status_valid": lambda: [report(status="finished")],
    "report_state_valid": lambda: [report(state="archived")],
    "report_summary_required": lambda: [report(summary="")],
    "report_completed_is_100": lambda: [report(status="completed", percent_complete=99)],
    "report_submitted_has_time": lambda: [report(state="submitted", submitted_at=None)],
    "report_first_submission_first": lambda: [
        report(**{**REVIEWED, "first_submitted_at": NOW + datetime.timedelta(days=1)})
    ],
    "report_reviewed_has_time": lambda: [report(**{**REVIEWED, "reviewed_at": None})],
    "report_returned_has_comment": lambda: [report(**{**REVIEWED, "state": "returned", "review_comment": ""})],
    "report_version_positive": lambda: [report(version=0)],
    "target_value_unique_per_report": lambda: [second_value()],
    "attachment_not_empty": lambda: [
        Attachment(
            report=saved_report(),
            file="attachments/x.pdf",
            name="x.pdf",
            size=0,
            content_type="application/pdf",
            uploaded_by=UserFactory(),
        )
    ],
}


def test_every_constraint_has_a_case():
    names = {c.name for model in MODELS for c in model._meta.constraints}
    assert names == set(CASES), f"constraints without a case: {names - set(CASES)}; cases of none: {set(CASES) - names}"


def test_the_rows_the_cases_start_from_are_valid():
    """The base rows pass every constraint: a refusal below is the changed field's doing."""
    Report.objects.bulk_create([report()])
    Report.objects.bulk_create([report(office=None, department=pad(), period=period("2012-Q2"))])
    Report.objects.bulk_create([report(**REVIEWED, period=period("2012-Q3"))])
    Report.objects.bulk_create(
        [report(**{**REVIEWED, "state": "returned", "review_comment": "Why?"}, period=period("2012-Q4"))]
    )
    Report.objects.bulk_create([report(status="completed", percent_complete=100, work_item=item("I.2"))])


@pytest.mark.parametrize("name", list(CASES))
def test_the_database_refuses_a_row_that_breaks(name):
    with transaction.atomic():
        rows = CASES[name]()
        model = type(rows[-1])
        with pytest.raises(IntegrityError) as info, transaction.atomic():
            model.objects.bulk_create(rows)
    assert refused_by(name, info.value), f"refused by another constraint than {name}: {info.value}"
