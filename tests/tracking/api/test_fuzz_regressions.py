"""Requests the API fuzzer (tests/fuzz) found answered wrongly, kept as plain tests so that they run every time."""

import jsonschema
import pytest

from tests.helpers import item, served_schema

pytestmark = pytest.mark.django_db

HUGE = "12417898340107481088"  # past SQLite's and PostgreSQL's 64-bit integers


@pytest.mark.parametrize(
    "query",
    [
        f"period={HUGE}",
        f"period={HUGE}&period=7234769221",
        f"period=7234769221,{HUGE}",
        f"ordering=due,-id&period={HUGE}&period=7234769221&program=-164161363&program=-204190587",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/obligations/", "/api/v1/target-values/", "/api/v1/updates/"])
def test_an_id_or_year_past_the_integers_is_a_400_not_a_500(analyst, path, query):
    response = analyst.get(f"{path}?{query}")
    assert response.status_code == 400, (response.status_code, response.content[:300])


@pytest.mark.parametrize("path", ["/api/v1/obligations/", "/api/v1/target-values/", "/api/v1/updates/"])
def test_a_year_past_the_integers_selects_nothing_as_any_other_year_without_a_plan(analyst, path):
    response = analyst.get(path, {"year": HUGE})
    assert (response.status_code, response.json()["count"]) == (200, 0), response.content[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/updates/?period=²",
        "/api/v1/updates/?office=²",
        "/api/v1/updates/?format=csv&period=²",
        "/api/v1/obligations/?period=²",
        "/api/v1/obligations/?year=²",
        "/api/v1/obligations/?period=٣",
    ],
)
def test_a_digit_that_is_not_an_ascii_digit_is_a_400_not_a_500(client_for, url):
    """ "²" passes str.isdigit() and fails int(); "٣" passes both, as 3 (planpromo.numbers.as_id)."""
    for role in ("admin", "guangdong"):
        response = client_for(role).get(url)
        assert response.status_code == 400, (role, response.status_code, response.content[:300])


def bad_request_schema(document, path):
    return document["paths"][path]["get"]["responses"]["400"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("name", ["detail", "non_field_errors"])
def test_a_parameter_named_like_an_error_key_gets_a_400_that_its_schema_describes(analyst, name):
    """`?detail=x` is an unknown parameter like any other; its 400 is keyed by its name, a list of messages, and
    the schema must allow that as well as the string `detail` of an unreadable body."""
    document = served_schema()
    paths = {
        "/api/v1/updates/": "/api/v1/updates/",
        "/api/v1/obligations/": "/api/v1/obligations/",
        f"/api/v1/work-items/{item('I.1').pk}/": "/api/v1/work-items/{id}/",
    }
    for url, path in paths.items():
        response = analyst.get(url, {name: "x"})
        assert response.status_code == 400, url
        assert response.json()[name][0].startswith("Unknown query parameter."), url
        jsonschema.validate(response.json(), bad_request_schema(document, path))


@pytest.mark.parametrize(
    "query",
    [
        "updated_before=0001-01-01T01:00:00%2B03:00",
        "updated_after=9999-12-31T23:00:00-05:00",
        "submitted_after=0001-01-01T01:00:00",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/obligations/", "/api/v1/target-values/", "/api/v1/updates/"])
def test_a_time_that_leaves_the_calendar_in_utc_is_a_400_not_a_500(analyst, path, query):
    """0001-01-01T01:00+03:00 is a valid ISO 8601 time whose UTC instant is in year 0, which Python's datetime
    cannot hold (OverflowError when the database adapts it)."""
    if path == "/api/v1/obligations/" and query.startswith("submitted_after"):
        query = query.replace("submitted_after", "updated_after")
    response = analyst.get(f"{path}?{query}")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    [name] = response.json()
    assert response.json()[name] == ["Enter a time between the years 1 and 9999 in UTC."]
