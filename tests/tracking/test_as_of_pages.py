"""The pages with `?as_of=`: the dashboard, the matrix, the work item page and the completeness page (and its
files) show the plan as it stood at the end of that day, with a banner saying so; a date they cannot use is a 400
page with the reason; the past view costs the queries of the present one."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests import oracles
from tests.tracking.conftest import item, period
from tracking import asof, services
from tracking.demo import demo_reports_ensure
from tracking.models import Obligation

pytestmark = pytest.mark.django_db

PAGES = ["/plans/2012/", "/plans/2012/matrix/", "/plans/2012/completeness/", "/plans/2012/items/I.1/"]
BANNER = "Showing the plan as it stood on 2012-06-30 (end of day)."


@pytest.fixture
def analyst_client(accounts):
    client = Client()
    client.force_login(accounts["analyst"])
    return client


@pytest.fixture
def late_report(accounts):
    """Guangdong's report on I.1 for 2012-Q1: a draft on 20 June, submitted on 5 July (late: due in April)."""
    guangdong = accounts["guangdong"]
    with time_machine.travel(datetime.datetime(2012, 6, 20, 2, tzinfo=datetime.UTC), tick=False):
        report = services.report_create(
            user=guangdong,
            work_item=item("I.1"),
            period=period("2012-Q1"),
            fields={"status": "at_risk", "percent_complete": 30, "summary": "Guidelines drafted."},
        )
    with time_machine.travel(datetime.datetime(2012, 7, 5, 2, tzinfo=datetime.UTC), tick=False):
        services.report_update(report=report, user=guangdong, version=report.version, fields={"percent_complete": 60})
        report.refresh_from_db()
        services.report_submit(report=report, user=guangdong)
    return report


@pytest.mark.parametrize("url", PAGES)
def test_pages_show_the_past_with_a_banner(analyst_client, url):
    response = analyst_client.get(url, {"as_of": "2012-06-30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert BANNER in text
    assert 'name="as_of"' in text and 'value="2012-06-30"' in text
    assert f'max="{timezone.localdate().isoformat()}"' in text
    # Without as_of: the picker, no banner.
    now = analyst_client.get(url).content.decode()
    assert 'type="date"' in now and "Showing the plan as it stood" not in now


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("value", "message"),
    [("2012-13-40", "Enter a date as YYYY-MM-DD."), ("June", "Enter a date as YYYY-MM-DD."), ("9999-01-01", None)],
)
def test_pages_refuse_a_date_they_cannot_use(analyst_client, url, value, message):
    response = analyst_client.get(url, {"as_of": value, "format": "csv"} if "completeness" in url else {"as_of": value})
    assert response.status_code == 400
    text = response.content.decode()
    assert (message or "Enter a date no later than today.") in text
    assert 'id="as-of-date"' in text and "Back to today" in text


def test_the_banner_in_chinese(analyst_client):
    response = analyst_client.get("/plans/2012/", {"as_of": "2012-06-30"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Back to today") != "Back to today"
        assert translation.gettext("Back to today") in text
    assert "2012-06-30" in text and BANNER not in text


def test_work_item_page_shows_the_report_as_it_stood(analyst_client, accounts, late_report):
    q1 = period("2012-Q1").pk
    guangdong = Client()
    guangdong.force_login(accounts["guangdong"])

    def row(client, day):
        text = client.get("/plans/2012/items/I.1/", {"period": q1, "as_of": day}).content.decode()
        start = text.index('href="/offices/Guangdong/"')
        return text[start : text.index("</tr>", start)]

    assert "No report yet" not in row(guangdong, "2012-06-30")  # its own draft, 30 percent
    assert "30%" in row(guangdong, "2012-06-30") and "Draft" in row(guangdong, "2012-06-30")
    assert "60%" in row(guangdong, "2012-07-05") and "Submitted" in row(guangdong, "2012-07-05")
    # The analyst may not read drafts: overdue then (Q1 was due in April), the submission after.
    assert "Overdue: no report received" in row(analyst_client, "2012-06-30")
    assert "Submitted" in row(analyst_client, "2012-07-05")
    assert f'href="/reports/{late_report.pk}/"' in row(analyst_client, "2012-07-05")


def test_matrix_cell_as_it_stood(accounts, late_report):
    client = Client()
    client.force_login(accounts["guangdong"])
    q1 = period("2012-Q1").pk
    then = client.get("/plans/2012/matrix/", {"period": q1, "as_of": "2012-06-30"}).content.decode()
    later = client.get("/plans/2012/matrix/", {"period": q1, "as_of": "2012-07-05"}).content.decode()
    assert "Guangdong, I.1: Draft, At risk, 30%" in then
    assert "Guangdong, I.1: Submitted, At risk, 60%" in later
    assert "Guangdong, I.1: Submitted" not in then


def test_completeness_file_as_of_equals_the_recount(accounts, analyst_client):
    demo_reports_ensure(users=accounts, program_numbers=[1, 7])
    response = analyst_client.get("/plans/2012/completeness/", {"as_of": "2012-06-30", "format": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    recount = oracles.recount_as_of(
        Obligation.objects.filter(period__plan__year=2012),
        before=asof.end_of_day(datetime.date(2012, 6, 30)),
        today=datetime.date(2012, 6, 30),
    )
    last = rows[-1]
    assert f"{recount['received']}/{recount['expected']}" in ",".join(last) or (
        str(recount["received"]) in last and str(recount["expected"]) in last
    )


def queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context)


@pytest.mark.parametrize("url", PAGES)
def test_the_past_costs_the_queries_of_the_present(accounts, analyst_client, url):
    params = {"period": period("2012-Q2").pk}
    budget = queries(analyst_client, url, params)
    assert queries(analyst_client, url, {**params, "as_of": "2012-06-30"}) == budget
    demo_reports_ensure(users=accounts, program_numbers=[1, 2])
    assert queries(analyst_client, url, {**params, "as_of": "2012-06-30"}) == budget
    assert queries(analyst_client, url, params) == budget
