"""The report template of an organisation as an XLSX workbook, and reading a filled one (or a CSV with the same
columns) back as rows, refusing hostile files before any parser sees them.

The layout (one sheet, one row per obligation):
- row 1: the headers in the user's language; row 2 (hidden): each column's key (`KEYS`, `target:<id>`), by which the
  import finds its columns whatever the language or the order; data from row 3;
- reference columns, locked by the sheet's protection (no password: it prevents slips, not a determined user): the
  hidden obligation id and report version, the item's code, title and text, the organisation, the period and its due
  date, the report's state, the previous period's status, percent and target values;
- columns to fill: status (a drop-down of the words of the user's language), percent (0–100), the four texts, and one
  column per target of the items in the workbook, headed by its description and figure (open only on the rows of
  the items it belongs to).

Reading (`read_sheet`) refuses, with a message for the person who sent it: a file larger than IMPORT_MAX_BYTES;
content that is neither an XLSX workbook nor text (whatever its name says); macro workbooks (.xlsm, or any
workbook carrying vbaProject.bin); zip archives whose directory promises more than IMPORT_MAX_UNCOMPRESSED bytes or
IMPORT_MAX_MEMBERS members (zip bombs: Python's zipfile never inflates a member beyond its directory size, so the
directory is a bound); more than IMPORT_MAX_ROWS rows or IMPORT_MAX_COLUMNS columns. openpyxl parses the XML with
defusedxml (no entity expansion). Formulas are never evaluated: a cell holding one is read as its text ("=A1*2"),
which a number column refuses and a text column keeps as text (the exports write it back as text).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import ProvincialOffice
from programs.choices import PeriodKind
from programs.models import ReportingPeriod, Target
from programs.templatetags.plan_tags import short_display_name
from tracking.choices import OPEN_STATES, ReportState, ReportStatus
from tracking.models import Obligation, Report, TargetValue

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Limits of an uploaded file. An organisation has at most a few hundred obligations in a year.
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_UNCOMPRESSED = 20 * 1024 * 1024
IMPORT_MAX_MEMBERS = 500
IMPORT_MAX_ROWS = 5_000
IMPORT_MAX_COLUMNS = 300
IMPORT_MAX_TEXT = 20_000  # characters in one cell

HEADER_ROW, KEY_ROW, FIRST_DATA_ROW = 1, 2, 3

OBLIGATION = "obligation_id"
VERSION = "version"
TEXT_FIELDS = ("summary", "achievements", "problems", "next_steps")
EDITABLE = Report.EDITABLE_FIELDS  # the columns an organisation fills
TARGET_PREFIX = "target:"


def column_labels() -> dict[str, str]:
    """Every fixed column's header in the active language."""
    return {
        OBLIGATION: _("Obligation id"),
        VERSION: _("Report version"),
        "code": _("Item"),
        "title": _("Work item"),
        "text": _("Full text"),
        "organisation": _("Organisation"),
        "period": _("Period"),
        "due": _("Due"),
        "state": _("State"),
        "previous_status": _("Previous period: status"),
        "previous_percent": _("Previous period: percent"),
        "previous_targets": _("Previous period: target values"),
        "status": _("Status"),
        "percent_complete": _("Percent complete"),
        "summary": _("Summary"),
        "achievements": _("Achievements"),
        "problems": _("Problems and risks"),
        "next_steps": _("Next steps"),
    }


REFERENCE = (
    OBLIGATION,
    VERSION,
    "code",
    "title",
    "text",
    "organisation",
    "period",
    "due",
    "state",
    "previous_status",
    "previous_percent",
    "previous_targets",
)
WIDTHS = {"code": 7, "title": 36, "text": 50, "organisation": 14, "period": 10, "due": 11, "state": 11}
WIDTHS |= {"previous_status": 13, "previous_percent": 10, "previous_targets": 30, "status": 14, "percent_complete": 10}
WIDTHS |= dict.fromkeys(TEXT_FIELDS, 40)


def target_key(target_id: int) -> str:
    return f"{TARGET_PREFIX}{target_id}"


def target_header(target: Target) -> str:
    figure = f"{target.quantity:,}"
    if target.approximate:
        figure = _("about %(quantity)s") % {"quantity": figure}
    return _("%(description)s (target: %(figure)s)") % {"description": target.description, "figure": figure}


# --- The template ----------------------------------------------------------------------------------------------


@dataclass
class TemplateLine:
    obligation: Obligation
    report: Report | None
    previous: Report | None


