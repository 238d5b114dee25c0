import pytest
from django.conf import settings
from django.core.management import call_command

from participants.models import ProvincialOffice
from programs.models import WorkItem


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


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    compile_catalogues()


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def guangdong(db):
    return ProvincialOffice.objects.get(short_name="Guangdong")


@pytest.fixture
def item(db):
    """II.3, "Explore the setup of a patent utilization system": listed offices, one responsible department."""
    return WorkItem.objects.with_structure().get(program__plan__year=2012, program__number=2, number=3)
