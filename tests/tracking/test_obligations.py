"""Reporting obligations: one row per work item × organisation × period that must report, equal to the plan's
structure after any change (load_plan, the admin, sync_obligations), and the one source every page reads."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from participants.models import Department, ProvincialOffice
from programs.choices import OfficeScope
from programs.models import Plan, ReportingPeriod, WorkItem, WorkItemDepartment, WorkItemOffice
from programs.services import FixtureError, plan_structure_load
from programs.signals import plan_structure_changed
from tests.helpers import item, office, period
from tests.oracles import circular_codes_of
from tracking.models import Obligation
from tracking.obligations import obligations_sync

pytestmark = pytest.mark.django_db


def plan_2012():
    return Plan.objects.get(year=2012)


def obligation_keys(plan):
    return set(
        Obligation.objects.filter(period__plan=plan).values_list(
            "work_item_id", "period_id", "office_id", "department_id"
        )
    )


def recount(plan):
    """Who must report, recounted here from the plan's structure by the rule the README states."""
    offices = list(ProvincialOffice.objects.values_list("pk", flat=True))
    keys = set()
    for work_item in WorkItem.objects.filter(program__plan=plan).prefetch_related("office_links", "department_links"):
        if work_item.office_scope == OfficeScope.ALL:
            taking_part = offices
        elif work_item.office_scope in (OfficeScope.LISTED, OfficeScope.CONDITIONAL):
            taking_part = [link.office_id for link in work_item.office_links.all()]
        else:
            taking_part = []
        for period_id in plan.periods.values_list("pk", flat=True):
            keys |= {(work_item.pk, period_id, office_id, None) for office_id in taking_part}
            keys |= {(work_item.pk, period_id, None, link.department_id) for link in work_item.department_links.all()}
    return keys


def test_loaded_plan_has_its_obligations():
    plan = plan_2012()
    assert obligation_keys(plan) == recount(plan)
    assert Obligation.objects.filter(period__plan=plan).count() == 2400  # 480 a period, 5 periods
    for obligation in Obligation.objects.filter(period__plan=plan).select_related("period")[:50]:
        assert obligation.due == obligation.period.due


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("I.1", "all"),  # scope all: the 32 offices
        ("I.3", {"Tianjin", "Guangdong"}),  # listed
        ("I.5", {"Guangdong"}),  # "Guangdong IP Office participates in Work Item 5."
        ("VI.3", set()),  # conditional, nothing confirmed yet
    ],
)
def test_offices_expected_per_item(code, expected):
    names = set(
        Obligation.objects.filter(work_item=item(code), period=period("2012-Q1"), office__isnull=False).values_list(
            "office__short_name", flat=True
        )
    )
    if expected == "all":
        expected = set(ProvincialOffice.objects.values_list("short_name", flat=True))
        assert len(expected) == 32
    assert names == expected


def test_office_obligations_match_the_circular():
    for short_name in ("Guangdong", "Tibet", "XPCC", "Tianjin"):
        codes = {
            f"{o.work_item.code}"
            for o in Obligation.objects.filter(office=office(short_name), period=period("2012-Q1")).select_related(
                "work_item__program"
            )
        }
        assert codes == circular_codes_of(short_name), short_name
    assert {"I.1", "I.2", "I.4", "III.1", "III.2", "III.3"} == circular_codes_of("Tibet")


def test_confirming_an_office_creates_its_obligations_and_a_second_sync_changes_nothing():
    plan, vi3, hunan = plan_2012(), item("VI.3"), office("Hunan")
    WorkItemOffice.objects.create(work_item=vi3, office=hunan)
    result = obligations_sync(plan=plan)
    assert result.created == 5 and result.deleted == 0
    assert Obligation.objects.filter(work_item=vi3, office=hunan).count() == 5
    again = obligations_sync(plan=plan)
    assert (again.created, again.deleted, again.due_changed, again.linked) == (0, 0, 0, 0)


def test_changed_due_date_is_copied():
    plan, q2 = plan_2012(), period("2012-Q2")
    q2.due = datetime.date(2012, 7, 31)
    q2.save()
    assert obligations_sync(plan=plan).due_changed == 480
    assert set(Obligation.objects.filter(period=q2).values_list("due", flat=True)) == {datetime.date(2012, 7, 31)}


def test_removing_a_participation_with_a_report_is_refused_and_changes_nothing(make_report):
    plan = plan_2012()
    report = make_report("guangdong", "I.5", "2012-Q1")
    assert Obligation.objects.get(report=report).office.short_name == "Guangdong"
    before = obligation_keys(plan)
    with pytest.raises(ValidationError, match="already have a report"), transaction.atomic():
        WorkItemOffice.objects.filter(work_item=item("I.5"), office=office("Guangdong")).delete()
        obligations_sync(plan=plan)
    assert obligation_keys(plan) == before
    assert WorkItemOffice.objects.filter(work_item=item("I.5"), office=office("Guangdong")).exists()


