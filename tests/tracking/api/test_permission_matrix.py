"""Every role against every report action, on a report in each of the four states: the status, and that a success
did what it says (and a refusal nothing).

The report is Guangdong's, on I.1 (scope `all`; responsible: Patent Administration Department (PAD) and Patent
Examination Affairs Administration Department; program I is led by PAD, whose staff review it). PDD is an
unrelated department, Hunan a foreign office. A returned report carries the reviewer's comment: it is private to
its organisation, its reviewers and administrators, like a draft.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tracking import services
from tracking.models import Report

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "admin", "pad", "pdd", "guangdong", "hunan", "analyst"]
STATES = ["draft", "submitted", "returned", "accepted"]
COMMENT = "Add the figures for Shenzhen."

# (action, state): expected status per role.
#                                  anon  no_role admin  pad   pdd   gd    hunan analyst
MATRIX = {
    ("view", "draft"):             (401, 403,    200,   200,  404,  200,  404,  404),
    ("view", "submitted"):         (401, 403,    200,   200,  200,  200,  200,  200),
    ("view", "returned"):          (401, 403,    200,   200,  404,  200,  404,  404),
    ("view", "accepted"):          (401, 403,    200,   200,  200,  200,  200,  200),
    ("history", "draft"):          (401, 403,    200,   200,  404,  200,  404,  404),
    ("history", "submitted"):      (401, 403,    200,   200,  200,  200,  200,  200),
    ("history", "returned"):       (401, 403,    200,   200,  404,  200,  404,  404),
    ("history", "accepted"):       (401, 403,    200,   200,  200,  200,  200,  200),
    ("edit", "draft"):             (401, 403,    200,   403,  404,  200,  404,  403),
    ("edit", "submitted"):         (401, 403,    403,   403,  403,  403,  403,  403),
    ("edit", "returned"):          (401, 403,    200,   403,  404,  200,  404,  403),
    ("edit", "accepted"):          (401, 403,    403,   403,  403,  403,  403,  403),
    ("submit", "draft"):           (401, 403,    200,   403,  404,  200,  404,  403),
    ("submit", "submitted"):       (401, 403,    400,   400,  400,  400,  400,  403),
    ("submit", "returned"):        (401, 403,    200,   403,  404,  200,  404,  403),
    ("submit", "accepted"):        (401, 403,    400,   400,  400,  400,  400,  403),
    ("attach", "draft"):           (401, 403,    201,   403,  404,  201,  404,  403),
    ("attach", "submitted"):       (401, 403,    403,   403,  403,  403,  403,  403),
    ("attach", "returned"):        (401, 403,    201,   403,  404,  201,  404,  403),
    ("attach", "accepted"):        (401, 403,    403,   403,  403,  403,  403,  403),
    ("detach", "draft"):           (401, 403,    204,   403,  404,  204,  404,  403),
    ("detach", "submitted"):       (401, 403,    403,   403,  403,  403,  403,  403),
    ("detach", "returned"):        (401, 403,    204,   403,  404,  204,  404,  403),
    ("detach", "accepted"):        (401, 403,    403,   403,  403,  403,  403,  403),
    ("accept", "draft"):           (401, 403,    400,   400,  404,  400,  404,  403),
    ("accept", "submitted"):       (401, 403,    200,   200,  403,  403,  403,  403),
    ("accept", "returned"):        (401, 403,    400,   400,  404,  400,  404,  403),
    ("accept", "accepted"):        (401, 403,    400,   400,  400,  400,  400,  403),
    ("return", "draft"):           (401, 403,    400,   400,  404,  400,  404,  403),
    ("return", "submitted"):       (401, 403,    200,   200,  403,  403,  403,  403),
    ("return", "returned"):        (401, 403,    400,   400,  404,  400,  404,  403),
    ("return", "accepted"):        (401, 403,    400,   400,  400,  400,  400,  403),
}  # fmt: skip
# PAD's own report on I.1: its staff write it, and nobody reviews their own organisation's report.
#                                  anon  no_role admin  pad   pdd   gd    hunan analyst
OWN_DEPARTMENT = {
    ("view", "draft"):             (401, 403,    200,   200,  404,  404,  404,  404),
    ("edit", "draft"):             (401, 403,    200,   200,  404,  404,  404,  403),
    ("submit", "returned"):        (401, 403,    200,   200,  404,  404,  404,  403),
    ("accept", "submitted"):       (401, 403,    200,   403,  403,  403,  403,  403),
    ("return", "submitted"):       (401, 403,    200,   403,  403,  403,  403,  403),
}  # fmt: skip
CASES = [("guangdong", *key) for key in MATRIX] + [("pad", *key) for key in OWN_DEPARTMENT]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_as(role, accounts):
    client = APIClient()
    if role == "no_role":
        user = UserFactory()
        user.profile.delete()
        user.refresh_from_db()
        client.force_authenticate(user)
    elif role != "anonymous":
        client.force_authenticate(accounts[role])
    return client


def report_in(state, accounts, make_report, author="guangdong"):
    """The author's report on I.1 in `state`, with one attachment (added while it was a draft), through the
    services; an administrator reviews."""
    report = make_report(author, "I.1")
    services.attachment_add(report=report, user=accounts[author], uploaded_file=SimpleUploadedFile("evidence.pdf", PDF))
    if state != "draft":
        report = services.report_submit(report=report, user=accounts[author])
    if state == "accepted":
        report = services.report_accept(report=report, user=accounts["admin"])
    elif state == "returned":
        report = services.report_return(report=report, user=accounts["admin"], comment=COMMENT)
    return Report.objects.get(pk=report.pk)


def perform(action, client, report):
    url = f"/api/v1/updates/{report.pk}/"
    version = report.version
    if action == "view":
        return client.get(url)
    if action == "history":
        return client.get(f"{url}history/")
    if action == "edit":
        return client.patch(url, {"version": version, "summary": "Changed."}, format="json")
    if action == "submit":
        return client.post(f"{url}submit/", {"version": version}, format="json")
    if action == "attach":
        upload = SimpleUploadedFile("more.pdf", PDF, content_type="application/pdf")
        return client.post(f"{url}attachments/", {"file": upload}, format="multipart")
    if action == "detach":
        return client.delete(f"{url}attachments/{report.attachments.get().pk}/")
    if action == "accept":
        return client.post(f"{url}accept/", {"version": version, "comment": "Fine."}, format="json")
    if action == "return":
        return client.post(f"{url}return/", {"comment": COMMENT, "version": version}, format="json")
    raise AssertionError(action)


def snapshot(report):
    stored = Report.objects.get(pk=report.pk)
    return {
        "state": stored.state,
        "version": stored.version,
        "summary": stored.summary,
        "review_comment": stored.review_comment,
        "submitted_by": stored.submitted_by_id,
        "reviewed_by": stored.reviewed_by_id,
        "history": stored.history.count(),
        "attachments": stored.attachments.count(),
    }


def expected_change(action, before, user) -> dict:
    """What a successful action changes in the snapshot."""
    changed = {**before, "version": before["version"] + 1, "history": before["history"] + 1}
    if action == "edit":
        changed["summary"] = "Changed."
    elif action == "submit":
        # A return's comment and reviewer are cleared on resubmission (the history keeps them).
        changed.update(state="submitted", submitted_by=user.pk, reviewed_by=None, review_comment="")
    elif action == "attach":
        changed["attachments"] += 1
    elif action == "detach":
        changed["attachments"] -= 1
    elif action == "accept":
        changed.update(state="accepted", reviewed_by=user.pk, review_comment="Fine.")
    elif action == "return":
        changed.update(state="returned", reviewed_by=user.pk, review_comment=COMMENT)
    else:
        return before  # a read
    return changed


def test_the_matrix_has_every_action_in_every_state():
    assert set(MATRIX) == {(a, s) for a, _ in MATRIX for s in STATES}


@pytest.mark.parametrize(("author", "action", "state"), CASES, ids=["-".join(case) for case in CASES])
@pytest.mark.parametrize("role", ROLES)
def test_matrix(settings, tmp_path, accounts, make_report, author, action, state, role):
    report = report_in(state, accounts, make_report, author)
    before = snapshot(report)
    expected = (MATRIX if author == "guangdong" else OWN_DEPARTMENT)[(action, state)][ROLES.index(role)]
    response = perform(action, client_as(role, accounts), report)
    assert response.status_code == expected, (role, action, state, response.content[:300])
    assert response.status_code == 204 or response["Content-Type"].startswith("application/json")
    after = snapshot(report)
    if expected >= 300:
        assert after == before, "a refused request changed the report"
    else:
        assert after == expected_change(action, before, accounts.get(role)), "the success did not do what it says"
    if action == "view" and expected == 200:
        body = response.json()
        assert (body["id"], body["state"]) == (report.pk, state)
        assert body["review_comment"] == (COMMENT if state == "returned" else "")


def test_foreign_office_cannot_create_for_another_office(client_for):
    from tests.helpers import FIELDS, item, office, period

    response = client_for("hunan").post(
        "/api/v1/updates/",
        {"work_item": item("I.1").pk, "period": period().pk, "office": office("Guangdong").pk, **FIELDS},
        format="json",
    )
    assert response.status_code == 403
