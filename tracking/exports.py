"""Files of the progress pages: the completeness table as CSV (for scripts and spreadsheets alike, UTF-8 with a
byte order mark so that Excel reads the Chinese names) and as XLSX (frozen header, an autofilter, percentages as
numbers formatted as such)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.templatetags.plan_tags import short_display_name
from tracking.stats import Completeness, RateCell


def _header(table: Completeness) -> list[str]:
    columns = [_("Organisation"), _("Kind")]
    for label in [period.label for period in table.periods] + [_("Total")]:
        columns += [
            f"{label} {_('expected')}",
            f"{label} {_('received')}",
            f"{label} {_('on time')}",
            f"{label} {_('reporting rate %')}",
            f"{label} {_('on-time rate %')}",
        ]
    return columns


def _figures(cell: RateCell) -> list:
    return [cell.expected, cell.received, cell.on_time, cell.reporting_rate, cell.on_time_rate]


def _rows(table: Completeness) -> list[list]:
    rows = []
    for row in table.rows:
        kind = _("office") if row.is_office else _("department")
        line = [short_display_name(row.organisation), kind]
        for cell in [*row.cells, row.total]:
            line += _figures(cell)
        rows.append(line)
    total = [_("Total"), ""]
    for cell in [*table.column_totals, table.total]:
        total += _figures(cell)
    rows.append(total)
    return rows


def completeness_response(table: Completeness, *, plan, program, file_format: str) -> HttpResponse:
    name = f"completeness-{plan.year}"
    if program is not None:
        name += f"-program-{program.numeral}"
    name += f"-{timezone.localdate():%Y%m%d}"
    header, rows = _header(table), _rows(table)
    if file_format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Completeness")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    sheet.column_dimensions["A"].width = 28
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _safe(value):
    # A text cell starting like a formula is written as text, never evaluated by the spreadsheet.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"}:
        return "'" + value
    return value
