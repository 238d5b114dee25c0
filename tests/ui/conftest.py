import pytest

from participants.models import ProvincialOffice
from programs.models import WorkItem
from tests.helpers import compile_catalogues


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
