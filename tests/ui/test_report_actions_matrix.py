"""The report pages' actions (POST) for every role on a report in each of the four states: which succeed (and do
what they say), which are refused (and change nothing), and how.

The report is Guangdong's on I.1 (PAD reviews it; PDD and Hunan are strangers to it; see
tests/tracking/api/test_permission_matrix.py, the API's matrix). A cell is "done" when the action succeeds (the page
redirects, and the report changed as the action says), else the status of the refusal: 403/404 for a user who may not,
302 or 200 with the error shown and nothing changed for a request the workflow refuses (a report that is not in a
state for it), 302 to sign in for an anonymous visitor. A signed-in user without a role sees no report (404). The
pages check the state before the right (as the services do): a published report in the wrong state gets the
workflow's message, whoever asks; the API refuses writes by analysts before that (403).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.helpers import item, period
from tests.security.roles import accounts_ensure
from tracking import services
from tracking.models import Report

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "admin", "pad", "pdd", "guangdong", "hunan", "analyst"]
STATES = ["draft", "submitted", "returned", "accepted"]
COMMENT = "Add the figures for Shenzhen."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OK = "done"

#                                 anon  no_role admin  pad   pdd   gd    hunan analyst
MATRIX = {
    ("edit", "draft"):            (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("edit", "submitted"):        (302, 403,    403,   403,  403,  403,  403,  403),
    ("edit", "returned"):         (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("edit", "accepted"):         (302, 403,    403,   403,  403,  403,  403,  403),
    ("submit", "draft"):          (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("submit", "submitted"):      (302, 403,    302,   302,  302,  302,  302,  302),
    ("submit", "returned"):       (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("submit", "accepted"):       (302, 403,    302,   302,  302,  302,  302,  302),
    ("detach", "draft"):          (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("detach", "submitted"):      (302, 403,    403,   403,  403,  403,  403,  403),
    ("detach", "returned"):       (302, 403,    OK,    403,  404,  OK,   404,  404),
    ("detach", "accepted"):       (302, 403,    403,   403,  403,  403,  403,  403),
    ("accept", "draft"):          (302, 403,    200,   200,  404,  200,  404,  404),
    ("accept", "submitted"):      (302, 403,    OK,    OK,   403,  403,  403,  403),
    ("accept", "returned"):       (302, 403,    200,   200,  404,  200,  404,  404),
    ("accept", "accepted"):       (302, 403,    200,   200,  200,  200,  200,  200),
    ("return", "draft"):          (302, 403,    200,   200,  404,  200,  404,  404),
    ("return", "submitted"):      (302, 403,    OK,    OK,   403,  403,  403,  403),
    ("return", "returned"):       (302, 403,    200,   200,  404,  200,  404,  404),
    ("return", "accepted"):       (302, 403,    200,   200,  200,  200,  200,  200),
}  # fmt: skip


@pytest.fixture
def users(settings, tmp_path):
    settings.AXES_ENABLED = False
    return accounts_ensure()


def report_in(state, users):
    report = services.report_create(
        user=users["guangdong"],
        work_item=item("I.1"),
        period=period(),
        fields={"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted."},
    )
    services.attachment_add(
        report=report, user=users["guangdong"], uploaded_file=SimpleUploadedFile("evidence.pdf", PDF)
    )
    if state != "draft":
        report = services.report_submit(report=report, user=users["guangdong"])
    if state == "accepted":
        report = services.report_accept(report=report, user=users["pad"])
    elif state == "returned":
        report = services.report_return(report=report, user=users["pad"], comment=COMMENT)
    return Report.objects.get(pk=report.pk)


def post(action, client, report):
    version = report.version
    if action == "edit":
        data = {"status": "on_track", "percent_complete": 55, "summary": "Changed.", "version": version}
        return client.post(reverse("tracking:report_edit", args=[report.pk]), data)
    if action == "submit":
        return client.post(reverse("tracking:report_submit", args=[report.pk]), {"version": version})
    if action == "detach":
        attachment = report.attachments.get()
        return client.post(reverse("tracking:attachment_delete", args=[report.pk, attachment.pk]))
    name = "tracking:report_accept" if action == "accept" else "tracking:report_return"
    return client.post(reverse(name, args=[report.pk]), {"version": version, "comment": COMMENT})


def snapshot(report):
    stored = Report.objects.get(pk=report.pk)
    return {
        "state": stored.state,
        "version": stored.version,
        "summary": stored.summary,
        "percent": stored.percent_complete,
        "reviewed_by": stored.reviewed_by_id,
        "submitted_by": stored.submitted_by_id,
        "history": stored.history.count(),
        "attachments": stored.attachments.count(),
    }


def expected_change(action, before, user):
    changed = {**before, "version": before["version"] + 1, "history": before["history"] + 1}
    if action == "edit":
        changed.update(summary="Changed.", percent=55)
    elif action == "submit":
        # A return's reviewer is cleared on resubmission (the history keeps it).
        changed.update(state="submitted", submitted_by=user.pk, reviewed_by=None)
    elif action == "detach":
        changed["attachments"] -= 1
    else:
        changed.update(state="accepted" if action == "accept" else "returned", reviewed_by=user.pk)
    return changed


def test_the_matrix_has_every_action_in_every_state():
    assert set(MATRIX) == {(a, s) for a, _ in MATRIX for s in STATES}


@pytest.mark.parametrize(("action", "state"), list(MATRIX), ids=[f"{a}-{s}" for a, s in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_page_action_matrix(users, action, state, role):
    report = report_in(state, users)
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    before = snapshot(report)
    response = post(action, client, report)
    expected = MATRIX[(action, state)][ROLES.index(role)]
    after = snapshot(report)
    if expected == OK:
        assert response.status_code == 302, (role, action, state, response.status_code)
        assert after == expected_change(action, before, users[role]), "the success did not do what it says"
        return
    assert (response.status_code, after) == (expected, before), (role, action, state)
    if role == "anonymous":
        assert "/login/" in response["Location"]
