"""The spreadsheet round trip in a real browser: Guangdong opens the import page from My work, downloads its template
for 2012-Q2, fills it offline (openpyxl, as Excel would), uploads it, reads the preview (nothing written yet),
imports it with "submit all", and is back on My work with the reports submitted."""

import os

import pytest
from openpyxl import load_workbook

from programs.models import ReportingPeriod
from tests.browser.helpers import login, screenshot
from tests.helpers import PASSWORD
from tracking.models import Report
from tracking.spreadsheets import FIRST_DATA_ROW, KEY_ROW

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)


def test_guangdong_uploads_a_filled_template(page, accounts, tmp_path):
    q2 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q2")
    login(page, "guangdong", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    page.get_by_role("link", name="Upload a filled template").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import reports from a spreadsheet")

    page.get_by_label("Reporting period").select_option(value=str(q2.pk))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the template").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("report-template-2012-q2-guangdong-")

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    keys = {cell.value: cell.column for cell in sheet[KEY_ROW] if cell.value}
    codes = {}
    for row in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1):
        codes[sheet.cell(row=row, column=keys["code"]).value] = row
        sheet.cell(row=row, column=keys["status"]).value = "On track"
        sheet.cell(row=row, column=keys["percent_complete"]).value = 30
        sheet.cell(row=row, column=keys["summary"]).value = "Compiled offline and approved by the bureau."
    workbook.save(path)

    page.get_by_label("Filled template").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("table", name="What the import does, row by row")
    expect(preview.get_by_role("row")).to_have_count(3)  # the header and two new reports
    expect(preview).to_contain_text("new report")
    assert not Report.objects.exists()
    screenshot(page, "import-preview")

    page.get_by_label("Submit every imported report for review").check()
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/my-work/")
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("2 new")
    reports = Report.objects.select_related("work_item__program").filter(period=q2)
    assert {r.work_item.code for r in reports} == set(codes)
    assert {(r.state, r.percent_complete) for r in reports} == {("submitted", 30)}
    assert not page.console_errors
