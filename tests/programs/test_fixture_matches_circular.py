"""The 2012 plan as loaded from fixtures/ against the circular's own text (shared/seed/).

Expectations are read off the circular by tests/circular.py, not copied from the fixture, so a fixture that
drifts from the circular by one letter fails here.
"""

import re

import pytest

from participants.models import Department, DepartmentAlias, ProvincialOffice
from programs.models import Plan, Program, WorkItem
from tests import circular

pytestmark = pytest.mark.django_db


def resolve(spelling: str) -> Department:
    department = Department.objects.filter(name=spelling).first()
    return department or DepartmentAlias.objects.get(spelling=spelling).department


def test_circular_has_ten_programs_and_thirty_four_work_items():
    programs = circular.programs()
    assert [p["numeral"] for p in programs] == circular.NUMERALS
    assert sum(len(p["items"]) for p in programs) == 34
    assert "Promotion of the patent strategy in 2012 will include 10 programs." in circular.paragraphs()


def test_plan_metadata_matches_circular():
    plan = Plan.objects.get(year=2012)
    paragraphs = circular.paragraphs()
    assert plan.circular_title == paragraphs[0]
    assert plan.document_number == "G. ZH. F. G. Z. [2011] No. 139" == paragraphs[1]
    assert plan.title in paragraphs
    assert plan.issued_on.strftime("%B %-d, %Y") in paragraphs
    assert plan.strategy in paragraphs[7]
    assert plan.programs.count() == 10


@pytest.mark.parametrize("expected", circular.programs(), ids=lambda p: p["numeral"])
def test_program_matches_circular(expected):
    program = Program.objects.with_team().get(plan__year=2012, number=expected["number"])
    assert program.numeral == expected["numeral"]
    assert program.name == expected["name"]
    assert program.objective == expected["objective"]
    assert program.lead_departments == [resolve(name) for name in expected["lead"]]
    assert program.participant_departments == [resolve(name) for name in expected["participants"]]
    assert sorted(program.work_items.values_list("number", flat=True)) == sorted(expected["items"])


def _all_items():
    return [(p["numeral"], item) for p in circular.programs() for item in p["items"].values()]


@pytest.mark.parametrize(("numeral", "expected"), _all_items(), ids=lambda v: v if isinstance(v, str) else "")
def test_work_item_matches_circular(numeral, expected):
    item = WorkItem.objects.with_structure().get(
        program__plan__year=2012, program__number=circular.NUMERALS.index(numeral) + 1, number=expected["number"]
    )
    assert item.code == f"{numeral}.{expected['number']}"
    assert item.title == expected["title"]
    assert item.text == expected["text"]
    assert item.responsible_departments == [resolve(name) for name in expected["departments"]]
    assert item.office_scope == expected["office_scope"]
    assert item.office_condition == expected["office_condition"]
    if item.office_scope == "listed":
        # `position` keeps the circular's order (pages list offices by code: participants.models.office_order).
        links = sorted(item.office_links.all(), key=lambda link: link.position)
        assert [link.office.short_name for link in links] == expected["offices"]
    else:
        assert item.office_links.count() == 0  # `all` resolves at read time; `conditional` awaits staff


def test_every_department_and_alias_is_named_by_the_circular():
    spellings = set()
    for program in circular.programs():
        spellings.update(program["lead"], program["participants"])
        for item in program["items"].values():
            spellings.update(item["departments"])
    canonical = set(Department.objects.values_list("name", flat=True))
    aliases = set(DepartmentAlias.objects.values_list("spelling", flat=True))
    assert spellings == canonical | aliases
    assert aliases == {
        "Patent Affairs Administration Department",
        "Human Resources Development",
        "Patent Examination Department",
    }
    assert all(alias.reason for alias in DepartmentAlias.objects.all())


def test_offices_are_the_32_provincial_offices():
    offices = ProvincialOffice.objects.all()
    kinds = sorted(offices.values_list("kind", flat=True))
    assert len(kinds) == 32
    assert kinds.count("province") == 22
    assert kinds.count("autonomous_region") == 5
    assert kinds.count("municipality") == 4
    assert kinds.count("corps") == 1
    assert ProvincialOffice.objects.get(kind="corps").code is None
    assert ProvincialOffice.objects.get(short_name="Guangdong").code == "440000"
    named = {name for p in circular.programs() for item in p["items"].values() for name in item["offices"]}
    assert named <= set(offices.values_list("short_name", flat=True))


@pytest.mark.parametrize(("numeral", "expected"), _all_items(), ids=lambda v: v if isinstance(v, str) else "")
def test_targets_are_the_numbers_the_text_commits_to(numeral, expected):
    item = WorkItem.objects.get(
        program__plan__year=2012, program__number=circular.NUMERALS.index(numeral) + 1, number=expected["number"]
    )
    for target in item.targets.all():
        assert target.source in expected["text"]
        number = int(re.search(r"\d[\d,]*", target.source)[0].replace(",", ""))
        assert number == target.quantity
        assert ("about" in target.source.split()) == target.approximate
    # The circular's commitments: these items carry targets, and no other does.
    committed = {("IV", 2): 1, ("IV", 3): 2, ("V", 3): 1, ("VI", 4): 1, ("X", 2): 1}
    assert item.targets.count() == committed.get((numeral, expected["number"]), 0)
