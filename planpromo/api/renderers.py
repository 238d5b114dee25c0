"""File formats of the API: `?format=csv` and `?format=xlsx` (or the matching Accept header) on any endpoint.

List views are streamed row by row through `planpromo.api.pagination` (`file_response`); anything else a view
returns (a detail, an unpaginated list, a hand-built response) goes through `render`. Errors stay JSON whatever
format was asked for, so a script sees why its download failed.
"""

import datetime
import re
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework_csv.renderers import CSVStreamingRenderer

from planpromo.api import exports


class ExportRenderer(BaseRenderer):
    """A file format: `write(header, rows)` gives the file's bytes in chunks, from rows {column name: cell}."""

    def write(self, header: list[str], rows) -> object:
        raise NotImplementedError

    def file_response(self, header, rows, filename):
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data, "application/json", renderer_context)
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):  # paginated by a view itself
            data = data["results"]
        records = data if isinstance(data, list) else [data]
        view, request = renderer_context.get("view"), renderer_context.get("request")
        table = exports.Table.for_view(view, records)
        if response is not None and request is not None:
            response["Content-Disposition"] = content_disposition_header(
                True, exports.filename(request, view, self.format)
            )
        return b"".join(self.write(table.header, (table.row(record) for record in records)))


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def _excel_date(value: str):
    """A date or date-time as the API writes it (ISO 8601), as an Excel date: a date-time in the site's time zone,
    without it (Excel has none). None for anything else."""
    try:
        if ISO_DATE.match(value):
            return datetime.date.fromisoformat(value)
        if ISO_DATETIME.match(value):
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if timezone.is_aware(moment):
                moment = timezone.make_naive(moment)
            return moment
    except ValueError:
        return None
    return None


# Excel reads a cell that starts with one of these as a formula, so a report text starting with "=" could run one.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def formula_safe(value):
    """A text that a spreadsheet would read as a formula, quoted so that it stays text (numbers stay numbers)."""
    if isinstance(value, str) and FORMULA_START.match(value) and not NUMBER.match(value):
        return "'" + value
    return value


class CSVRenderer(ExportRenderer, CSVStreamingRenderer):
    """CSV in UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly by double-click.

    djangorestframework-csv writes the rows (its streaming renderer, with the header from `exports.Table`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def write(self, header, rows):
        rows = ({name: formula_safe(value) for name, value in row.items()} for row in rows)
        context = {"header": header, "encoding": "utf-8", "bom": True}
        for chunk in CSVStreamingRenderer.render(self, rows, renderer_context=context):
            yield chunk if isinstance(chunk, bytes) else chunk.encode()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return ExportRenderer.render(self, data, accepted_media_type, renderer_context)

    def file_response(self, header, rows, filename):
        return StreamingHttpResponse(
            self.write(header, rows),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )


class XLSXRenderer(ExportRenderer):
    """An Excel workbook with one sheet, written by openpyxl in write-only mode (rows go to a temporary file as they
    come, not into memory). Text cells are always text: a value starting with "=" is not turned into a formula."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def write_file(self, header, rows):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("export")
        sheet.append(header)
        for row in rows:
            sheet.append([self._cell(sheet, row[name]) for name in header])
        file = tempfile.TemporaryFile()  # noqa: SIM115 (returned open; FileResponse or write() closes it)
        workbook.save(file)
        file.seek(0)
        return file

    @staticmethod
    def _cell(sheet, value):
        if not isinstance(value, str):
            return value
        when = _excel_date(value)
        if when is not None:
            cell = WriteOnlyCell(sheet, value=when)
            cell.number_format = "yyyy-mm-dd" if type(when) is datetime.date else "yyyy-mm-dd hh:mm:ss"
            return cell
        # Everything else that is text stays text: a code such as "440000" too (not a number, whose column pandas
        # would turn into floats where the XPCC has none).
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    def write(self, header, rows):
        with self.write_file(header, rows) as file:
            while chunk := file.read(64 * 1024):
                yield chunk

    def file_response(self, header, rows, filename):
        response = FileResponse(self.write_file(header, rows), content_type=self.media_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


EXPORT_FORMATS = {renderer.format: renderer for renderer in (CSVRenderer, XLSXRenderer)}
