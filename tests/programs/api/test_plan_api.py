"""The read-only plan API: contract, filters, authentication, errors, and query counts."""

import pytest
from django.urls import reverse

from participants.models import Department, ProvincialOffice
from programs.models import WorkItem
from tests import circular
from tests.factories import ProgramFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

LISTS = ["plans", "departments", "offices", "programs", "work-items", "periods"]


def all_results(client, url, **params):
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"])
    return body["results"]


@pytest.mark.parametrize("name", LISTS)
def test_anonymous_gets_401_json_and_no_data(api_client, name):
    response = api_client.get(f"/api/v1/{name}/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


def test_token_authentication(api_client, user):
    from participants.models import ApiToken

    _, token = ApiToken.objects.create(user=user)
    response = api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Token nonsense").status_code == 401


def test_plans_contract(auth_client):
    [plan] = all_results(auth_client, "/api/v1/plans/")
    assert plan == {
        "id": plan["id"],
        "year": 2012,
        "title": "Promotional Plan for National Patent Development Strategy in 2012",
        "document_number": "G. ZH. F. G. Z. [2011] No. 139",
        "issued_on": "2011-11-07",
    }


def test_departments_contract(auth_client):
    departments = {d["name"]: d for d in all_results(auth_client, "/api/v1/departments/")}
    assert departments["Patent Administration Department"] == {
        "id": departments["Patent Administration Department"]["id"],
        "name": "Patent Administration Department",
        "name_zh": "专利管理司",
        "kind": "sipo_department",
        "aliases": ["Patent Affairs Administration Department"],
    }
    assert departments["Human Resources Department"]["aliases"] == ["Human Resources Development"]


def test_offices_contract(auth_client):
    offices = {o["short_name"]: o for o in all_results(auth_client, "/api/v1/offices/")}
    assert len(offices) == 32
    guangdong = offices["Guangdong"]
    assert guangdong == {
        "id": guangdong["id"],
        "short_name": "Guangdong",
        "name": "Guangdong Intellectual Property Office",
        "region": "Guangdong Province",
        "kind": "province",
        "code": "440000",
        "name_zh": "广东省知识产权局",
    }
    assert offices["XPCC"]["code"] is None
    assert offices["XPCC"]["kind"] == "corps"


def test_programs_match_circular(auth_client):
    programs = all_results(auth_client, "/api/v1/programs/", year=2012)
    assert [(p["numeral"], p["name"], p["objective"]) for p in programs] == [
        (p["numeral"], p["name"], p["objective"]) for p in circular.programs()
    ]
    ix = programs[8]
    assert [d["name"] for d in ix["lead_departments"]] == [
        "Legal Affairs Department",
        "Planning and Development Department",
    ]
    assert set(ix["lead_departments"][0]) == {"id", "name"}


def canonical(spelling):
    department = Department.objects.filter(name=spelling).first()
    return department.name if department else Department.objects.get(aliases__spelling=spelling).name


def test_work_items_match_circular(auth_client):
    items = all_results(auth_client, "/api/v1/work-items/", year=2012)
    assert len(items) == 34
    offices = sorted(ProvincialOffice.objects.all(), key=lambda o: (o.code is None, o.code or ""))
    office_order = [o.short_name for o in offices]
    by_code = {i["code"]: i for i in items}
    for program in circular.programs():
        for expected in program["items"].values():
            item = by_code[f"{program['numeral']}.{expected['number']}"]
            assert item["year"] == 2012
            assert item["program"]["number"] == program["number"]
            assert item["program"]["name"] == program["name"]
            assert item["title"] == expected["title"]
            assert item["text"] == expected["text"]
            assert [d["name"] for d in item["departments"]] == [canonical(n) for n in expected["departments"]]
            assert item["office_scope"] == expected["office_scope"]
            assert item["office_condition"] == expected["office_condition"]
            offices = [o["short_name"] for o in item["offices"]]
            if expected["office_scope"] == "all":
                assert len(offices) == 32
            else:  # the circular's offices, in the one office order (GB/T 2260 code, XPCC last)
                assert sorted(offices) == sorted(expected["offices"])
                assert offices == [name for name in office_order if name in expected["offices"]]
    assert by_code["V.3"]["targets"] == [
        {
            "id": by_code["V.3"]["targets"][0]["id"],
            "quantity": 30,
            "approximate": True,
            "description": "industry-wide patent pools set up",
        }
    ]


def codes(client, **params):
    return {i["code"] for i in all_results(client, "/api/v1/work-items/", **params)}


def test_office_filter_guangdong_matches_listed_and_all_scopes(auth_client):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    expected = {
        f"{p['numeral']}.{n}"
        for p in circular.programs()
        for n, item in p["items"].items()
        if item["office_scope"] == "all" or "Guangdong" in item["offices"]
    }
    assert codes(auth_client, office=guangdong.pk) == expected
    assert "II.1" not in expected and "III.2" in expected


def test_department_and_program_filters(auth_client):
    pdd = Department.objects.get(name="Patent Documentation Department")
    assert codes(auth_client, department=pdd.pk) == {"I.5", "VII.1", "VII.2", "IX.2", "IX.3", "X.1"}
    assert codes(auth_client, program_number=8) == {"VIII.1", "VIII.2"}
    program = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=1).program
    assert codes(auth_client, program=program.pk) == {"IV.1", "IV.2", "IV.3"}
    assert codes(auth_client, office_scope="conditional") == {"VI.3"}
    assert codes(auth_client, search="patent pools") == {"II.2", "V.3"}
    hr = Department.objects.get(name="Human Resources Department")
    programs = all_results(auth_client, "/api/v1/programs/", department=hr.pk)
    assert [p["numeral"] for p in programs] == ["IX", "X"]


