"""`?as_of=YYYY-MM-DD` on the statistics and the obligations: the plan as it stood at the end of that day."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests import oracles
from tests.helpers import item, office, period
from tracking import asof, services
from tracking.demo import demo_reports_ensure
from tracking.models import Obligation

pytestmark = pytest.mark.django_db

JUNE_30 = datetime.date(2012, 6, 30)
ENDPOINTS = ["programs", "offices", "work-items", "timeline", "reporting-rates"]


@pytest.fixture
def demo(accounts):
    demo_reports_ensure(users=accounts, program_numbers=[1, 7])


def results(response):
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def test_program_stats_as_of_equal_a_recount_from_the_history(demo, client_for):
    client = client_for("analyst")
    rows = results(client.get("/api/v1/stats/programs/", {"year": 2012, "as_of": "2012-06-30"}))
    now = results(client.get("/api/v1/stats/programs/", {"year": 2012}))
    before = asof.end_of_day(JUNE_30)
    for row in rows:
        obligations = Obligation.objects.filter(period__plan__year=2012, work_item__program_id=row["id"])
        recount = oracles.recount_as_of(obligations, before=before, today=JUNE_30)
        assert {k: row[k] for k in ("expected", "received", "accepted", "on_time", "overdue")} == {
            k: recount[k] for k in ("expected", "received", "accepted", "on_time", "overdue")
        }
    assert sum(r["received"] for r in rows) < sum(r["received"] for r in now)
    rates = results(client.get("/api/v1/stats/reporting-rates/", {"year": 2012, "as_of": "2012-06-30"}))[0]
    recount = oracles.recount_as_of(Obligation.objects.filter(period__plan__year=2012), before=before, today=JUNE_30)
    assert (rates["expected"], rates["received"], rates["overdue"]) == (
        recount["expected"],
        recount["received"],
        recount["overdue"],
    )


def test_as_of_today_answers_as_without(demo, client_for):
    client = client_for("analyst")
    today = timezone.localdate().isoformat()
    for name in ENDPOINTS:
        url = f"/api/v1/stats/{name}/"
        assert results(client.get(url, {"year": 2012, "as_of": today})) == results(client.get(url, {"year": 2012}))
    url = "/api/v1/obligations/"
    assert results(client.get(url, {"year": 2012, "page_size": 500, "as_of": today})) == results(
        client.get(url, {"year": 2012, "page_size": 500})
    )


@pytest.mark.parametrize("name", [*ENDPOINTS, "obligations"])
@pytest.mark.parametrize("value", ["2012-13-01", "30 June 2012", "2012-6-30", "2012-06-30T12:00", "%", "9999-12-31"])
def test_bad_as_of_is_400(accounts, client_for, name, value):
    url = "/api/v1/obligations/" if name == "obligations" else f"/api/v1/stats/{name}/"
    response = client_for("analyst").get(url, {"as_of": value})
    assert response.status_code == 400
    message = "Enter a date no later than today." if value == "9999-12-31" else "Enter a date as YYYY-MM-DD."
    assert response.json()["as_of"] == [message]


@pytest.mark.parametrize("name", [*ENDPOINTS, "obligations"])
@pytest.mark.parametrize("value", ["", "  "])
def test_blank_as_of_means_now_everywhere(accounts, client_for, name, value):
    """One reading of `as_of` for the statistics and the obligations (tracking.api.stats.AsOfField): blank is now."""
    url = "/api/v1/obligations/" if name == "obligations" else f"/api/v1/stats/{name}/"
    client = client_for("analyst")
    assert results(client.get(url, {"year": 2012, "as_of": value})) == results(client.get(url, {"year": 2012}))


def test_the_future_is_refused_and_tomorrow_too(accounts, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for("analyst").get("/api/v1/stats/programs/", {"as_of": tomorrow})
    assert response.status_code == 400
    assert response.json()["as_of"] == ["Enter a date no later than today."]


def test_obligations_as_of_show_the_report_as_it_stood(accounts, client_for):
    guangdong = accounts["guangdong"]
    with time_machine.travel(datetime.datetime(2012, 7, 5, 2, tzinfo=datetime.UTC), tick=False):
        report = services.report_create(
            user=guangdong,
            work_item=item("I.1"),
            period=period("2012-Q2"),
            fields={"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted."},
        )
    with time_machine.travel(datetime.datetime(2012, 7, 20, 2, tzinfo=datetime.UTC), tick=False):
        services.report_submit(report=report, user=guangdong)
    query = {"work_item": item("I.1").pk, "period": period("2012-Q2").pk, "office": office("Guangdong").pk}

    def row(username, day):
        rows = results(client_for(username).get("/api/v1/obligations/", {**query, "as_of": day}))
        assert len(rows) == 1
        return {k: rows[0][k] for k in ("report", "state", "first_submitted_at", "on_time", "overdue")}

    due = period("2012-Q2").due
    assert row("guangdong", JUNE_30.isoformat()) == {
        "report": None,
        "state": "missing",
        "first_submitted_at": None,
        "on_time": None,
        "overdue": False,
    }
    # A draft on 10 July, past due if Q2 was due by then.
    assert row("guangdong", "2012-07-10") == {
        "report": report.pk,
        "state": "draft",
        "first_submitted_at": None,
        "on_time": None,
        "overdue": due < datetime.date(2012, 7, 10),
    }
    submitted = row("guangdong", "2012-07-20")
    assert (submitted["report"], submitted["state"]) == (report.pk, "submitted")
    assert submitted["first_submitted_at"].startswith("2012-07-20T10:00:00")
    assert submitted["on_time"] == (datetime.date(2012, 7, 20) <= due)
    # Another office sees the draft of 10 July as missing (it could not read it then), the submission as submitted.
    assert row("hunan", "2012-07-10")["state"] == "missing"
    assert row("hunan", "2012-07-20")["state"] == "submitted"
    # The overdue filter judges on the as_of date.
    overdue = results(
        client_for("guangdong").get("/api/v1/obligations/", {**query, "as_of": "2012-07-10", "overdue": "true"})
    )
    assert len(overdue) == (1 if due < datetime.date(2012, 7, 10) else 0)
    not_overdue = results(
        client_for("guangdong").get("/api/v1/obligations/", {**query, "as_of": "2012-07-20", "overdue": "true"})
    )
    assert not_overdue == []


@pytest.mark.parametrize("name", ENDPOINTS)
def test_as_of_stats_queries_are_constant(accounts, client_for, django_assert_num_queries, name):
    """The same budget as without as_of (tests/tracking/api/test_stats.py), at two sizes; work items one more once
    a report was received by then: the reports received then are read before their target values' versions
    (tracking.asof.received_reports_then; with none, the values' query is not run)."""
    client = client_for("analyst")
    url = f"/api/v1/stats/{name}/"
    # The ETag's query (the reports' latest change), then the figures.
    budget = 1 + {"programs": 4, "offices": 3, "work-items": 6, "timeline": 3, "reporting-rates": 2}[name]
    with django_assert_num_queries(budget):
        client.get(url, {"year": 2012, "as_of": "2012-06-30"})
    demo_reports_ensure(users=accounts, program_numbers=[5])
    demo_reports_ensure(users=accounts, program_numbers=[6])
    with django_assert_num_queries(budget + (name == "work-items")):
        assert client.get(url, {"year": 2012, "as_of": "2012-06-30"}).status_code == 200


def test_as_of_obligations_queries_are_constant(accounts, client_for, django_assert_num_queries):
    client = client_for("analyst")
    client.get("/api/v1/obligations/", {"year": 2012, "page_size": 1})  # the structure, into the shared cache
    # count (with the ETag's latest change), the page with its reports and their versions then
    with django_assert_num_queries(2):
        client.get("/api/v1/obligations/", {"year": 2012, "page_size": 500, "as_of": "2012-09-30"})
    demo_reports_ensure(users=accounts, program_numbers=[3])
    with django_assert_num_queries(2):
        rows = results(client.get("/api/v1/obligations/", {"year": 2012, "page_size": 500, "as_of": "2012-09-30"}))
    assert any(r["state"] != "missing" for r in rows)


@pytest.mark.parametrize("username", ["admin", "pad", "guangdong", "analyst"])
def test_every_role_reads_the_past_as_it_could_then(accounts, client_for, username, make_report):
    """A draft of Guangdong's written now: as of today each role sees what it sees without as_of (the draft for
    those who may read it, missing for the analyst); as of 2012 nobody sees a report."""
    report = make_report("guangdong", "I.1", "2012-Q1")
    today = timezone.localdate().isoformat()
    query = {"work_item": item("I.1").pk, "period": period("2012-Q1").pk, "office": office("Guangdong").pk}
    client = client_for(username)
    now = results(client.get("/api/v1/obligations/", query))
    then_today = results(client.get("/api/v1/obligations/", {**query, "as_of": today}))
    in_2012 = results(client.get("/api/v1/obligations/", {**query, "as_of": "2012-12-31"}))
    assert then_today == now
    readers = {"admin", "guangdong", "pad"}  # pad: the Patent Administration Department is responsible for I.1
    assert now[0]["state"] == ("draft" if username in readers else "missing")
    assert now[0]["report"] == (report.pk if username in readers else None)
    assert in_2012[0]["state"] == "missing" and in_2012[0]["report"] is None
