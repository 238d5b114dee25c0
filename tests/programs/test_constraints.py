"""Invariants of the plan structure are enforced by the database itself, not only by forms."""

import pytest
from django.db import IntegrityError, transaction

from participants.models import Department, ProvincialOffice
from programs.models import Plan, Program, ReportingPeriod, Target, WorkItem, WorkItemDepartment, WorkItemOffice

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_second_program_i_in_2012_is_refused():
    plan = Plan.objects.get(year=2012)
    refused(lambda: Program.objects.create(plan=plan, number=1, name="Another", objective="x"))


def test_work_item_without_program_is_refused():
    refused(lambda: WorkItem.objects.create(program=None, number=9, title="Orphan", text="x", office_scope="none"))


def test_duplicate_work_item_number_in_program_is_refused():
    program = Program.objects.get(plan__year=2012, number=2)
    refused(lambda: WorkItem.objects.create(program=program, number=3, title="Dup", text="x", office_scope="none"))


def test_conditional_scope_requires_condition_and_only_it_has_one():
    program = Program.objects.get(plan__year=2012, number=2)
    refused(lambda: WorkItem.objects.create(program=program, number=9, title="t", text="x", office_scope="conditional"))
    refused(
        lambda: WorkItem.objects.create(
            program=program, number=9, title="t", text="x", office_scope="all", office_condition="where ..."
        )
    )


def test_unknown_scope_is_refused():
    program = Program.objects.get(plan__year=2012, number=2)
    refused(lambda: WorkItem.objects.create(program=program, number=9, title="t", text="x", office_scope="some"))


def test_office_listed_twice_for_one_item_is_refused():
    link = WorkItemOffice.objects.select_related("work_item").first()
    refused(lambda: WorkItemOffice.objects.create(work_item=link.work_item, office=link.office, position=99))


def test_department_named_twice_for_one_item_is_refused():
    link = WorkItemDepartment.objects.first()
    refused(lambda: WorkItemDepartment.objects.create(work_item=link.work_item, department=link.department, position=9))


def test_target_quantity_must_be_positive():
    item = WorkItem.objects.first()
    refused(lambda: Target.objects.create(work_item=item, position=9, quantity=0, description="things"))


def test_office_code_must_match_kind():
    refused(
        lambda: ProvincialOffice.objects.create(
            short_name="X",
            name="X office",
            region="X region",
            kind="province",
            code=None,
            name_zh="x",
            short_name_zh="x",
            region_zh="x",
        )
    )
    refused(lambda: ProvincialOffice.objects.filter(kind="corps").update(code="660000"))


def test_department_kind_and_period_dates_are_checked():
    refused(lambda: Department.objects.create(name="Odd", kind="ministry"))
    period = ReportingPeriod.objects.filter(plan__year=2012).first()
    refused(lambda: ReportingPeriod.objects.filter(pk=period.pk).update(due=period.start))


def test_department_still_responsible_for_an_item_cannot_be_deleted():
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Department.objects.get(name="Patent Administration Department").delete()
