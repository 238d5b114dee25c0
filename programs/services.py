"""Writes of the plan structure: loading the fixtures that hold the plans."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from participants.models import ProvincialOffice
from programs.models import (
    Plan,
)
from programs.plan_loader import FixtureError, LoadResult, PlanLoader, messages_of
from programs.signals import plan_structure_changed

FIXTURES_DIR = settings.BASE_DIR / "fixtures"


def default_fixture_paths() -> list[Path]:
    return [
        FIXTURES_DIR / "departments.yaml",
        FIXTURES_DIR / "offices.yaml",
        *sorted((FIXTURES_DIR / "plans").glob("*.yaml")),
    ]


@transaction.atomic
def plan_structure_load(*, paths: list[Path] | None = None) -> LoadResult:
    """Load departments, offices and plans from YAML fixtures, idempotently.

    1. Read every file first: a file that is not YAML, or not of a known shape, fails before anything is written.
    2. Upsert by natural key (department name, alias spelling, office short name, plan year, program number,
       work item number), saving a row only when a value differs, so that a second run changes nothing.
    3. Make the links (teams, responsible departments, listed offices, targets) equal to the file; offices that
       staff confirmed for a conditional item are kept, as they are not in the file.
    The plan's content (programs/translation.py) is English in `title`, and Chinese in `title_zh_hans` where the
    fixture gives it; a translation missing from the fixture is emptied, so that the page falls back to English.
    Everything runs in one transaction: any error rolls all of it back and raises FixtureError.
    """
    loader = PlanLoader()
    with translation.override(settings.LANGUAGE_CODE):  # `title` reads and writes the English column
        for path in paths or default_fixture_paths():
            loader.load_file(Path(path))
    office_set_changed = any(
        counter[ProvincialOffice._meta.verbose_name_plural]
        for counter in (loader.result.created, loader.result.deleted)
    )
    plans = Plan.objects.all() if office_set_changed else loader.plans
    for plan in plans:
        try:
            plan_structure_changed.send(sender=Plan, plan=plan)
        except ValidationError as exc:
            raise FixtureError(
                loader.plan_paths.get(plan.pk, "fixtures"), f"plan ({plan.year})", messages_of(exc)
            ) from exc
    return loader.result
