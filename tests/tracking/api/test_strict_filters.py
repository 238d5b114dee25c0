"""Filters never fail silently (planpromo.api.filters): an unknown query parameter is a 400 naming the allowed ones
on every list (discovered from the schema), a single-value parameter given twice is a 400, every filter of ids or
states takes the repeated and the comma form, ordering takes both forms and the names of the response's fields, and
an unreadable date-time says how to send a "+"."""

import pytest

from participants.models import ProvincialOffice
from tests.helpers import item, period, served_schema
from tracking import services
from tracking.models import Report

pytestmark = pytest.mark.django_db


def list_paths():
    schema = served_schema()
    return sorted(path for path, item_ in schema["paths"].items() if "get" in item_ and "{" not in path)


def test_the_schema_has_the_lists_this_test_covers(db):
    paths = list_paths()
    assert len(paths) >= 15
    assert {"/api/v1/updates/", "/api/v1/obligations/", "/api/v1/target-values/", "/api/v1/auth/tokens/"} <= set(paths)
    assert {"/api/v1/stats/timeline/", "/api/v1/stats/reporting-rates/", "/api/v1/stats/programs/"} <= set(paths)


@pytest.mark.parametrize("typo", ["ofice", "fields", "updated_afte"])
def test_a_typo_in_a_parameter_is_a_400_on_every_list(analyst, typo):
    for path in list_paths():
        response = analyst.get(path, {typo: "19"})
        assert response.status_code == 400, (path, response.status_code)
        [message] = response.json()[typo]
        assert message.startswith("Unknown query parameter. This endpoint takes: "), path


def test_the_400_names_the_parameters_the_list_takes(analyst):
    response = analyst.get("/api/v1/updates/", {"ofice": 19})
    names = response.json()["ofice"][0].split(": ", 1)[1].rstrip(".").split(", ")
    assert {"office", "state", "ordering", "page", "page_size", "format", "updated_after"} <= set(names)
    assert "fields" not in names
    # What is not paged takes no page; a detail takes no filter.
    timeline = analyst.get("/api/v1/stats/timeline/", {"page": 2}).json()["page"][0]
    assert "interval" in timeline and "page" not in timeline.split(": ", 1)[1]
    assert analyst.get(f"/api/v1/work-items/{item('I.1').pk}/", {"office": 1}).status_code == 400


def test_a_single_value_parameter_given_twice_is_a_400(analyst):
    for path, name in [
        ("/api/v1/updates/", "year"),
        ("/api/v1/updates/", "updated_after"),
        ("/api/v1/updates/", "page"),
        ("/api/v1/obligations/", "overdue"),
        ("/api/v1/stats/programs/", "office"),
        ("/api/v1/stats/reporting-rates/", "year"),
    ]:
        response = analyst.get(f"{path}?{name}=2012&{name}=2013")
        assert response.status_code == 400, (path, name)
        assert response.json()[name] == ["Give this parameter once: it takes one value."]


@pytest.fixture
def reports(make_report, accounts):
    """Guangdong: a draft on I.1 and a submitted I.2; Hunan: a submitted I.1; Tianjin: an accepted I.1."""
    make_report("guangdong", "I.1")
    services.report_submit(report=make_report("guangdong", "I.2"), user=accounts["guangdong"])
    services.report_submit(report=make_report("hunan", "I.1"), user=accounts["hunan"])
    tianjin = services.report_submit(report=make_report("tianjin", "I.1"), user=accounts["tianjin"])
    services.report_accept(report=tianjin, user=accounts["pad"], comment="")
    return {(r.office.short_name, r.work_item.code): r for r in Report.objects.select_related("office", "work_item")}


def ids(response):
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_several_offices_repeated_or_comma_separated(reports, client_for):
    client = client_for("admin")
    guangdong, hunan = (ProvincialOffice.objects.get(short_name=n).pk for n in ("Guangdong", "Hunan"))
    expected = {r.pk for key, r in reports.items() if key[0] in {"Guangdong", "Hunan"}}
    assert len(expected) == 3
    assert ids(client.get(f"/api/v1/updates/?office={guangdong}&office={hunan}")) == expected
    assert ids(client.get(f"/api/v1/updates/?office={guangdong},{hunan}")) == expected
    assert ids(client.get(f"/api/v1/updates/?office={guangdong}")) == {
        r.pk for key, r in reports.items() if key[0] == "Guangdong"
    }
    # An unknown id among them is named, not dropped.
    response = client.get(f"/api/v1/updates/?office={guangdong},999999")
    assert response.status_code == 400 and "999999" in response.json()["office"][0]


