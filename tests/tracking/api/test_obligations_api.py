"""`/api/v1/obligations/`: who must report what, by when, and where each obligation stands, to every role; the
report's state only to those who may read the report."""

import pytest

from participants.models import ProvincialOffice
from programs.models import Program, ReportingPeriod
from tests.helpers import item, period
from tests.oracles import office_items
from tracking import services
from tracking.models import Obligation

pytestmark = pytest.mark.django_db


def rows(client, **params):
    response = client.get("/api/v1/obligations/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_an_office_lists_its_obligations_with_their_state_and_action(make_report, client_for, accounts):
    draft = make_report("guangdong", "I.1", "2012-Q1")
    submitted = services.report_submit(report=make_report("guangdong", "I.2", "2012-Q1"), user=accounts["guangdong"])
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    got = rows(client_for("guangdong"), office=guangdong.pk, period=period("2012-Q1").pk)
    assert {r["work_item"]["id"] for r in got} == {i.pk for i in office_items(guangdong)}
    by_item = {r["work_item"]["code"]: r for r in got}
    assert (by_item["I.1"]["state"], by_item["I.1"]["report"]) == ("draft", draft.pk)
    assert (by_item["I.2"]["state"], by_item["I.2"]["report"]) == ("submitted", submitted.pk)
    assert by_item["I.2"]["on_time"] is False  # submitted today, long after 2012's due date
    assert by_item["I.2"]["first_submitted_at"] is not None
    assert by_item["I.3"]["state"] == "missing" and by_item["I.3"]["report"] is None
    assert by_item["I.3"]["overdue"] is True and by_item["I.2"]["overdue"] is False
    assert by_item["I.1"]["due"] == "2012-04-15"


def test_another_office_sees_a_draft_as_missing(make_report, client_for):
    make_report("guangdong", "I.1", "2012-Q1")
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    for role in ("hunan", "analyst"):
        [row] = rows(client_for(role), office=guangdong.pk, period=period("2012-Q1").pk, work_item=item("I.1").pk)
        assert (row["state"], row["report"], row["first_submitted_at"]) == ("missing", None, None), role
        assert rows(client_for(role), office=guangdong.pk, state="draft") == [], role
    for role in ("guangdong", "admin", "pad"):  # its office, an administrator, a reviewer of I.1
        [row] = rows(client_for(role), office=guangdong.pk, period=period("2012-Q1").pk, work_item=item("I.1").pk)
        assert row["state"] == "draft", role


def test_who_has_not_reported_on_program_vii_this_quarter_in_one_call(accounts, client_for):
    program = Program.objects.get(plan__year=2012, number=7)
    q3 = period("2012-Q3")
    reported = Obligation.objects.filter(work_item__program=program, period=q3).select_related("work_item").first()
    report = services.report_create(
        user=accounts["admin"],
        work_item=reported.work_item,
        period=q3,
        office=reported.office,
        department=reported.department,
        fields={"summary": "Done.", "status": "on_track", "percent_complete": 50},
    )
    services.report_submit(report=report, user=accounts["admin"])
    client = client_for("analyst")
    missing = rows(client, program=program.pk, period=q3.pk, state="missing,draft,returned")
    assert missing == rows(client, program=program.pk, period=q3.pk, state=["missing", "draft", "returned"])
    expected = Obligation.objects.filter(work_item__program=program, period=q3).exclude(pk=reported.pk)
    assert {r["id"] for r in missing} == set(expected.values_list("pk", flat=True))
    assert {r["id"] for r in rows(client, program=program.pk, period=q3.pk, overdue="true")} == {
        r["id"] for r in missing
    }


def test_due_filters_and_year(client_for):
    client = client_for("analyst")
    q1 = period("2012-Q1")
    before = rows(
        client, year=2012, due_before="2012-07-01", office=ProvincialOffice.objects.get(short_name="Tibet").pk
    )
    assert {r["period"]["id"] for r in before} == {q1.pk}
    after = client.get("/api/v1/obligations/", {"year": 2012, "due_after": "2013-01-20"}).json()
    annual = ReportingPeriod.objects.get(plan__year=2012, kind="year")
    assert after["count"] == Obligation.objects.filter(period=annual).count()


@pytest.mark.parametrize("query", ["state=lost", "due_before=yesterday", "overdue=maybe", "period=999999", "year=x"])
def test_bad_filters_are_400(client_for, query):
    response = client_for("analyst").get(f"/api/v1/obligations/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_obligations_need_a_role(client, user, api_client):
    assert api_client.get("/api/v1/obligations/").status_code == 401


def test_obligation_list_queries_are_constant(make_report, client_for, django_assert_num_queries):
    client = client_for("analyst")
    # Read once per structure version, then kept in the shared cache: the year's period ids (the reports are
    # joined through them: tracking.selectors.obligations_visible_to) and the brief objects of work items, offices,
    # departments and periods (tracking.api.lean).
    with django_assert_num_queries(3 + 4):
        client.get("/api/v1/obligations/", {"year": 2012, "page_size": 1})
    # count (with the ETag's latest change), the page with its reports (the role is the forced user's)
    with django_assert_num_queries(2):
        client.get("/api/v1/obligations/", {"year": 2012, "page_size": 500})
    for code in ("I.1", "I.2", "I.3", "I.4"):
        make_report("guangdong", code, "2012-Q1")
    with django_assert_num_queries(2):
        client.get("/api/v1/obligations/", {"year": 2012, "page_size": 500})
