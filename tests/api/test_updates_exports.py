"""The CSV and XLSX of /api/v1/updates/, unfiltered, for every role: exactly the reports the role's JSON list has
(other offices' drafts and returned reports never leak into a file), with the text each report's author typed,
a summary starting with `=` kept as text rather than run as a formula."""

import csv
import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from tests.security.roles import accounts_ensure, report_of
from tracking import services

pytestmark = pytest.mark.django_db
ROLES = ["admin", "pad", "pdd", "guangdong", "hunan", "tianjin", "analyst"]
FORMULA = '=HYPERLINK("http://example.com","Details")'


@pytest.fixture
def users():
    return accounts_ensure()


@pytest.fixture
def reports(users):
    guangdong_draft = report_of(users, "guangdong")
    services.report_update(
        report=guangdong_draft, user=users["guangdong"], version=1, fields={"summary": FORMULA}
    )  # a formula typed by a user, in a draft only Guangdong, PAD and administrators may read
    report_of(users, "hunan", state="submitted")
    services.report_update(
        report=report_of(users, "hunan", code="V.1"), user=users["hunan"], version=1, fields={"summary": "-2+3"}
    )
    report_of(users, "guangdong", code="I.2", state="returned")
    report_of(users, "tianjin", state="accepted")
    report_of(users, "pad", label="2012-Q2")


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def content(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_files_hold_exactly_the_roles_json_list(users, reports, role):
    client = APIClient()
    client.force_authenticate(users[role])
    rows = client.get("/api/v1/updates/", {"page_size": 500}).json()["results"]
    summaries = {str(row["id"]): row["summary"] for row in rows}

    body = content(client.get("/api/v1/updates/", {"format": "csv", "page_size": 500}))
    from_csv = {r["id"]: r["summary"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}
    # The CSV escapes a cell Excel would run: one that starts with =, +, - or @ and is not a plain number.
    escaped = {pk: ("'" + s if s[:1] in "=+-@" and not is_number(s) else s) for pk, s in summaries.items()}
    assert from_csv == escaped

    sheet = openpyxl.load_workbook(io.BytesIO(content(client.get("/api/v1/updates/", {"format": "xlsx"})))).active
    header = [cell.value for cell in sheet[1]]
    id_col, summary_col = header.index("id"), header.index("summary")
    cells = {str(row[id_col].value): row[summary_col] for row in sheet.iter_rows(min_row=2)}
    assert {pk: cell.value for pk, cell in cells.items()} == summaries
    assert all(cell.data_type == "s" for cell in cells.values())  # text, never a formula

    may_read_the_draft = role in {"admin", "pad", "guangdong"}
    assert (FORMULA in summaries.values()) == may_read_the_draft
    assert ("-2+3" in summaries.values()) == (role in {"admin", "hunan"})  # Hunan's draft on V.1 (PCD reviews it)
