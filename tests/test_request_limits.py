"""Request bodies and parsing (red-team findings 1 and 9): an oversized body is refused before it is read, an upload
stops being read at the attachment limit, and JSON too deeply nested for the parser is a 400, not a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory
from rest_framework.test import APIClient

from planpromo.uploads import LimitedUploadHandler
from tests.helpers import FIELDS, item, period
from tracking import services
from tracking.demo import demo_accounts_ensure
from tracking.models import Attachment

pytestmark = pytest.mark.django_db

FIVE_HUNDRED_MB = 500 * 1024 * 1024


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/auth/token/", "/admin/login/"])
def test_a_body_larger_than_any_legitimate_one_is_refused_before_it_is_read(client, path):
    # A made-up csrftoken cookie, as in the attack: the CSRF check would read (and spool) the body before refusing.
    client.cookies["csrftoken"] = "x" * 32
    response = client.generic(
        "POST",
        path,
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nAAAA\r\n--b--\r\n',
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(FIVE_HUNDRED_MB),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_api_413_is_json(client):
    response = client.post(
        "/api/v1/auth/token/", b"{}", content_type="application/json", CONTENT_LENGTH=str(FIVE_HUNDRED_MB)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_body_of_ordinary_size_passes(client):
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200


def test_the_upload_handler_stops_reading_at_the_attachment_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    request = RequestFactory().post("/")
    handler = LimitedUploadHandler(request)
    handler.new_file("file", "evidence.pdf", "application/pdf", 5000)
    assert handler.receive_data_chunk(b"a" * 600, 0) == b"a" * 600
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"a" * 600, 600)
    assert stopped.value.connection_reset
    assert request.upload_too_large


def test_an_attachment_over_the_limit_is_refused_with_the_limit(settings, tmp_path):

    settings.ATTACHMENT_MAX_BYTES = 4096
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    _, users = demo_accounts_ensure(password="demo-password-for-tests")
    report = services.report_create(user=users["guangdong"], work_item=item("I.1"), period=period(), fields=FIELDS)
    client = APIClient()
    client.force_authenticate(users["guangdong"])
    big = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n" + b"0" * 10_000, content_type="application/pdf")
    response = client.post(f"/api/v1/updates/{report.pk}/attachments/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is too large: the limit is 4096 bytes."]}
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("depth", [50_000])
def test_deeply_nested_json_is_a_400(client, depth):
    body = "[" * depth + "]" * depth
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - too deeply nested."}
    assert len(response.content) < 200
