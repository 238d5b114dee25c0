"""Every role against every report action, on its own organisation's report and on another's.

The report is Guangdong's, on I.1 (scope `all`; responsible: Patent Administration Department (PAD) and Patent
Examination Affairs Administration Department; program I is led by PAD). PDD is an unrelated department, Hunan
a foreign office.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tracking import services

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "admin", "pad", "pdd", "guangdong", "hunan", "analyst"]

#                      anon  no_role admin  pad   pdd   gd    hunan analyst
MATRIX = {
    "view_draft":      (401, 403,    200,   200,  404,  200,  404,  404),
    "edit_draft":      (401, 403,    200,   403,  404,  200,  404,  403),
    "submit_draft":    (401, 403,    200,   403,  404,  200,  404,  403),
    "attach_draft":    (401, 403,    201,   403,  404,  201,  404,  403),
    "history_draft":   (401, 403,    200,   200,  404,  200,  404,  404),
    "view_submitted":  (401, 403,    200,   200,  200,  200,  200,  200),
    "edit_submitted":  (401, 403,    403,   403,  403,  403,  403,  403),
    "accept":          (401, 403,    200,   200,  403,  403,  403,  403),
    "return":          (401, 403,    200,   200,  403,  403,  403,  403),
}  # fmt: skip

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


def perform(action, client, report):
    url = f"/api/v1/updates/{report.pk}/"
    version = report.version
    if action.startswith("view"):
        return client.get(url)
    if action.startswith("history"):
        return client.get(f"{url}history/")
    if action.startswith("edit"):
        return client.patch(url, {"version": version, "summary": "Changed."}, format="json")
    if action.startswith("submit"):
        return client.post(f"{url}submit/", {"version": version}, format="json")
    if action.startswith("attach"):
        upload = SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
        return client.post(f"{url}attachments/", {"file": upload}, format="multipart")
    if action == "accept":
        return client.post(f"{url}accept/", {"version": version}, format="json")
    if action == "return":
        return client.post(f"{url}return/", {"comment": "More detail.", "version": version}, format="json")
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(settings, tmp_path, accounts, make_report, action, role):
    settings.MEDIA_ROOT = tmp_path
    report = make_report("guangdong", "I.1")
    if not action.endswith("draft"):
        report = services.report_submit(report=report, user=accounts["guangdong"])
    before = (report.state, report.version, report.history.count())
    expected = MATRIX[action][ROLES.index(role)]
    response = perform(action, client_as(role, accounts), report)
    assert response.status_code == expected, (role, action, response.content[:300])
    assert response["Content-Type"].startswith("application/json") or response.status_code == 204
    report.refresh_from_db()
    if expected >= 400:  # refused: nothing changed
        assert (report.state, report.version, report.history.count()) == before


def test_foreign_office_cannot_create_for_another_office(client_for):
    from tests.tracking.conftest import FIELDS, item, office, period

    response = client_for("hunan").post(
        "/api/v1/updates/",
        {"work_item": item("I.1").pk, "period": period().pk, "office": office("Guangdong").pk, **FIELDS},
        format="json",
    )
    assert response.status_code == 403
