"""The participation matrix's data: offices × work items, each cell the state and status of the office's
report of the period (tracking/views/matrix.py shows it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from participants.models import ProvincialOffice
from programs.models import WorkItem
from programs.templatetags.plan_tags import short_display_name
from tracking.choices import PUBLISHED_STATES, ReportState, ReportStatus
from tracking.models import Obligation, Report
from tracking.selectors import obligations_visible_to, visible_reports
from tracking.symbols import NO_REPORT_SYMBOL, NOT_TAKING_PART_SYMBOL, OVERDUE_SYMBOL, STATE_SYMBOLS, STATUS_CODES


@dataclass
class Cell:
    css: str
    text: str
    label: str
    url: str = ""


@dataclass
class Tally:
    expected: int = 0
    received: int = 0
    overdue: int = 0


@dataclass
class MatrixRow:
    office: ProvincialOffice
    cells: list = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    @property
    def cells_html(self):
        """The row's cells as HTML, built here rather than by the template: a thousand cells through the template
        engine would take most of the page's time budget."""
        parts = []
        for cell in self.cells:
            label = escape(cell.label)
            # The symbol is for the eye, the label for everyone (an aria-label would hide the symbol's text from
            # the accessible name: WCAG 2.5.3, label in name).
            text = f'<span aria-hidden="true">{escape(cell.text)}</span><span class="visually-hidden">{label}</span>'
            if cell.url:
                inner = f'<a href="{escape(cell.url)}" title="{label}">{text}</a>'
            else:
                inner = f'<span title="{label}">{text}</span>'
            parts.append(f'<td class="{cell.css}">{inner}</td>')
        return mark_safe("".join(parts))  # every value above is escaped


def report_url_builder():
    """A function pk -> the report's URL, reversing once (the matrix links a thousand cells)."""
    sentinel = 987654321
    prefix, suffix = reverse("tracking:report_detail", args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{prefix}{pk}{suffix}"


def participation_matrix(*, plan, period, user, today, program_number=None, as_of=None):
    """The offices (rows) against the plan's work items (columns), each cell saying whether the office takes part
    and the state and status of its report of the period. Four queries: items, offices, the offices' obligations
    of the period, the visible reports of the period (as values); the rest is folded here."""
    all_items = list(
        WorkItem.objects.filter(program__plan=plan).select_related("program").order_by("program__number", "number")
    )
    programs = []
    for item in all_items:
        if not programs or programs[-1].pk != item.program_id:
            programs.append(item.program)
    items = [i for i in all_items if program_number is None or i.program.number == program_number]
    offices = list(ProvincialOffice.objects.all())
    expected, reports = _participation(period, user, as_of)
    builder = _CellBuilder(expected, reports, past_due=period is not None and period.due < today)
    columns = [Tally() for _item in items]
    matrix = [builder.row(office, items, columns) for office in offices]
    groups = []  # (program, number of its items shown)
    for item in items:
        if groups and groups[-1][0].pk == item.program_id:
            groups[-1][1] += 1
        else:
            groups.append([item.program, 1])
    totals = Tally(
        expected=sum(c.expected for c in columns),
        received=sum(c.received for c in columns),
        overdue=sum(c.overdue for c in columns),
    )
    return {
        "programs": programs,
        "groups": groups,
        "items": items,
        "rows": matrix,
        "columns": list(zip(items, columns, strict=True)),
        "totals": totals,
        "past_due": builder.past_due,
    }


def _participation(period, user, as_of=None) -> tuple[set, dict]:
    """The (item, office) pairs that must report for the period, and the visible reports of the period by pair (as
    value rows: pk, item, office, state, status, percent; with `as_of`, as they stood then): two queries, none
    without a period."""
    if period is None:
        return set(), {}
    expected = set(
        Obligation.objects.filter(period=period, office__isnull=False)
        .order_by()
        .values_list("work_item_id", "office_id")
    )
    if as_of is None:
        rows = (
            visible_reports(user, Report.objects.filter(period=period, office__isnull=False))
            .order_by()
            .values_list("pk", "work_item_id", "office_id", "state", "status", "percent_complete")
        )
    else:  # the reports as they stood then (tracking.asof), where the user may read them
        obligations = Obligation.objects.filter(period=period, office__isnull=False)
        rows = (
            obligations_visible_to(user=user, queryset=obligations, as_of=as_of, period_ids=(period.pk,))
            .filter(report_visible=True)
            .order_by()
            .values_list(
                "report_id", "work_item_id", "office_id", "visible_state", "status_then", "percent_complete_then"
            )
        )
    return expected, {(row[1], row[2]): row for row in rows}


class _CellBuilder:
    """Folds the participation and the reports into cells, counting each row's and column's figures."""

    def __init__(self, expected: set, reports: dict, *, past_due: bool):
        self.expected, self.reports, self.past_due = expected, reports, past_due
        self.report_url = report_url_builder()
        self.state_labels = dict(ReportState.choices)
        self.status_labels = dict(ReportStatus.choices)
        self.not_taking_part = str(_("does not take part"))
        self.no_report = str(_("no report"))
        self.overdue_text = str(_("overdue: no report received"))
        self.status_codes = {key: str(code) for key, code in STATUS_CODES.items()}

    def row(self, office, items, columns) -> MatrixRow:
        row = MatrixRow(office)
        office_name = short_display_name(office)
        for item, column in zip(items, columns, strict=True):
            where = f"{office_name}, {item.code}"
            if (item.pk, office.pk) not in self.expected:
                row.cells.append(Cell("cell--none", NOT_TAKING_PART_SYMBOL, f"{where}: {self.not_taking_part}"))
                continue
            row.cells.append(self.cell(self.reports.get((item.pk, office.pk)), where, (row.tally, column)))
        return row

    def cell(self, report, where: str, tallies) -> Cell:
        """The cell of an office that takes part, counted in its row's and its column's tally."""
        received = report is not None and report[3] in PUBLISHED_STATES
        for tally in tallies:
            tally.expected += 1
            tally.overdue += not received and self.past_due
            tally.received += received
        if report is None:
            if self.past_due:
                return Cell("cell--overdue", OVERDUE_SYMBOL, f"{where}: {self.overdue_text}")
            return Cell("cell--missing", NO_REPORT_SYMBOL, f"{where}: {self.no_report}")
        pk, _w, _o, state, status, percent_complete = report
        label = f"{where}: {self.state_labels[state]}, {self.status_labels[status]}, {percent_complete}%"
        css = f"cell--{state} status--{status}"
        if not received and self.past_due:
            css += " cell--late"
        text = f"{STATE_SYMBOLS[state]}{self.status_codes[status]}"
        return Cell(css, text, label, self.report_url(pk))