def test_removing_a_participation_without_reports_drops_its_obligations():
    plan = plan_2012()
    WorkItemOffice.objects.filter(work_item=item("I.3"), office=office("Tianjin")).delete()
    assert obligations_sync(plan=plan).deleted == 5
    assert obligation_keys(plan) == recount(plan)


def test_any_sequence_of_structure_changes_ends_equal_to_a_recount():
    """Random confirmations, removals, scope changes, responsible departments and due dates, each followed by the
    sync (as the admin does): the table always equals a recomputation from scratch."""
    plan = plan_2012()
    rng = random.Random(11)
    items = list(WorkItem.objects.filter(program__plan=plan))
    offices = list(ProvincialOffice.objects.all())
    departments = list(Department.objects.all())
    periods = list(ReportingPeriod.objects.filter(plan=plan))
    for _step in range(25):
        work_item = rng.choice(items)
        change = rng.choice(["confirm", "remove_office", "scope", "department", "remove_department", "due"])
        if change == "confirm" and work_item.office_scope != OfficeScope.ALL:
            WorkItemOffice.objects.get_or_create(work_item=work_item, office=rng.choice(offices))
        elif change == "remove_office":
            link = WorkItemOffice.objects.filter(work_item=work_item).first()
            if link:
                link.delete()
        elif change == "scope":
            work_item.office_scope = rng.choice([OfficeScope.ALL, OfficeScope.LISTED, OfficeScope.NONE])
            work_item.office_condition = ""
            work_item.save()
        elif change == "department":
            taken = set(work_item.department_links.values_list("position", flat=True))
            WorkItemDepartment.objects.get_or_create(
                work_item=work_item,
                department=rng.choice(departments),
                defaults={"position": max(taken, default=0) + 1},
            )
        elif change == "remove_department":
            link = WorkItemDepartment.objects.filter(work_item=work_item).first()
            if link:
                link.delete()
        elif change == "due":
            changed = rng.choice(periods)
            changed.due = changed.due + datetime.timedelta(days=rng.randint(0, 10))
            changed.save()
        plan_structure_changed.send(sender=Plan, plan=plan)
        assert obligation_keys(plan) == recount(plan), change
        dues = dict(ReportingPeriod.objects.filter(plan=plan).values_list("pk", "due"))
        assert all(
            dues[p] == due for p, due in Obligation.objects.filter(period__plan=plan).values_list("period_id", "due")
        )


def test_sync_obligations_command_repairs_the_table(capsys):
    plan = plan_2012()
    Obligation.objects.filter(period=period("2012-Q3"), office=office("Hainan")).delete()
    Obligation.objects.create(
        work_item=item("II.1"), period=period("2012-Q3"), office=office("Hainan"), due=datetime.date(2012, 1, 1)
    )
    call_command("sync_obligations")
    assert obligation_keys(plan) == recount(plan)
    assert "Obligations in step" in capsys.readouterr().out


def test_load_plan_refuses_to_drop_a_reported_participation(make_report, tmp_path, settings):
    make_report("tianjin", "I.3", "2012-Q1")
    fixture = settings.BASE_DIR / "fixtures" / "plans" / "2012.yaml"
    text = fixture.read_text(encoding="utf-8")
    before = obligation_keys(plan_2012())
    # I.3 lists Tianjin and Guangdong; a fixture naming Guangdong only would drop Tianjin's reported participation.
    edited = tmp_path / "2012.yaml"
    marker = text.index("title: Continuously improve the quality of patent examination")
    section = text[marker:]
    edited.write_text(text[:marker] + section.replace("    - Tianjin\n", "", 1), encoding="utf-8")
    with pytest.raises(FixtureError, match="already have a report"):
        plan_structure_load(paths=[edited])
    assert obligation_keys(plan_2012()) == before


def test_database_refuses_an_obligation_of_two_organisations_or_a_duplicate():
    with pytest.raises(IntegrityError, match=r"obligation_exactly_one_organisation|CHECK"), transaction.atomic():
        Obligation.objects.bulk_create(
            [
                Obligation(
                    work_item=item("I.1"),
                    period=period(),
                    office=office("Hunan"),
                    department=Department.objects.first(),
                    due=datetime.date(2012, 4, 15),
                )
            ]
        )
    with pytest.raises(IntegrityError, match=r"obligation_unique_per_office|UNIQUE"), transaction.atomic():
        Obligation.objects.bulk_create(
            [Obligation(work_item=item("I.1"), period=period(), office=office("Hunan"), due=datetime.date(2012, 4, 15))]
        )


def test_a_new_report_links_to_its_obligation(make_report):
    report = make_report("hunan", "I.1", "2012-Q2")
    obligation = Obligation.objects.get(work_item=item("I.1"), period=period("2012-Q2"), office=office("Hunan"))
    assert obligation.report == report