@dataclass
class TemplateData:
    """What a template shows: the organisation's obligations of the periods, their reports and the previous period's,
    and the targets of their items (the target columns)."""

    organisation: object
    periods: list[ReportingPeriod]
    lines: list[TemplateLine] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def previous_periods(periods: list[ReportingPeriod]) -> dict[int, ReportingPeriod]:
    """{period id: the period before it} among quarters of a plan: Q2 follows Q1; the first quarter and the year
    have none."""
    plans = {period.plan_id for period in periods}
    quarters = list(ReportingPeriod.objects.filter(plan__in=plans, kind=PeriodKind.QUARTER).order_by("plan", "start"))
    before = {}
    for earlier, later in itertools.pairwise(quarters):
        if earlier.plan_id == later.plan_id:
            before[later.pk] = earlier
    return {period.pk: before[period.pk] for period in periods if period.pk in before}


def template_data(*, organisation, periods: list[ReportingPeriod]) -> TemplateData:
    """The obligations of the organisation for the periods, with their reports (the organisation's own: it may read
    them in every state) and the previous period's reports. Five queries, whatever the number of rows."""
    values = Prefetch("target_values", queryset=TargetValue.objects.order_by("target__position"))
    obligations = list(
        Obligation.objects.of_organisation(organisation)
        .filter(period__in=periods)
        .select_related("work_item__program", "period", "office", "department", "report")
        .prefetch_related(Prefetch("report__target_values", queryset=TargetValue.objects.order_by("target__position")))
        .order_by("period__kind", "period__start", "work_item__program__number", "work_item__number")
    )
    before = previous_periods(periods)
    previous = {}
    if before:
        own = {"office": organisation} if isinstance(organisation, ProvincialOffice) else {"department": organisation}
        items = {o.work_item_id for o in obligations}
        for report in (
            Report.objects.filter(period__in=before.values(), work_item__in=items, **own)
            .select_related("period")
            .prefetch_related(values)
        ):
            previous[(report.work_item_id, report.period_id)] = report
    data = TemplateData(organisation=organisation, periods=periods)
    for obligation in obligations:
        earlier = before.get(obligation.period_id)
        data.lines.append(
            TemplateLine(
                obligation=obligation,
                report=obligation.report,
                previous=previous.get((obligation.work_item_id, earlier.pk)) if earlier else None,
            )
        )
    data.targets = list(
        Target.objects.filter(work_item__in={o.work_item_id for o in obligations})
        .select_related("work_item__program")
        .order_by("work_item__program__number", "work_item__number", "position")
    )
    return data