@pytest.mark.parametrize(
    "query", ["office=abc", "department=x", "program=1.5", "year=twenty", "office_scope=some", "office=999999"]
)
def test_bad_filter_value_is_400_json(auth_client, query):
    response = auth_client.get(f"/api/v1/work-items/?{query}")
    assert response.status_code == 400
    assert response.json()  # a message naming the field


def test_unknown_id_is_404(auth_client):
    assert auth_client.get("/api/v1/work-items/999999/").status_code == 404
    assert auth_client.get("/api/v1/work-items/abc/").status_code == 404


def test_detail_routes(auth_client):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=2, number=3)
    body = auth_client.get(reverse("workitem-detail", args=[item.pk])).json()
    assert body["code"] == "II.3"
    assert body["title"] == "Explore the setup of a patent utilization system"
    for name in LISTS:
        first = auth_client.get(f"/api/v1/{name}/").json()["results"][0]
        assert auth_client.get(f"/api/v1/{name}/{first['id']}/").json() == first


def test_page_size_is_capped_at_500(auth_client):
    response = auth_client.get("/api/v1/work-items/", {"page_size": 2})
    body = response.json()
    assert len(body["results"]) == 2 and body["count"] == 34 and body["next"]


# Query budgets: the same number of queries at 34 items as with 70 more, in more programs of another plan.
# work-items: count + items (program and plan joined) + departments + offices + targets + all offices = 6.
BUDGETS = {"work-items": 6, "programs": 3, "departments": 3, "offices": 2, "plans": 2, "periods": 2}


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_are_constant(auth_client, django_assert_num_queries, name):
    budget = BUDGETS[name]
    with django_assert_num_queries(budget):
        auth_client.get(f"/api/v1/{name}/", {"page_size": 500})
    for program in ProgramFactory.create_batch(7):
        WorkItemFactory.create_batch(10, program=program)
    with django_assert_num_queries(budget):
        auth_client.get(f"/api/v1/{name}/", {"page_size": 500})