def test_several_states_and_items_both_ways_on_updates_obligations_and_target_values(reports, client_for):
    client = client_for("admin")
    received = {r.pk for r in reports.values() if r.state in {"submitted", "accepted"}}
    assert ids(client.get("/api/v1/updates/?state=submitted,accepted")) == received
    assert ids(client.get("/api/v1/updates/?state=submitted&state=accepted")) == received
    items = f"{item('I.1').pk},{item('I.2').pk}"
    assert ids(client.get(f"/api/v1/updates/?work_item={items}")) == {r.pk for r in reports.values()}
    q1 = period("2012-Q1").pk
    rows = client.get(f"/api/v1/obligations/?period={q1}&work_item={items}&state=draft,submitted&page_size=500")
    assert {row["report"] for row in rows.json()["results"]} == {
        r.pk for r in reports.values() if r.state in {"draft", "submitted"}
    }
    repeated = client.get(
        f"/api/v1/obligations/?period={q1}&work_item={items}&state=draft&state=submitted&page_size=500"
    )
    assert repeated.json()["results"] == rows.json()["results"]


def test_work_items_take_several_programs_and_departments(analyst):
    from programs.models import Program

    one, two = Program.objects.filter(plan__year=2012, number__in=[1, 2]).order_by("number")
    both = analyst.get(f"/api/v1/work-items/?program={one.pk},{two.pk}&page_size=100").json()
    assert both["count"] == one.work_items.count() + two.work_items.count()
    again = analyst.get(f"/api/v1/work-items/?program={one.pk}&program={two.pk}&page_size=100").json()
    assert again["count"] == both["count"]


def test_ordering_takes_both_forms(reports, client_for):
    client = client_for("admin")
    received = "state=submitted,accepted"
    comma = client.get(f"/api/v1/updates/?{received}&ordering=-submitted_at,id")
    repeated = client.get(f"/api/v1/updates/?{received}&ordering=-submitted_at&ordering=id")
    order = [row["id"] for row in comma.json()["results"]]
    assert order == [row["id"] for row in repeated.json()["results"]]
    by_submission = sorted((r for r in reports.values() if r.submitted_at), key=lambda r: r.submitted_at, reverse=True)
    assert order == [r.pk for r in by_submission]
    assert [
        row["id"] for row in client.get(f"/api/v1/updates/?{received}&ordering=submitted_at").json()["results"]
    ] == [r.pk for r in reversed(by_submission)]


def test_statistics_order_by_the_names_of_their_fields(analyst):
    for path, keys in [
        ("/api/v1/stats/programs/", ["work_items", "-expected", "reporting_rate", "-on_time_rate", "name"]),
        ("/api/v1/stats/offices/", ["work_items", "-due", "short_name", "-reporting_rate"]),
        ("/api/v1/stats/work-items/", ["offices_reported", "-offices_expected", "title", "reporting_rate"]),
    ]:
        for key in keys:
            response = analyst.get(path, {"year": 2012, "ordering": key, "page_size": 100})
            assert response.status_code == 200, (path, key, response.content[:200])
            rows = response.json()["results"]
            field = key.removeprefix("-")
            values = [row[field] for row in rows]
            present = [v for v in values if v is not None]
            assert present == sorted(present, reverse=key.startswith("-")), (path, key)
            assert values[: len(present)] == present, (path, key)  # none expected: last
    response = analyst.get("/api/v1/stats/programs/", {"ordering": "work_item_count"})
    assert response.status_code == 400 and "work_items" in response.json()["ordering"][0]


def test_an_unencoded_plus_in_a_date_time_says_to_send_2b(analyst):
    response = analyst.get("/api/v1/updates/?updated_after=2024-04-01T00:00:00+08:00")
    assert response.status_code == 400
    [message] = response.json()["updated_after"]
    assert "%2B" in message
    assert analyst.get("/api/v1/updates/?updated_after=2024-04-01T00:00:00%2B08:00").status_code == 200
