"""`ordering=` and `search=` on the lists: documented names, real order, and a 400 for a name that is not offered."""

import pytest

pytestmark = pytest.mark.django_db


def results(client, url, **params):
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_work_items_order_by_code_and_title(auth_client):
    default = [item["code"] for item in results(auth_client, "/api/v1/work-items/", year=2012)]
    assert default[:3] == ["I.1", "I.2", "I.3"]
    descending = [item["code"] for item in results(auth_client, "/api/v1/work-items/", year=2012, ordering="-code")]
    assert descending == default[::-1]
    titles = [item["title"] for item in results(auth_client, "/api/v1/work-items/", year=2012, ordering="title")]
    assert titles == sorted(titles) and len(titles) == 34


def test_ordering_by_several_fields(auth_client):
    items = results(auth_client, "/api/v1/work-items/", year=2012, ordering="office_scope,-code")
    keys = [(item["office_scope"], item["program"]["number"], item["number"]) for item in items]
    assert keys == sorted(keys, key=lambda k: (k[0], -k[1], -k[2]))


def test_offices_order_by_chinese_name_and_departments_by_name(auth_client):
    names = [o["short_name"] for o in results(auth_client, "/api/v1/offices/", ordering="-short_name")]
    assert names == sorted(names, reverse=True) and len(names) == 32
    departments = [d["name"] for d in results(auth_client, "/api/v1/departments/", ordering="-name")]
    assert departments == sorted(departments, reverse=True)


@pytest.mark.parametrize(
    ("url", "ordering", "unknown"),
    [
        ("/api/v1/work-items/", "size", "'size'"),
        ("/api/v1/work-items/", "title,-program__plan__year", "'-program__plan__year'"),  # lookups are not names
        ("/api/v1/offices/", "-nonsense", "'-nonsense'"),
        ("/api/v1/plans/", "id;drop", "'id;drop'"),
    ],
)
def test_unknown_ordering_is_400_naming_the_choices(auth_client, url, ordering, unknown):
    response = auth_client.get(url, {"ordering": ordering})
    assert response.status_code == 400
    [message] = response.json()["ordering"]
    assert unknown in message and "Choose from:" in message


def test_ordering_message_lists_the_valid_names(auth_client):
    [message] = auth_client.get("/api/v1/work-items/", {"ordering": "x"}).json()["ordering"]
    assert message == (
        "Cannot order by 'x'. Choose from: year, program, code, title, office_scope (prefix '-' for descending)."
    )


def test_search_filters_and_ordering_combine(auth_client):
    items = results(auth_client, "/api/v1/work-items/", search="patent pools", ordering="-code")
    assert [item["code"] for item in items] == ["V.3", "II.2"]
    first = results(auth_client, "/api/v1/programs/", year=2012)[0]
    term = first["name"].split()[-1].upper()  # case does not matter
    programs = results(auth_client, "/api/v1/programs/", search=term)
    assert first in programs
    assert all(term.lower() in (p["name"] + p["objective"]).lower() for p in programs)
    assert results(auth_client, "/api/v1/offices/", search="广东") == results(
        auth_client, "/api/v1/offices/", search="Guangdong"
    )


def test_a_list_built_in_python_cannot_be_ordered(rf):
    from rest_framework.request import Request

    from planpromo.api.filters import OrderingFilter

    request = Request(rf.get("/", {"ordering": "x"}))
    with pytest.raises(Exception, match="cannot be ordered"):
        OrderingFilter().filter_queryset(request, [1, 2], view=None)
    assert OrderingFilter().filter_queryset(Request(rf.get("/")), [2, 1], view=None) == [2, 1]


@pytest.mark.parametrize(
    "path", ["/api/v1/updates/", "/api/v1/work-items/", "/api/v1/obligations/", "/api/v1/programs/"]
)
def test_an_id_too_large_for_the_database_is_a_400(auth_client, path):
    """The fuzzer's find: an id beyond a 64-bit integer overflowed SQLite's driver (a 500)."""
    name = "department" if path == "/api/v1/programs/" else "office"
    response = auth_client.get(path, {name: ["3", "909851321972533395193856"]})
    assert response.status_code == 400, response.content[:300]
    assert name in response.json()


def test_a_percent_sign_in_an_id_is_a_400_not_a_500(auth_client):
    """The fuzzer's find on PostgreSQL: the refusal's message was %-formatted twice."""
    response = auth_client.get("/api/v1/work-items/", {"office": ["%‹", "|"]})
    assert response.status_code == 400
    assert "office" in response.json()


def test_a_time_zone_offset_beyond_the_databases_is_a_400(auth_client):
    """The fuzzer's find on PostgreSQL: +16:43 is a valid Python offset, and a database error (500)."""
    response = auth_client.get("/api/v1/updates/", {"updated_before": "0362-03-26T22:34:10+16:43"})
    assert response.status_code == 400
    assert "updated_before" in response.json()
