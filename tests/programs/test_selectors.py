"""'Which offices take part in item X' and 'which items does office Y take part in': one query each, every scope."""

import pytest

from participants.models import ProvincialOffice
from programs.models import WorkItem, WorkItemOffice
from programs.selectors import offices_participating_in

pytestmark = pytest.mark.django_db


def item(program, number):
    return WorkItem.objects.get(program__plan__year=2012, program__number=program, number=number)


@pytest.mark.parametrize(
    ("program", "number", "expected"),
    [
        (1, 1, "all"),  # scope all: the 32 offices
        (1, 3, {"Tianjin", "Guangdong"}),  # listed
        (1, 5, {"Guangdong"}),  # "Guangdong IP Office participates in Work Item 5."
        (6, 3, set()),  # conditional, nothing confirmed yet
    ],
)
def test_offices_participating_in_item(django_assert_num_queries, program, number, expected):
    work_item = item(program, number)
    with django_assert_num_queries(1):
        names = set(offices_participating_in(work_item).values_list("short_name", flat=True))
    if expected == "all":
        expected = set(ProvincialOffice.objects.values_list("short_name", flat=True))
        assert len(expected) == 32
    assert names == expected


def test_confirmed_office_of_conditional_item_participates(django_assert_num_queries):
    work_item = item(6, 3)
    hunan = ProvincialOffice.objects.get(short_name="Hunan")
    WorkItemOffice.objects.create(work_item=work_item, office=hunan)
    with django_assert_num_queries(1):
        assert list(offices_participating_in(work_item)) == [hunan]
    with django_assert_num_queries(1):
        assert work_item in list(WorkItem.objects.for_office(hunan))


def test_items_for_office_guangdong(django_assert_num_queries):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    with django_assert_num_queries(1):
        codes = {i.code for i in WorkItem.objects.for_office(guangdong).select_related("program")}
    # Guangdong is in most lists, but not in II.1 or VIII.1, and VI.3 (conditional) has no confirmation yet.
    assert {"I.1", "I.2", "I.3", "I.4", "I.5", "III.1", "II.2", "X.3"} <= codes
    assert not {"II.1", "VI.3", "VIII.1"} & codes
    tibet = ProvincialOffice.objects.get(short_name="Tibet")
    assert {i.code for i in WorkItem.objects.for_office(tibet).select_related("program")} == {
        "I.1",
        "I.2",
        "I.4",
        "III.1",
        "III.2",
        "III.3",
    }
