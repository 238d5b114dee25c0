"""The report admin with real rows: its change form and inlines render, and its actions go through the services
(a new version, history with the transition, the workflow's refusals shown, not bypassed)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.helpers import item, period
from tests.security.roles import accounts_ensure, report_of
from tracking import services
from tracking.models import Report

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHANGELIST = reverse("admin:tracking_report_changelist")


@pytest.fixture
def users(settings, tmp_path):
    settings.AXES_ENABLED = False
    return accounts_ensure()


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def test_the_change_form_renders_the_report_with_its_target_values_and_attachments(admin_client, users):
    target = item("IV.3").targets.order_by("pk").first()
    report = services.report_create(
        user=users["guangdong"],
        work_item=item("IV.3"),
        period=period(),
        fields={"status": "on_track", "percent_complete": 40, "summary": "Two pilot enterprises."},
        target_values=[(target.pk, 12)],
    )
    services.attachment_add(
        report=report, user=users["guangdong"], uploaded_file=SimpleUploadedFile("evidence.pdf", PDF)
    )
    response = admin_client.get(reverse("admin:tracking_report_change", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two pilot enterprises." in html
    assert target.description in html and ">12<" in html.replace(" ", "")  # the target value inline
    assert "evidence.pdf" in html  # the attachment inline
    history = admin_client.get(reverse("admin:tracking_report_history", args=[report.pk]))
    assert history.status_code == 200 and "attach" in history.content.decode().lower()


def test_the_submit_action_goes_through_the_service(admin_client, users):
    draft = report_of(users, "guangdong")
    submitted = report_of(users, "hunan", state="submitted")
    response = admin_client.post(
        CHANGELIST, {"action": "submit_reports", "_selected_action": [draft.pk, submitted.pk]}, follow=True
    )
    draft.refresh_from_db()
    assert (draft.state, draft.version, draft.submitted_by) == ("submitted", 2, users["admin"])
    assert draft.history.latest().history_change_reason == "submit"
    assert draft.history.latest().history_user == users["admin"]
    assert Report.objects.get(pk=submitted.pk).version == submitted.version  # refused: a submitted report
    texts = [m.message for m in get_messages(response.wsgi_request)]
    assert any("cannot be submitted" in t for t in texts) and any("Submitted: 1 report(s)." in t for t in texts)


def test_the_accept_action_goes_through_the_service(admin_client, users):
    submitted = report_of(users, "hunan", state="submitted")
    draft = report_of(users, "guangdong")
    admin_client.post(CHANGELIST, {"action": "accept_reports", "_selected_action": [submitted.pk, draft.pk]})
    submitted.refresh_from_db()
    assert (submitted.state, submitted.reviewed_by) == ("accepted", users["admin"])
    assert submitted.history.latest().history_change_reason == "accept"
    assert Report.objects.get(pk=draft.pk).state == "draft"  # a draft is not accepted


def test_staff_without_the_administrator_role_cannot_use_the_report_admin(client, users):
    pad = users["pad"]
    pad.is_staff = True
    pad.save(update_fields=["is_staff"])
    client.force_login(pad)
    report = report_of(users, "hunan", state="submitted")
    client.post(CHANGELIST, {"action": "accept_reports", "_selected_action": [report.pk]})
    assert Report.objects.get(pk=report.pk).state == "submitted"
    assert client.get(reverse("admin:tracking_report_change", args=[report.pk])).status_code in {302, 403}
