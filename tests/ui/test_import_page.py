"""The import page: upload a filled template, see the preview (nothing written), confirm (all written, optionally
submitted), or see the errors by row and column; My work links to the template and to the page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import ReportingPeriod
from tracking.models import Report
from tracking.spreadsheets import FIRST_DATA_ROW, KEY_ROW
from tracking.views.report_import import rows_payload

pytestmark = pytest.mark.django_db

PAGE = reverse("tracking:report_import")


@pytest.fixture
def guangdong(accounts, client):
    client.force_login(accounts["guangdong"])
    return client


def filled_template(client, *, percent=40, language="en"):
    q2 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q2")
    response = client.get(reverse("report-template"), {"period": q2.pk}, HTTP_ACCEPT_LANGUAGE=language)
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    keys = {cell.value: cell.column for cell in sheet[KEY_ROW] if cell.value}
    status = "On track" if language == "en" else "进展正常"
    for column, value in [("status", status), ("percent_complete", percent), ("summary", "Half way.")]:
        sheet.cell(row=FIRST_DATA_ROW, column=keys[column]).value = value
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("filled.xlsx", output.getvalue())


def test_my_work_links_to_the_template_and_the_import_page(guangdong):
    html = guangdong.get(reverse("tracking:my_work")).content.decode()
    assert f'href="{reverse("report-template")}?year=2012"' in html
    assert f'href="{PAGE}"' in html
    q2 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q2")
    html = guangdong.get(reverse("tracking:my_work"), {"period": q2.pk}).content.decode()
    assert f'href="{reverse("report-template")}?period={q2.pk}"' in html


def test_preview_writes_nothing_then_confirm_imports_and_submits(guangdong):
    response = guangdong.post(PAGE, {"file": filled_template(guangdong)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview" in html and "new report" in html
    assert not Report.objects.exists()
    payload = response.context["confirm_form"].initial["payload"]
    response = guangdong.post(PAGE, {"payload": payload, "submit_all": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("tracking:my_work")
    report = Report.objects.get()
    assert (report.status, report.percent_complete, report.state) == ("on_track", 40, "submitted")
    # The same preview confirmed again: nothing changes.
    versions = Report.history.count()
    assert guangdong.post(PAGE, {"payload": payload}).status_code == 302
    assert Report.history.count() == versions


def test_errors_are_shown_by_row_and_column_in_chinese(guangdong):
    guangdong.cookies["django_language"] = "zh-hans"
    response = guangdong.post(
        PAGE, {"file": filled_template(guangdong, percent=250, language="zh-hans")}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“250”不是有效的百分比" in html and "完成百分比" in html
    assert response.context["confirm_form"] is None
    assert not Report.objects.exists()


def test_a_tampered_payload_is_refused(guangdong, accounts):
    response = guangdong.post(PAGE, {"payload": rows_payload([]) + "x"})
    assert response.status_code == 302 and response["Location"] == PAGE


def test_a_file_that_is_not_a_template_is_refused_at_its_field(guangdong):
    response = guangdong.post(PAGE, {"file": SimpleUploadedFile("evil.xlsx", b"%PDF-1.4 nothing")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_analysts_cannot_import(accounts, client):
    client.force_login(accounts["analyst"])
    assert client.get(PAGE).status_code == 403
