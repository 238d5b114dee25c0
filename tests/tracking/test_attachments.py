"""Evidence attachments: size limit, type by content, sanitized names, private download, removal while open."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracking import services
from tracking.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001"
)


def upload(client, report, name, content, content_type="application/pdf"):
    return client.post(
        f"/api/v1/updates/{report.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def test_pdf_is_accepted_and_listed_and_downloadable_by_allowed_users_only(client_for, make_report, media_root):
    report = make_report()
    response = upload(client_for("guangdong"), report, "progress.pdf", PDF)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["size"], body["content_type"]) == ("progress.pdf", len(PDF), "application/pdf")
    listed = client_for("guangdong").get(f"/api/v1/updates/{report.pk}/").json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]
    stored = Attachment.objects.get().file.name
    assert stored.startswith(f"attachments/{report.pk}/") and "progress" not in stored  # random stored name

    download = client_for("guangdong").get(body["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="progress.pdf"')
    assert b"".join(download.streaming_content) == PDF
    assert client_for("hunan").get(body["url"]).status_code == 404  # a draft of another office
    assert client_for("analyst").get(body["url"]).status_code == 404


def test_type_is_checked_by_content_not_name(client_for, make_report):
    report = make_report()
    response = upload(client_for("guangdong"), report, "report.pdf", b"MZ\x90\x00 this is an executable")
    assert response.status_code == 400
    assert "not accepted" in str(response.json()["file"])
    # A PNG called .pdf is stored as what it is.
    response = upload(client_for("guangdong"), report, "photo.pdf", PNG, "application/pdf")
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    assert Attachment.objects.get().file.name.endswith(".png")


def test_oversized_file_is_refused(client_for, make_report, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    response = upload(client_for("guangdong"), make_report(), "big.pdf", PDF + b"0" * 200)
    assert response.status_code == 400 and "too large" in str(response.json()["file"])
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "/abs/path/x.pdf", "\x00evil.pdf"])
def test_file_names_are_sanitized(client_for, make_report, name, media_root):
    response = upload(client_for("guangdong"), make_report(), name, PDF)
    assert response.status_code == 201
    saved = response.json()["name"]
    assert "/" not in saved and "\\" not in saved and ".." not in saved and "\x00" not in saved
    path = Attachment.objects.get().file.path
    assert path.startswith(str(media_root))


def test_remove_only_while_open(client_for, make_report, accounts, media_root, django_capture_on_commit_callbacks):
    report = make_report()
    attachment_id = upload(client_for("guangdong"), report, "a.pdf", PDF).json()["id"]
    stored = media_root / Attachment.objects.get().file.name
    assert stored.exists()
    report.refresh_from_db()
    services.report_submit(report=report, user=accounts["guangdong"])
    url = f"/api/v1/updates/{report.pk}/attachments/{attachment_id}/"
    assert client_for("guangdong").delete(url).status_code == 403
    services.report_return(report=report, user=accounts["pad"], comment="Wrong file.")
    assert client_for("hunan").delete(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal is committed
        assert client_for("guangdong").delete(url).status_code == 204
    assert not Attachment.objects.exists()
    assert not stored.exists()


def test_failed_save_leaves_no_orphan_file(make_report, accounts, media_root, monkeypatch):
    report = make_report()

    def broken_save(*args, **kwargs):
        raise RuntimeError("connection lost half-way")

    monkeypatch.setattr(Attachment, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.attachment_add(
            report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("a.pdf", PDF)
        )
    assert list(media_root.rglob("*.pdf")) == []
    report.refresh_from_db()
    assert report.version == 1
