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
from tests.helpers import item, period
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
    demo_reports_ensure(users=accounts, program_numbers=[2])
    assert queries(analyst_client, url, {**params, "as_of": "2012-06-30"}) == budget
    assert queries(analyst_client, url, params) == budget


def changes_table(text):
    start = text.index('data-testid="compare-changes"')
    return text[start : text.index("</table>", start)]


def test_compare_lists_the_reports_that_changed_and_the_rates(accounts, analyst_client, late_report):
    guangdong = Client()
    guangdong.force_login(accounts["guangdong"])
    url = "/plans/2012/compare/"
    dates = {"as_of": "2012-06-30", "compare": "2012-07-05"}
    own = changes_table(guangdong.get(url, dates).content.decode())
    assert own.count("<tr>") == 2  # the header and one change
    assert "I.1" in own and "2012-Q1" in own and "Draft → Submitted" in own and "At risk → At risk" in own
    assert f'href="/reports/{late_report.pk}/"' in own
    # The analyst could not read the draft: no report → submitted.
    seen = changes_table(analyst_client.get(url, dates).content.decode())
    assert "no report → Submitted" in seen
    # Nothing changed between two days before the draft.
    quiet = analyst_client.get(url, {"as_of": "2012-06-01", "compare": "2012-06-10"}).content.decode()
    assert "No report changed state or status between these dates." in quiet

    response = analyst_client.get(url, dates)
    rates = {row.program: row for row in response.context["rates"]}
    whole = rates[None]
    expected = Obligation.objects.filter(period__plan__year=2012).count()
    assert (whole.first.expected, whole.first.received, whole.second.received) == (expected, 0, 1)
    assert whole.reporting_rate_change == round(100 / expected, 1)
    assert whole.first.overdue - whole.second.overdue == 1  # Q1's report, overdue then, received after
    program_i = next(row for program, row in rates.items() if program is not None and program.number == 1)
    assert (program_i.first.received, program_i.second.received, program_i.on_time_rate_change) == (0, 1, 0.0)


@pytest.mark.parametrize(
    "params",
    [{"as_of": "2012-06-30"}, {"compare": "2012-06-30"}, {"as_of": "2012-06-30", "compare": "x"}, {"as_of": "x"}],
)
def test_compare_needs_two_dates(analyst_client, params):
    response = analyst_client.get("/plans/2012/compare/", params)
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()


def test_compare_without_dates_is_the_form(analyst_client):
    response = analyst_client.get("/plans/2012/compare/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="as_of"' in text and 'name="compare"' in text and "compare-rates" not in text
    # The dashboard's picker links here, with the shown date against today.
    dashboard = analyst_client.get("/plans/2012/", {"as_of": "2012-06-30"}).content.decode()
    assert f"/plans/2012/compare/?as_of=2012-06-30&amp;compare={timezone.localdate().isoformat()}" in dashboard


def test_compare_in_chinese(analyst_client, late_report):
    response = analyst_client.get(
        "/plans/2012/compare/", {"as_of": "2012-06-30", "compare": "2012-07-05"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = response.content.decode()
    with translation.override("zh-hans"):
        for words in ("Compare two dates", "The whole plan", "Reporting rate"):
            assert translation.gettext(words) != words
            assert translation.gettext(words) in text


def test_compare_costs_constant_queries(accounts, late_report, django_assert_num_queries):
    client = Client()
    client.force_login(accounts["guangdong"])
    params = {"as_of": "2012-06-30", "compare": "2012-09-30"}
    # The session and user, the profile (role), the plan, its periods, the rates (4 grouped) and the programs, the
    # changes counted and their page, the reporter's office (the period lock), the header's unread notifications.
    with django_assert_num_queries(14):
        assert client.get("/plans/2012/compare/", params).context["page_obj"].paginator.count == 1
    demo_reports_ensure(users=accounts, program_numbers=[2])
    with django_assert_num_queries(14):
        response = client.get("/plans/2012/compare/", params)
    assert response.context["page_obj"].paginator.count > 1


def test_the_past_view_hides_the_links_that_act(accounts):
    reviewer = Client()
    reviewer.force_login(accounts["pad"])
    now = reviewer.get("/plans/2012/").content.decode()
    then = reviewer.get("/plans/2012/", {"as_of": "2012-06-30"}).content.decode()
    queue = "in your review queue"  # the figure linking to the queue (the navigation has its own link)
    assert queue in now and "Recent activity" in now
    assert queue not in then and "Recent activity" not in then
