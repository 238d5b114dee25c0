import pytest
from rest_framework.test import APIClient

from tests.helpers import FIELDS, item, period
from tracking import services


@pytest.fixture
def client_for(accounts):
    def make(username):
        client = APIClient()
        client.force_authenticate(accounts[username])
        return client

    return make


@pytest.fixture
def analyst(client_for):
    """The API as the analyst (reads everything published, writes nothing)."""
    return client_for("analyst")


@pytest.fixture
def make_report(accounts):
    """A report created through the service, by the demo account acting for its organisation."""

    def make(username="guangdong", code="I.1", label="2012-Q1", **fields):
        return services.report_create(
            user=accounts[username], work_item=item(code), period=period(label), fields={**FIELDS, **fields}
        )

    return make
