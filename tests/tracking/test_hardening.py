"""Red-team findings on reports (issue 15): drafts leaking through the history (3), attachments downloaded under the
uploader's extension (4), oversized lists (10), lost updates through If-Match (11), blank-looking summaries and
orphaned files (12)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.helpers import item
from tracking import services
from tracking.models import Attachment, Report

pytestmark = pytest.mark.django_db

URL = "/api/v1/updates/"
SECRET = "DRAFT-ONLY: internal note, budget shortfall of 2 million"
PDF_BAT = b"%PDF-1.4\n@echo off\r\ndel /q C:\\*\r\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001"
)


def submitted_after_a_secret_draft(make_report, accounts):
    """Guangdong writes a confidential draft, edits it, submits; Pad returns it with a comment; Guangdong edits and
    resubmits."""
    report = make_report(summary=SECRET)
    report = services.report_update(
        report=report, user=accounts["guangdong"], version=1, fields={"summary": "On track."}
    )
    report = services.report_submit(report=report, user=accounts["guangdong"])
    report = services.report_return(report=report, user=accounts["pad"], comment="RETURN-NOTE: fix the budget line")
    report = services.report_update(
        report=report, user=accounts["guangdong"], version=report.version, fields={"percent_complete": 55}
    )
    return services.report_submit(report=report, user=accounts["guangdong"])


@pytest.mark.parametrize("username", ["hunan", "analyst"])
def test_history_shows_only_published_versions_to_those_who_may_not_see_drafts(
    client_for, make_report, accounts, username
):
    report = submitted_after_a_secret_draft(make_report, accounts)
    response = client_for(username).get(f"{URL}{report.pk}/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "DRAFT-ONLY" not in body and "RETURN-NOTE" not in body
    history = response.json()
    assert [(h["transition"], h["state"]) for h in history] == [("submit", "submitted"), ("submit", "submitted")]
    changes = [change for change in history[1]["changes"] if change["field"] != "submitted_at"]
    assert changes == [{"field": "percent_complete", "old": 40, "new": 55}]
    detail = client_for(username).get(f"{URL}{report.pk}/").json()
    assert detail["review_comment"] == ""


@pytest.mark.parametrize("username", ["guangdong", "pad", "admin"])
def test_the_organisation_its_reviewers_and_administrators_see_every_version(
    client_for, make_report, accounts, username
):
    report = submitted_after_a_secret_draft(make_report, accounts)
    history = client_for(username).get(f"{URL}{report.pk}/history/").json()
    assert [h["transition"] for h in history] == ["create", "edit", "submit", "return", "edit", "submit"]
    assert history[1]["changes"] == [{"field": "summary", "old": SECRET, "new": "On track."}]
    assert "RETURN-NOTE" in str(history[3]["changes"])


def test_the_report_page_timeline_of_an_analyst_has_no_draft_text(client, make_report, accounts):
    report = submitted_after_a_secret_draft(make_report, accounts)
    client.force_login(accounts["analyst"])
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert "DRAFT-ONLY" not in html and "RETURN-NOTE" not in html
    client.force_login(accounts["guangdong"])
    assert "DRAFT-ONLY" in client.get(f"/reports/{report.pk}/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "download_name", "content_type"),
    [
        ("evidence.bat", PDF_BAT, "evidence.pdf", "application/pdf"),
        ("evidence.html", PDF_BAT + b"<script>alert(1)</script>", "evidence.pdf", "application/pdf"),
        ("photo.html", PNG, "photo.png", "image/png"),
        ("scan.PDF", PDF_BAT, "scan.pdf", "application/pdf"),
    ],
)
def test_attachments_download_under_the_extension_of_their_detected_type(
    client_for, make_report, name, content, download_name, content_type
):
    report = make_report()
    client = client_for("guangdong")
    response = client.post(
        f"{URL}{report.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["name"], response.json()["content_type"]) == (download_name, content_type)
    download = client.get(response.json()["url"])
    assert download["Content-Disposition"] == f'attachment; filename="{download_name}"'
    assert download["Content-Type"] == content_type


def test_an_old_attachment_with_a_mismatched_name_downloads_under_its_type(client_for, make_report, accounts):
    report = make_report()
    attachment = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("x.pdf", PDF_BAT)
    )
    Attachment.objects.filter(pk=attachment.pk).update(name="evidence.bat")  # as stored before the fix
    download = client_for("guangdong").get(f"{URL}{report.pk}/attachments/{attachment.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="evidence.pdf"'


def test_oversized_target_lists_are_refused_cheaply_with_a_small_error(client_for, make_report):
    report = make_report()
    target = item("I.1").targets.first()
    entries = [{"target": target.pk if target else 1, "value": n} for n in range(160_000)]
    response = client_for("guangdong").patch(
        f"{URL}{report.pk}/", {"version": 1, "target_values": entries}, format="json"
    )
    assert response.status_code == 400
    assert len(response.content) < 1000
    assert "target_values" in response.json()
    report.refresh_from_db()
    assert report.version == 1


def test_many_bad_targets_give_one_short_error(client_for, make_report):
    report = make_report()
    entries = [{"target": 900_000 + n, "value": 1} for n in range(40)]
    response = client_for("guangdong").patch(
        f"{URL}{report.pk}/", {"version": 1, "target_values": entries}, format="json"
    )
    assert response.status_code == 400
    assert len(response.content) < 1000


def test_if_match_naming_another_report_is_refused(client_for, make_report):
    report = make_report()
    client = client_for("guangdong")
    response = client.patch(f"{URL}{report.pk}/", {"percent_complete": 50}, format="json", HTTP_IF_MATCH='"999999-1"')
    assert response.status_code == 412
    assert "another report" in response.json()["detail"]
    response = client.post(f"{URL}{report.pk}/submit/", {}, format="json", HTTP_IF_MATCH='"999999-1"')
    assert response.status_code == 412
    report.refresh_from_db()
    assert (report.percent_complete, report.version, report.state) == (40, 1, "draft")


def test_the_edit_page_refuses_a_post_without_the_version(client, make_report, accounts):
    report = make_report()
    services.report_update(report=report, user=accounts["guangdong"], version=1, fields={"summary": "A colleague's."})
    client.force_login(accounts["guangdong"])
    data = {"status": "on_track", "percent_complete": 40, "summary": "Mine.", "action": "save"}
    response = client.post(f"/reports/{report.pk}/edit/", data)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    report.refresh_from_db()
    assert (report.summary, report.version) == ("A colleague's.", 2)


@pytest.mark.parametrize("blank", ["\u200b", " \u200b\u2060 ", "\ufeff", "\u3000", "\u00a0\u200d"])
def test_a_summary_of_invisible_characters_is_blank(client_for, make_report, blank):
    report = make_report()
    response = client_for("guangdong").patch(f"{URL}{report.pk}/", {"version": 1, "summary": blank}, format="json")
    assert response.status_code == 400
    assert "summary" in response.json()
    report.refresh_from_db()
    assert report.summary == "Guidelines drafted with the finance bureau."


def test_orphaned_attachment_files_are_swept(media_root, make_report, accounts):
    report = make_report()
    kept = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("kept.pdf", PDF_BAT)
    )
    orphan = media_root / "attachments" / str(report.pk) / "0123456789abcdef0123456789abcdef.pdf"
    orphan.write_bytes(PDF_BAT)
    call_command("sweep_attachments", "--older-than", "0", verbosity=0)
    assert not orphan.exists()
    assert (media_root / kept.file.name).exists()
    assert Report.objects.get(pk=report.pk).attachments.count() == 1
