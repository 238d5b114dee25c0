"""Files of the progress pages: the completeness table as CSV (for scripts and spreadsheets alike, UTF-8 with a
byte order mark so that Excel reads the Chinese names) and as XLSX (frozen header, an autofilter, percentages as
numbers formatted as such)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from planpromo.api.renderers import formula_safe
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
        sheet.append([formula_safe(value) for value in row])
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


# --- The reports list for people ---------------------------------------------------------------------------------
#
# The API's own file export (planpromo.api.exports, `?layout=machine`, the default) keeps the serializer's field
# names and codes, which scripts rely on. `?layout=people` (what the reports page links to) has headers and labels in
# the reader's language, one column per target headed by its description, dates as dates, a frozen header, an
# autofilter and widths; `?layout=long` is one row per report and target, for pivot tables.

MACHINE, PEOPLE, LONG = "machine", "people", "long"
LAYOUTS = (MACHINE, PEOPLE, LONG)
CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment):
    """An aware datetime as the naive local time a spreadsheet shows."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _targets_of(queryset) -> list:
    from programs.models import Target

    items = queryset.order_by().values("work_item_id")
    return list(
        Target.objects.filter(work_item__in=items)
        .select_related("work_item__program")
        .order_by("work_item__program__number", "work_item__number", "position")
    )


def _target_header(target) -> str:
    figure = f"{target.quantity:,}"
    if target.approximate:
        figure = _("about %(quantity)s") % {"quantity": figure}
    return _("%(code)s %(description)s (target: %(figure)s)") % {
        "code": target.work_item.code,
        "description": target.description,
        "figure": figure,
    }


def _people_table(queryset):
    """(header, [(kind, width)], rows) of the people's layout; rows are generated chunk by chunk."""
    from tracking.choices import ReportState, ReportStatus

    targets = _targets_of(queryset)
    statuses, states = dict(ReportStatus.choices), dict(ReportState.choices)
    columns = [
        (_("Item"), "text", 7),
        (_("Work item"), "text", 40),
        (_("Organisation"), "text", 16),
        (_("Period"), "text", 10),
        (_("Due"), "date", 11),
        (_("Status"), "text", 13),
        (_("Percent complete"), "number", 10),
        (_("Summary"), "text", 40),
        (_("Achievements"), "text", 30),
        (_("Problems and risks"), "text", 30),
        (_("Next steps"), "text", 30),
        (_("State"), "text", 11),
        (_("Submitted"), "datetime", 17),
        (_("Reviewed"), "datetime", 17),
        (_("Updated"), "datetime", 17),
    ] + [(_target_header(target), "number", 18) for target in targets]

    def rows():
        for report in queryset.iterator(chunk_size=CHUNK):
            values = {tv.target_id: tv.value for tv in report.target_values.all()}
            yield [
                report.work_item.code,
                report.work_item.title,
                short_display_name(report.organisation),
                report.period.label,
                report.period.due,
                str(statuses.get(report.status, report.status)),
                report.percent_complete,
                report.summary,
                report.achievements,
                report.problems,
                report.next_steps,
                str(states.get(report.state, report.state)),
                _local(report.submitted_at),
                _local(report.reviewed_at),
                _local(report.updated_at),
                *(values.get(target.pk) for target in targets),
            ]

    return columns, rows()


def _long_table(queryset):
    """One row per report and target of its item (the value empty where the report gives none)."""
    from tracking.choices import ReportState, ReportStatus

    by_item: dict[int, list] = {}
    for target in _targets_of(queryset):
        by_item.setdefault(target.work_item_id, []).append(target)
    statuses, states = dict(ReportStatus.choices), dict(ReportState.choices)
    columns = [
        (_("Item"), "text", 7),
        (_("Organisation"), "text", 16),
        (_("Period"), "text", 10),
        (_("Target"), "text", 45),
        (_("Target figure"), "number", 12),
        (_("Approximate"), "text", 11),
        (_("Value"), "number", 10),
        (_("Status"), "text", 13),
        (_("State"), "text", 11),
    ]

    def rows():
        for report in queryset.iterator(chunk_size=CHUNK):
            values = {tv.target_id: tv.value for tv in report.target_values.all()}
            for target in by_item.get(report.work_item_id, []):
                yield [
                    report.work_item.code,
                    short_display_name(report.organisation),
                    report.period.label,
                    target.description,
                    target.quantity,
                    _("about") if target.approximate else "",
                    values.get(target.pk),
                    str(statuses.get(report.status, report.status)),
                    str(states.get(report.state, report.state)),
                ]

    return columns, rows()


def reports_filename(*, year=None, period=None, organisation=None, layout=PEOPLE, extension="xlsx") -> str:
    """reports-2012-2012-q2-guangdong-20130102.xlsx: the plan, period and organisation filtered on, and the day."""
    from django.utils.text import slugify

    parts = ["reports"]
    if period is not None:
        parts.append(str(period.plan.year))
        parts.append(period.label)
    elif year:
        parts.append(str(year))
    if organisation is not None:
        parts.append(getattr(organisation, "short_name", None) or organisation.name)
    if layout == LONG:
        parts.append("by-target")
    parts.append(f"{timezone.localdate():%Y%m%d}")
    return "-".join(slugify(part) for part in parts if slugify(part)) + f".{extension}"


def reports_file_response(queryset, *, layout: str, file_format: str, filename: str) -> HttpResponse:
    """The reports of `queryset` (tracking.selectors.reports_visible_to, filtered and ordered) as CSV or XLSX in the
    people's or the long layout. Queries: the targets; the reports, and their target values and attachments once
    per chunk of CHUNK reports."""
    from django.utils.http import content_disposition_header

    columns, rows = (_long_table if layout == LONG else _people_table)(queryset)
    header = [name for name, _kind, _width in columns]
    if file_format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else _csv_text(value) for value in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx_bytes(columns, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _csv_text(value):
    import datetime

    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return formula_safe(value)


def _xlsx_bytes(columns, rows) -> bytes:
    """Written by openpyxl in write-only mode (rows go to a temporary file, not memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reports")[:31])
    for index, (_name, _kind, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for name, _kind, _width in columns:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", name))
        cell.font, cell.alignment = bold, wrap
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    formats = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
    count = 0
    for row in rows:
        cells = []
        for (_name, kind, _width), value in zip(columns, row, strict=True):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if kind in formats and value is not None:
                    cell.number_format = formats[kind]
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