def _excel_text(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def template_workbook(data: TemplateData):
    """The workbook of the template (openpyxl), in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = column_labels()
    targets_by_item: dict[int, list[Target]] = {}
    for target in data.targets:
        targets_by_item.setdefault(target.work_item_id, []).append(target)
    keys = [*REFERENCE, *EDITABLE, *(target_key(t.pk) for t in data.targets)]
    headers = [labels.get(key) for key in REFERENCE + EDITABLE] + [target_header(t) for t in data.targets]
    column = {key: index + 1 for index, key in enumerate(keys)}
    statuses = dict(ReportStatus.choices)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Reports")[:31]
    sheet.append(headers)
    sheet.append(keys)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[KEY_ROW].hidden = True
    for line in data.lines:
        item_targets = targets_by_item.get(line.obligation.work_item_id, [])
        row = _line_values(line, item_targets, statuses)
        sheet.append([_excel_text(row.get(key)) for key in keys])
        editable = line.report is None or line.report.state in OPEN_STATES
        _style_row(
            sheet, sheet.max_row, column, editable=editable, own_targets={target_key(t.pk) for t in item_targets}
        )
    _add_checks(sheet, column, statuses, with_targets=bool(data.targets))
    _lay_out(sheet, column)
    _instructions(workbook.create_sheet(_("Instructions")[:31]), data, statuses)
    workbook.active = 0
    return workbook


def _line_values(line: TemplateLine, item_targets: list[Target], statuses: dict) -> dict:
    """A line's cells by column key: the reference, the previous report's figures, the report's fields."""
    obligation, report, previous = line.obligation, line.report, line.previous
    values = {tv.target_id: tv.value for tv in report.target_values.all()} if report else {}
    previous_values = {tv.target_id: tv.value for tv in previous.target_values.all()} if previous else {}
    row = {
        OBLIGATION: obligation.pk,
        VERSION: report.version if report else None,
        "code": obligation.work_item.code,
        "title": obligation.work_item.title,
        "text": obligation.work_item.text,
        "organisation": short_display_name(obligation.organisation),
        "period": obligation.period.label,
        "due": obligation.due,
        "state": str(dict(ReportState.choices)[report.state]) if report else _("not written"),
        "previous_status": str(statuses[previous.status]) if previous else None,
        "previous_percent": previous.percent_complete if previous else None,
        "previous_targets": "; ".join(
            f"{t.description}: {previous_values[t.pk]:,}" for t in item_targets if t.pk in previous_values
        )
        or None,
    }
    if report:
        row |= {"status": str(statuses[report.status]), "percent_complete": report.percent_complete}
        row |= {name: getattr(report, name) or None for name in TEXT_FIELDS}
        row |= {target_key(t.pk): values.get(t.pk) for t in item_targets}
    return row


def _style_row(sheet, number: int, column: dict, *, editable: bool, own_targets: set):
    """Wrap, formats and protection of a line: what the organisation may fill is unlocked and yellow, what it may
    not (another item's targets, a submitted report's fields) grey."""
    from openpyxl.styles import Alignment, PatternFill, Protection

    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    open_fill, closed_fill = PatternFill("solid", fgColor="FFF8D6"), PatternFill("solid", fgColor="E6E6E6")
    for key, index in column.items():
        cell = sheet.cell(row=number, column=index)
        cell.alignment = wrap if key in TEXT_FIELDS or key in {"title", "text", "previous_targets"} else top
        if key == "due":
            cell.number_format = "yyyy-mm-dd"
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula stays text
        fillable = key in EDITABLE or key in own_targets
        if fillable and editable:
            cell.protection = Protection(locked=False)
            cell.fill = open_fill
        elif key.startswith(TARGET_PREFIX) or (fillable and not editable):
            cell.fill = closed_fill


def _add_checks(sheet, column: dict, statuses: dict, *, with_targets: bool):
    """Excel's own checks of the fillable columns: a status from the list, whole numbers in range."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(sheet.max_row, FIRST_DATA_ROW)
    status_list = ",".join(str(label).replace(",", " ") for label in statuses.values())
    status_check = DataValidation(type="list", formula1=f'"{status_list}"', allow_blank=True)
    status_check.error = _("Choose a status from the list.")
    status_check.errorTitle = _("Status")
    percent_check = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True)
    percent_check.error = _("The percent complete is a whole number from 0 to 100.")
    percent_check.errorTitle = _("Percent complete")
    target_check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    target_check.error = _("The value of a target is a whole number of 0 or more.")
    for check in (status_check, percent_check, target_check):
        check.showErrorMessage = True
        sheet.add_data_validation(check)
    status_check.add(
        f"{get_column_letter(column['status'])}{FIRST_DATA_ROW}:{get_column_letter(column['status'])}{last}"
    )
    letter = get_column_letter(column["percent_complete"])
    percent_check.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
    if with_targets:
        first, final = get_column_letter(len(REFERENCE + EDITABLE) + 1), get_column_letter(len(column))
        target_check.add(f"{first}{FIRST_DATA_ROW}:{final}{last}")


def _lay_out(sheet, column: dict):
    """Column widths (the hidden keys hidden), the header's height, frozen panes, the sheet's protection."""
    from openpyxl.utils import get_column_letter

    for key, index in column.items():
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = WIDTHS.get(key, 18)
        if key in {OBLIGATION, VERSION}:
            dimension.hidden = True
    sheet.row_dimensions[HEADER_ROW].height = 45
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=column["title"])
    # Protected without a password: reference cells cannot be typed over by mistake; columns and rows can still be
    # resized.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _instructions(sheet, data: TemplateData, statuses):
    from openpyxl.styles import Alignment, Font

    periods = ", ".join(period.label for period in data.periods)
    lines = [
        _("Report template: %(organisation)s, %(periods)s")
        % {"organisation": short_display_name(data.organisation), "periods": periods},
        "",
        _("One row per report your organisation owes. Fill the yellow cells; grey and white cells are for reference."),
        _("Status: choose from the list (%(statuses)s).") % {"statuses": ", ".join(map(str, statuses.values()))},
        _("Percent complete: a whole number from 0 to 100; a completed item is 100 percent complete."),
        _("Summary: required for every row you fill. Achievements, problems and next steps are optional."),
        _(
            "Targets: one column per target, headed by what is counted and the target figure; fill the value achieved "
            "so far on the rows of that target's work item. An empty cell removes the value."
        ),
        _("Rows you leave empty are not imported. Reports already submitted or accepted cannot be changed here."),
        _(
            "Do not change the hidden columns and row: they tell the import which report each row is and which "
            "version you started from. A report changed by someone else since you downloaded this file is refused: "
            "download a new template."
        ),
        _(
            "Formulas are not evaluated: type values. Upload the file (XLSX, or CSV with the same columns) on the "
            "Import page: you see a preview first, and nothing is saved unless every row is valid."
        ),
        "",
        _("Downloaded on %(date)s.") % {"date": timezone.localdate().isoformat()},
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def template_filename(data: TemplateData) -> str:
    from django.utils.text import slugify

    organisation = data.organisation
    name = getattr(organisation, "short_name", None) or getattr(organisation, "name", "organisation")
    periods = data.periods
    span = periods[0].label if len(periods) == 1 else str(periods[0].plan.year)
    return f"report-template-{slugify(span)}-{slugify(name)}-{timezone.localdate():%Y%m%d}.xlsx"


def template_bytes(data: TemplateData) -> bytes:
    output = io.BytesIO()
    template_workbook(data).save(output)
    return output.getvalue()


# --- Reading a filled template ----------------------------------------------------------------------------------
