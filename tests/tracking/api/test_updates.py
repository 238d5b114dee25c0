"""/api/v1/updates/: the reporting journey, rights by role and organisation, versions, errors, query counts."""

import pytest

from tests.helpers import FIELDS, item, office, period
from tracking import services
from tracking.models import Report

pytestmark = pytest.mark.django_db

URL = "/api/v1/updates/"


def create(client, code="I.1", label="2012-Q1", **extra):
    return client.post(URL, {"work_item": item(code).pk, "period": period(label).pk, **FIELDS, **extra}, format="json")


def test_guangdong_journey(client_for):
    guangdong, pad, analyst, hunan = (client_for(u) for u in ("guangdong", "pad", "analyst", "hunan"))

    # Guangdong creates a report without naming its office: the API fills it in.
    response = create(guangdong, "I.3")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["office"]["short_name"] == "Guangdong" and report["department"] is None
    assert report["work_item"]["code"] == "I.3" and report["state"] == "draft" and report["version"] == 1
    url = f"{URL}{report['id']}/"

    # ... and is refused for II.1, which Guangdong does not take part in.
    refused = create(guangdong, "II.1")
    assert refused.status_code == 400
    assert "does not take part" in str(refused.json()["work_item"])

    # Hunan can neither see nor touch the draft; the analyst cannot see it either.
    assert hunan.get(url).status_code == 404
    assert hunan.patch(url, {"version": 1, "summary": "x"}, format="json").status_code == 404
    assert analyst.get(url).status_code == 404

    # Guangdong edits (with the version it read) and submits.
    response = guangdong.patch(url, {"version": 1, "percent_complete": 60}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = guangdong.post(f"{url}submit/", {"version": 2}, format="json")
    assert response.json()["state"] == "submitted"

    # The analyst can read it now, and do nothing else.
    assert analyst.get(url).status_code == 200
    assert analyst.post(f"{url}accept/", {}, format="json").status_code == 403
    assert analyst.patch(url, {"version": 3}, format="json").status_code == 403
    assert create(analyst, "I.3").status_code == 403

    # PAD returns it with a comment; Guangdong edits and resubmits; PAD accepts.
    response = pad.post(f"{url}return/", {"comment": "Add the pilot figures."}, format="json")
    assert response.json()["state"] == "returned" and response.json()["review_comment"] == "Add the pilot figures."
    version = response.json()["version"]
    guangdong.patch(url, {"version": version, "achievements": "Pilot: 12 enterprises."}, format="json")
    guangdong.post(f"{url}submit/", {}, format="json")
    response = pad.post(f"{url}accept/", {}, format="json")
    assert response.json()["state"] == "accepted"

    history = guangdong.get(f"{url}history/").json()
    assert [h["transition"] for h in history] == ["create", "edit", "submit", "return", "edit", "submit", "accept"]
    assert [h["user"] for h in history] == ["guangdong"] * 3 + ["pad", "guangdong", "guangdong", "pad"]
    assert history[1]["changes"] == [{"field": "percent_complete", "old": 40, "new": 60}]


def test_stale_version_in_body_is_409_and_in_if_match_is_412(client_for, make_report):
    report = make_report()
    client = client_for("guangdong")
    url = f"{URL}{report.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == f'"{report.pk}-1"'
    assert client.patch(url, {"percent_complete": 50}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    response = client.patch(url, {"percent_complete": 70}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "changed since you read it" in response.json()["detail"]
    response = client.patch(url, {"version": 1, "percent_complete": 70}, format="json")
    assert response.status_code == 409
    assert client.patch(url, {"percent_complete": 70}, format="json").status_code == 400  # no version at all
    report.refresh_from_db()
    assert (report.percent_complete, report.version) == (50, 2)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"percent_complete": 120}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"status": "finished"}, "status"),
        ({"summary": ""}, "summary"),
        ({"work_item": 999999}, "work_item"),
        ({"work_item": "abc"}, "work_item"),
        ({"target_values": [{"target": 1, "value": -5}]}, "target_values"),
        ({"status": "completed", "percent_complete": 90}, "percent_complete"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_changes_nothing(client_for, payload, field):
    response = create(client_for("guangdong"), "I.1", **payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_duplicate_report_is_400(client_for):
    client = client_for("guangdong")
    assert create(client).status_code == 201
    response = create(client)
    assert response.status_code == 400
    assert "already has a report" in str(response.json())
    assert Report.objects.count() == 1


def test_period_of_another_plan_and_wrong_types(client_for):
    client = client_for("guangdong")
    assert client.post(URL, {"work_item": item("I.1").pk}, format="json").status_code == 400
    assert client.post(URL, "not json", content_type="application/json").status_code == 400
    assert client.get(f"{URL}abc/").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.get(URL, {"office": "abc"}).status_code == 400
    assert client.get(URL, {"submitted_after": "yesterday"}).status_code == 400


def test_patch_cannot_change_state_or_organisation(client_for, make_report):
    report = make_report()
    client = client_for("guangdong")
    response = client.patch(f"{URL}{report.pk}/", {"version": 1, "office": office("Hunan").pk}, format="json")
    assert response.status_code == 400
    response = client.patch(f"{URL}{report.pk}/", {"version": 1, "state": "accepted"}, format="json")
    report.refresh_from_db()
    assert report.state == "draft"  # `state` is not a writable field: ignored, never applied


def test_patch_only_while_open(client_for, make_report, accounts):
    report = services.report_submit(report=make_report(), user=accounts["guangdong"])
    response = client_for("guangdong").patch(f"{URL}{report.pk}/", {"version": 2, "summary": "x"}, format="json")
    assert response.status_code == 403


def test_filters(client_for, make_report, accounts):
    a = services.report_submit(report=make_report("guangdong", "I.1"), user=accounts["guangdong"])
    make_report("hunan", "I.1")  # a draft: invisible to the analyst
    services.report_submit(report=make_report("tianjin", "I.3", "2012-Q2"), user=accounts["tianjin"])
    analyst = client_for("analyst")

    def ids(**params):
        return {r["id"] for r in analyst.get(URL, params).json()["results"]}

    assert ids(office=office("Guangdong").pk) == {a.pk}
    assert ids(period=period("2012-Q2").pk) == {Report.objects.get(office__short_name="Tianjin").pk}
    assert ids(year=2012, state="submitted", program_number=1) == set(
        Report.objects.published().values_list("pk", flat=True)
    )
    assert ids(work_item=item("I.3").pk, status="on_track") == {Report.objects.get(office__short_name="Tianjin").pk}
    assert ids(year=2013) == set()


def test_list_queries_are_constant(client_for, make_report, accounts, django_assert_num_queries):
    client = client_for("pad")
    # count (with the ETag's latest change), reports (joined: users), target values, attachments = 4 queries (the
    # user's profile is already loaded by authentication).
    make_report("guangdong", "I.1")
    client.get(URL)  # the plan structure's brief objects (tracking.api.lean), once per version, into the cache
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
    for username in ("hunan", "tianjin"):
        for code in ("I.1", "I.2", "I.4", "III.1"):
            for label in ("2012-Q2", "2012-Q3"):
                make_report(username, code, label)
    with django_assert_num_queries(4):
        body = client.get(URL).json()
    assert body["count"] == 17  # PAD reviews programs I and III: it sees the offices' drafts on its items


def test_history_changes_name_people_and_give_iso_times(client_for):
    """Issue 18: a history change shows the reviewer by user name, not id, and a time as ISO 8601 (with the `T`
    and the local offset, as every other time in the API), not as Python's str() of a UTC datetime."""
    guangdong, pad = client_for("guangdong"), client_for("pad")
    report = create(guangdong, "I.3").json()
    url = f"{URL}{report['id']}/"
    guangdong.post(f"{url}submit/", {"version": 1}, format="json")
    pad.post(f"{url}return/", {"comment": "Add the pilot figures."}, format="json")
    history = guangdong.get(f"{url}history/").json()
    returned = {change["field"]: change for change in history[-1]["changes"]}
    assert returned["reviewed_by"]["new"] == "pad"
    reviewed_at = returned["reviewed_at"]["new"]
    assert reviewed_at == pad.get(url).json()["reviewed_at"]  # the same spelling as the report's own field
    assert "T" in reviewed_at and reviewed_at.endswith("+08:00")
    submitted = {change["field"]: change for change in history[-2]["changes"]}
    assert submitted["submitted_by"]["new"] == "guangdong"
