"""?format=csv and ?format=xlsx on the lists: the rows of the JSON list for the same filters and order, all of them,
with stable flattened columns, Chinese text intact, and a constant number of queries."""

import csv
import datetime
import io

import openpyxl
import pytest

from participants.models import ProvincialOffice
from programs.models import WorkItem
from tests.factories import PlanFactory, ProgramFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

LISTS = ["plans", "departments", "offices", "programs", "work-items", "periods"]
BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WORK_ITEM_COLUMNS = [
    "id",
    "year",
    "program.id",
    "program.number",
    "program.name",
    "number",
    "code",
    "title",
    "text",
    "departments.id",
    "departments.name",
    "office_scope",
    "office_condition",
    "offices.id",
    "offices.short_name",
    "targets.id",
    "targets.quantity",
    "targets.approximate",
    "targets.description",
]


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    body = content(response)
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body.removeprefix(BOM).decode("utf-8"))))


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def json_list(client, url, **params):
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def joined(items, key):
    return "; ".join(str(item[key]) for item in items)


def expected_work_item_row(item) -> dict:
    """A work item of the JSON list as the file flattens it (strings, as CSV reads them back)."""
    [program] = [item["program"]]
    target_values = {
        f"targets.{key}": joined(item["targets"], key) for key in ("id", "quantity", "approximate", "description")
    }
    return {
        "id": str(item["id"]),
        "year": str(item["year"]),
        "program.id": str(program["id"]),
        "program.number": str(program["number"]),
        "program.name": program["name"],
        "number": str(item["number"]),
        "code": item["code"],
        "title": item["title"],
        "text": item["text"],
        "departments.id": joined(item["departments"], "id"),
        "departments.name": joined(item["departments"], "name"),
        "office_scope": item["office_scope"],
        "office_condition": item["office_condition"],
        "offices.id": joined(item["offices"], "id"),
        "offices.short_name": joined(item["offices"], "short_name"),
        **target_values,
    }


