"""Reading a filled spreadsheet (XLSX or CSV) of the report template, within fixed limits (size, members, rows,
columns, text): the rows as SheetRow, or a clear error; tracking.imports checks and applies them."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from planpromo.numbers import as_id
from programs.models import Target
from tracking.spreadsheets import (
    EDITABLE,
    IMPORT_MAX_BYTES,
    IMPORT_MAX_COLUMNS,
    IMPORT_MAX_MEMBERS,
    IMPORT_MAX_ROWS,
    IMPORT_MAX_UNCOMPRESSED,
    OBLIGATION,
    REFERENCE,
    TARGET_PREFIX,
    column_labels,
    target_header,
)


@dataclass
class SheetCell:
    """One value the import reads: the spreadsheet's row and column (A, B, ...) where it was found."""

    row: int
    column: str
    value: object


@dataclass
class SheetRow:
    number: int
    cells: dict[str, SheetCell]

    def value(self, key):
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def is_blank(self, key) -> bool:
        value = self.value(key)
        return value is None or (isinstance(value, str) and not value.strip())


def _refuse(message: str):
    raise ValidationError({"file": [message]})


def _read_all(uploaded_file) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > IMPORT_MAX_BYTES:
        _refuse(_file_too_large())
    uploaded_file.seek(0)
    content = uploaded_file.read(IMPORT_MAX_BYTES + 1)
    if len(content) > IMPORT_MAX_BYTES:
        _refuse(_file_too_large())
    if not content:
        _refuse(_("The file is empty."))
    return content


def _file_too_large() -> str:
    return _("The file is too large: the limit is %(limit)s bytes.") % {"limit": IMPORT_MAX_BYTES}


def _not_a_spreadsheet() -> str:
    return _("This is not an Excel workbook (.xlsx) or a CSV file: upload the template you downloaded, filled in.")


def _check_zip(content: bytes):
    """Refuse a zip that is no XLSX workbook, carries macros or promises too much once inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        _refuse(_not_a_spreadsheet())
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        _refuse(_("Workbooks with macros (.xlsm) are not accepted: save the file as an Excel workbook (.xlsx)."))
    if len(members) > IMPORT_MAX_MEMBERS or sum(member.file_size for member in members) > IMPORT_MAX_UNCOMPRESSED:
        _refuse(_("The workbook is too large once unpacked: it cannot be a filled template."))
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        _refuse(_not_a_spreadsheet())
    try:
        content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        _refuse(_not_a_spreadsheet())
    if b"macroEnabled" in content_types:
        _refuse(_("Workbooks with macros (.xlsm) are not accepted: save the file as an Excel workbook (.xlsx)."))


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    _check_zip(content)
    try:
        # Formulas are read as their text (data_only=False), never evaluated; links and macros are not kept.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean "not a template"
        _refuse(_not_a_spreadsheet())
    try:
        sheets = list(workbook.worksheets)
        for sheet in sheets:
            rows = _bounded_rows(sheet.iter_rows(values_only=True, max_col=IMPORT_MAX_COLUMNS + 1))
            if _key_row_index(rows) is not None or sheet is sheets[-1]:
                return rows
        return []
    except ValidationError:
        raise
    except Exception:
        _refuse(_not_a_spreadsheet())
    finally:
        workbook.close()


def _bounded_rows(rows) -> list[list]:
    kept = []
    for number, row in enumerate(rows, start=1):
        if number > IMPORT_MAX_ROWS:
            _refuse(
                _("The file has more than %(count)s rows: it cannot be a filled template.") % {"count": IMPORT_MAX_ROWS}
            )
        row = list(row)
        if len(row) > IMPORT_MAX_COLUMNS and any(value not in (None, "") for value in row[IMPORT_MAX_COLUMNS:]):
            _refuse(
                _("The file has more than %(count)s columns: it cannot be a filled template.")
                % {"count": IMPORT_MAX_COLUMNS}
            )
        kept.append(row[:IMPORT_MAX_COLUMNS])
    return kept


def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV in GB18030 (GBK)
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _refuse(_not_a_spreadsheet())
    if "\x00" in text:
        _refuse(_not_a_spreadsheet())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _bounded_rows(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        _refuse(_not_a_spreadsheet())


def _key_row_index(rows: list[list]) -> int | None:
    for index, row in enumerate(rows[:5]):
        if any(isinstance(value, str) and value.strip() == OBLIGATION for value in row):
            return index
    return None


def read_sheet(uploaded_file) -> list[SheetRow]:
    """The data rows of an uploaded template (XLSX, or CSV with the same columns), each cell by its column's key.
    Raises ValidationError({"file": ...}) for a file that cannot be a filled template."""
    from openpyxl.utils import get_column_letter

    content = _read_all(uploaded_file)
    name = (getattr(uploaded_file, "name", "") or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        _refuse(_("Workbooks with macros (.xlsm) are not accepted: save the file as an Excel workbook (.xlsx)."))
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif content.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x7fELF", b"MZ")) or name.endswith((".xlsx", ".xls")):
        _refuse(_not_a_spreadsheet())  # old binary Excel, other binaries, or a name that lies about the content
    else:
        rows = _csv_rows(content)
    key_index = _key_row_index(rows)
    if key_index is None:
        _refuse(
            _(
                "The file has no column of obligation ids (the hidden row of keys of the template): download the "
                "template again and fill that one."
            )
        )
    keys = [value.strip() if isinstance(value, str) else None for value in rows[key_index]]
    known = set(REFERENCE) | set(EDITABLE)
    columns = {
        index: key
        for index, key in enumerate(keys)
        if key and (key in known or (key.startswith(TARGET_PREFIX) and as_id(key[len(TARGET_PREFIX) :]) is not None))
    }
    first_data = key_index + 1
    result = []
    for offset, row in enumerate(rows[first_data:]):
        number = first_data + offset + 1
        cells = {
            key: SheetCell(row=number, column=get_column_letter(index + 1), value=row[index])
            for index, key in columns.items()
            if index < len(row)
        }
        sheet_row = SheetRow(number=number, cells=cells)
        if all(sheet_row.is_blank(key) for key in columns.values()):
            continue  # an empty line
        result.append(sheet_row)
    return result


def column_letter_of(rows: list[SheetRow], key: str) -> str:
    for row in rows:
        if key in row.cells:
            return row.cells[key].column
    return ""


def header_for(key: str, targets: dict[int, Target] | None = None) -> str:
    """The header of a column in the active language (a target's: its description)."""
    if key.startswith(TARGET_PREFIX):
        target = (targets or {}).get(int(key[len(TARGET_PREFIX) :]))
        return (
            target_header(target)
            if target
            else pgettext("spreadsheet column", "Target %(id)s") % {"id": key[len(TARGET_PREFIX) :]}
        )
    return column_labels().get(key, key)
