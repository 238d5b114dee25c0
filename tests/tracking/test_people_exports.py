"""The reports list as files for people (`?layout=people`, what the reports page links to) and for pivot tables
(`?layout=long`), beside the machine layout that scripts rely on (the default)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.helpers import item, office, period
from tracking import services

pytestmark = pytest.mark.django_db

LIST = reverse("report-list")


@pytest.fixture
def reports(accounts):
    """Guangdong's IV.2 (one target, a value) and I.1 reports of 2012-Q2, submitted; Hunan's IV.2 submitted."""
    target = item("IV.2").targets.get()
    made = []
    for username, code, values in [("guangdong", "IV.2", [(target.pk, 12)]), ("guangdong", "I.1", None)]:
        report = services.report_create(
            user=accounts[username],
            work_item=item(code),
            period=period("2012-Q2"),
            fields={"status": "on_track", "percent_complete": 40, "summary": "=1+1 is text"},
            target_values=values,
        )
        made.append(services.report_submit(report=report, user=accounts[username]))
    hunan = services.report_create(
        user=accounts["hunan"],
        work_item=item("IV.2"),
        period=period("2012-Q2"),
        fields={"status": "delayed", "percent_complete": 10, "summary": "Late."},
    )
    made.append(services.report_submit(report=hunan, user=accounts["hunan"]))
    return made


def sheet_of(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_people_xlsx_has_labels_target_columns_real_dates_frozen_header_filter_and_a_name(client_for, reports):
    guangdong = office("Guangdong")
    params = {"format": "xlsx", "layout": "people", "period": period("2012-Q2").pk, "office": guangdong.pk}
    response = client_for("analyst").get(LIST, params)
    sheet = sheet_of(response)
    header = [cell.value for cell in sheet[1]]
    target = item("IV.2").targets.get()
    target_header = next(h for h in header if target.description in h)
    assert target_header.startswith("IV.2 ") and f"{target.quantity:,}" in target_header
    assert header[:7] == ["Item", "Work item", "Organisation", "Period", "Due", "Status", "Percent complete"]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    by_item = {row["Item"]: row for row in rows}
    assert set(by_item) == {"IV.2", "I.1"}
    assert (by_item["IV.2"]["Status"], by_item["IV.2"]["State"], by_item["IV.2"][target_header]) == (
        "On track",
        "Submitted",
        12,
    )
    assert by_item["I.1"][target_header] is None
    assert by_item["IV.2"]["Due"] == datetime.datetime(2012, 7, 15)
    assert isinstance(by_item["IV.2"]["Submitted"], datetime.datetime)
    assert by_item["IV.2"]["Summary"] == "=1+1 is text"  # text, not a formula
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}3"
    assert sheet.column_dimensions["B"].width == 40
    today = f"{timezone.localdate():%Y%m%d}"
    assert f'filename="reports-2012-2012-q2-guangdong-{today}.xlsx"' in response["Content-Disposition"]


def test_people_csv_in_chinese(client_for, reports):
    response = client_for("analyst").get(LIST, {"format": "csv", "layout": "people"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["进展状态"] for row in rows} == {"进展正常", "滞后"}
    assert {row["单位"] for row in rows} == {"广东", "湖南"}
    assert len(rows) == 3


def test_long_layout_is_one_row_per_report_and_target(client_for, reports):
    response = client_for("analyst").get(LIST, {"format": "xlsx", "layout": "long", "work_item": item("IV.2").pk})
    sheet = sheet_of(response)
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Item",
        "Organisation",
        "Period",
        "Target",
        "Target figure",
        "Approximate",
        "Value",
        "Status",
        "State",
    ]
    target = item("IV.2").targets.get()
    rows = sorted(tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2))
    assert [(r[1], r[3], r[4], r[6]) for r in rows] == [
        ("Guangdong", target.description, target.quantity, 12),
        ("Hunan", target.description, target.quantity, None),
    ]
    assert "by-target" in response["Content-Disposition"]


def test_default_stays_the_machine_layout_for_scripts(client_for, reports):
    response = client_for("analyst").get(LIST, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {"id", "work_item.code", "status", "target_values.target"} <= set(rows[0])
    assert {row["status"] for row in rows} == {"on_track", "delayed"}


def test_unknown_layout_is_400(client_for):
    response = client_for("analyst").get(LIST, {"format": "csv", "layout": "fancy"})
    assert response.status_code == 400
    assert "layout" in response.json()


def test_people_export_sees_only_what_the_user_may_see(client_for, accounts, reports):
    services.report_create(
        user=accounts["hunan"],
        work_item=item("I.1"),
        period=period("2012-Q2"),
        fields={"status": "on_track", "percent_complete": 5, "summary": "Hunan's draft."},
    )
    response = client_for("guangdong").get(LIST, {"format": "csv", "layout": "people"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted((row["Item"], row["Organisation"]) for row in rows) == [
        ("I.1", "Guangdong"),
        ("IV.2", "Guangdong"),
        ("IV.2", "Hunan"),
    ]


@pytest.mark.parametrize("layout", ["people", "long"])
def test_people_export_queries_are_constant(client_for, accounts, django_assert_num_queries, layout):
    """Queries: the user's profile (and its organisation); the targets; the reports; their target values and
    attachments (one chunk). The same with 3 reports as with 12."""
    from tests.factories import bulk_reports

    client = client_for("analyst")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"format": "xlsx", "layout": layout}).status_code == 200
        return len(captured)

    bulk_reports(items=[item("IV.2")], periods=[period("2012-Q1")], share=0.1)
    small = count()
    bulk_reports(items=[item("IV.2"), item("I.1")], periods=[period("2012-Q2"), period("2012-Q3")], share=0.9)
    assert count() == small