def test_csv_of_a_filtered_ordered_list_has_exactly_the_json_rows(auth_client):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    params = {"year": 2012, "office": guangdong.pk, "ordering": "-code"}
    items = json_list(auth_client, "/api/v1/work-items/", **params)
    assert 5 < len(items) < 34  # the filter leaves some items out

    response = auth_client.get("/api/v1/work-items/", {**params, "format": "csv", "page_size": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="work-items-2012.csv"'
    rows = csv_rows(response)
    assert list(rows[0]) == WORK_ITEM_COLUMNS
    assert rows == [expected_work_item_row(item) for item in items]  # every row, not one page, in the same order
    v3 = next(row for row in rows if row["code"] == "V.3")
    assert v3["targets.quantity"] == "30"
    assert v3["targets.description"] == "industry-wide patent pools set up"


def test_xlsx_of_a_filtered_ordered_list_has_exactly_the_json_rows(auth_client):
    params = {"year": 2012, "office_scope": "listed", "ordering": "title"}
    items = json_list(auth_client, "/api/v1/work-items/", **params)
    assert items

    response = auth_client.get("/api/v1/work-items/", {**params, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="work-items-2012.xlsx"'
    rows = xlsx_rows(response)
    assert [row["code"] for row in rows] == [item["code"] for item in items]
    for row, item in zip(rows, items, strict=True):
        assert row["id"] == item["id"] and row["program.number"] == item["program"]["number"]  # numbers stay numbers
        assert row["title"] == item["title"]
        assert row["offices.short_name"] == joined(item["offices"], "short_name")
        assert row["departments.name"] == joined(item["departments"], "name")


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_chinese_names_survive(auth_client, extension):
    response = auth_client.get("/api/v1/offices/", {"format": extension})
    assert response["Content-Disposition"] == f'attachment; filename="offices.{extension}"'
    rows = csv_rows(response) if extension == "csv" else xlsx_rows(response)
    offices = {row["short_name"]: row for row in rows}
    assert len(offices) == 32
    assert offices["Guangdong"]["name_zh"] == "广东省知识产权局"
    assert offices["Guangdong"]["code"] in ("440000", 440000)
    assert offices["XPCC"]["code"] in ("", None)  # null is an empty cell


def test_csv_opens_in_excel_with_a_byte_order_mark(auth_client):
    body = content(auth_client.get("/api/v1/departments/", {"format": "csv", "search": "专利"}))
    assert body.startswith(BOM + b"id,name,name_zh,kind,aliases\r\n")
    assert "专利管理司".encode() in body


def test_lists_of_values_are_joined(auth_client):
    rows = csv_rows(auth_client.get("/api/v1/departments/", {"format": "csv", "search": "Human Resources"}))
    assert [(row["name"], row["aliases"]) for row in rows] == [
        ("Human Resources Department", "Human Resources Development")
    ]


def test_a_detail_is_one_row(auth_client):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=5, number=3)
    response = auth_client.get(f"/api/v1/work-items/{item.pk}/", {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="work-items-{item.pk}.csv"'
    [row] = csv_rows(response)
    assert list(row) == WORK_ITEM_COLUMNS
    assert row["code"] == "V.3" and row["targets.quantity"] == "30"


def test_an_empty_list_still_has_its_columns(auth_client):
    rows = content(auth_client.get("/api/v1/work-items/", {"format": "csv", "year": 1999}))
    assert rows == BOM + (",".join(WORK_ITEM_COLUMNS) + "\r\n").encode()
    assert xlsx_rows(auth_client.get("/api/v1/work-items/", {"format": "xlsx", "year": 1999})) == []


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_errors_stay_json(api_client, auth_client, extension):
    response = auth_client.get("/api/v1/work-items/", {"format": extension, "office": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "office" in response.json()
    assert "Content-Disposition" not in response
    response = api_client.get("/api/v1/work-items/", {"format": extension})
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


def test_cells_that_excel_would_run_as_formulas_are_text(auth_client):
    WorkItemFactory(program=ProgramFactory(), title='=HYPERLINK("http://example.com")', text="-1")
    query = {"search": "HYPERLINK"}
    [row] = csv_rows(auth_client.get("/api/v1/work-items/", {**query, "format": "csv"}))
    assert row["title"] == "'" + '=HYPERLINK("http://example.com")'
    assert row["text"] == "-1"  # a number is left alone
    workbook = openpyxl.load_workbook(
        io.BytesIO(content(auth_client.get("/api/v1/work-items/", {**query, "format": "xlsx"})))
    )
    title = workbook.active.cell(row=2, column=WORK_ITEM_COLUMNS.index("title") + 1)
    assert title.value == '=HYPERLINK("http://example.com")' and title.data_type == "s"


# Query budgets of a file: the list's queries without the page count, at 34 items and with 70 more.
# work-items: items (program and plan joined) + departments + offices + targets + all offices = 5.
BUDGETS = {"work-items": 5, "programs": 2, "departments": 2, "offices": 1, "plans": 1, "periods": 1}


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("name", LISTS)
def test_export_queries_are_constant(auth_client, django_assert_num_queries, name, extension):
    def export():
        response = auth_client.get(f"/api/v1/{name}/", {"format": extension})
        return content(response)  # a streamed file reads the database while it is sent

    with django_assert_num_queries(BUDGETS[name]):
        small = export()
    for program in ProgramFactory.create_batch(7, plan=PlanFactory(year=2040)):
        WorkItemFactory.create_batch(10, program=program)
    with django_assert_num_queries(BUDGETS[name]):
        large = export()
    if name in ("work-items", "programs", "plans"):  # more rows, same queries
        assert len(large) > len(small)


def test_xlsx_dates_are_excel_dates_and_codes_text(db, auth_client):
    """A period's start and due are dates in the workbook (not text), an office's code is text, and the XPCC's
    empty code is an empty cell: pandas reads the column as text, not floats."""
    import io

    from openpyxl import load_workbook

    def workbook(url):
        return load_workbook(io.BytesIO(b"".join(auth_client.get(url).streaming_content))).active

    periods = workbook("/api/v1/periods/?format=xlsx")
    header = [cell.value for cell in next(periods.iter_rows(max_row=1))]
    first = [cell for cell in next(periods.iter_rows(min_row=2, max_row=2))]
    due = first[header.index("due")]
    assert due.is_date and isinstance(due.value, datetime.datetime)
    offices = workbook("/api/v1/offices/?format=xlsx")
    header = [cell.value for cell in next(offices.iter_rows(max_row=1))]
    codes = [row[header.index("code")].value for row in offices.iter_rows(min_row=2)]
    assert None in codes and all(isinstance(code, str) for code in codes if code is not None)
