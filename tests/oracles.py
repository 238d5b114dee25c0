"""Independent oracles: who must report on what, recounted in Python from the plan's structure by the rule the
README states, for tests to compare the obligations (and everything built on them) with."""

from participants.models import ProvincialOffice
from programs.choices import OfficeScope
from programs.models import WorkItem
from tests import circular


def office_items(office, *, year: int = 2012) -> list[WorkItem]:
    """The items of the year's plan the office must report on: scope `all`, or listed / confirmed for it."""
    items = WorkItem.objects.filter(program__plan__year=year).select_related("program").prefetch_related("office_links")
    return [
        item
        for item in items
        if item.office_scope == OfficeScope.ALL
        or (
            item.office_scope in (OfficeScope.LISTED, OfficeScope.CONDITIONAL)
            and any(link.office_id == office.pk for link in item.office_links.all())
        )
    ]


def department_items(department, *, year: int = 2012) -> list[WorkItem]:
    """The items of the year's plan the department is responsible for."""
    return list(
        WorkItem.objects.filter(program__plan__year=year, department_links__department=department).select_related(
            "program"
        )
    )


def circular_codes_of(short_name: str) -> set[str]:
    """The items the circular makes the office take part in (conditional items: none confirmed yet)."""
    every_office = set(ProvincialOffice.objects.values_list("short_name", flat=True))
    codes = set()
    for program in circular.programs():
        for number, work_item in program["items"].items():
            offices = every_office if work_item["office_scope"] == "all" else set(work_item["offices"])
            if short_name in offices:
                codes.add(f"{program['numeral']}.{number}")
    return codes
