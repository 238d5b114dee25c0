"""Helpers the tests share (fixtures are in tests/conftest.py; no test imports from a conftest)."""

from django.conf import settings
from django.core.management import call_command

from participants.models import Department, ProvincialOffice
from programs.models import ReportingPeriod, WorkItem

# The demo accounts' password (the `accounts` fixture); tests.factories.UserFactory's is USER_PASSWORD.
PASSWORD = "demo-password-for-tests"
USER_PASSWORD = "correct-horse-battery"

# A report's fields that the services accept.
FIELDS = {"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted with the finance bureau."}


def item(code: str) -> WorkItem:
    """The 2012 plan's work item of a code such as "IV.2"."""
    numeral, number = code.split(".")
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    return WorkItem.objects.select_related("program").get(
        program__plan__year=2012, program__number=numerals.index(numeral) + 1, number=int(number)
    )


def period(label: str = "2012-Q1") -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__year=2012, label=label)


def office(short_name: str) -> ProvincialOffice:
    return ProvincialOffice.objects.get(short_name=short_name)


def department(name: str) -> Department:
    return Department.objects.get(name=name)


def compile_catalogues():
    """Compile locale/*.po when a .mo is missing or older than its .po: `make setup` does it, and this keeps a
    bare `pytest` after `make messages` from testing yesterday's translations."""
    for locale_dir in settings.LOCALE_PATHS:
        for po in locale_dir.glob("*/LC_MESSAGES/django.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                call_command(
                    "compilemessages",
                    locale=[po.parent.parent.name],
                    ignore_patterns=[".venv", "node_modules", "var"],
                    verbosity=0,
                )


def served_schema() -> dict:
    """The OpenAPI schema as /api/schema/ serves it, in JSON."""
    from rest_framework.test import APIClient

    return APIClient().get("/api/schema/", {"format": "json"}).json()
