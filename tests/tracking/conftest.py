import pytest
from rest_framework.test import APIClient

from participants.models import Department, ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tracking import services
from tracking.demo import demo_accounts_ensure

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def accounts(db):
    """The demo accounts: admin, pad, pdd (department staff), guangdong, hunan, tianjin (office reporters), analyst."""
    _, users = demo_accounts_ensure(password=PASSWORD)
    return users


@pytest.fixture
def client_for(accounts):
    def make(username):
        client = APIClient()
        client.force_authenticate(accounts[username])
        return client

    return make


def item(code: str) -> WorkItem:
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


FIELDS = {"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted with the finance bureau."}


@pytest.fixture
def make_report(accounts):
    """A report created through the service, by the demo account acting for its organisation."""

    def make(username="guangdong", code="I.1", label="2012-Q1", **fields):
        return services.report_create(
            user=accounts[username], work_item=item(code), period=period(label), fields={**FIELDS, **fields}
        )

    return make
