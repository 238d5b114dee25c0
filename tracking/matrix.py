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
from tracking.selectors import visible_reports
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


def participation_matrix(*, plan, period, user, today, program_number=None):
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
    expected = set()
    reports = {}
    if period is not None:
        expected = set(
            Obligation.objects.filter(period=period, office__isnull=False)
            .order_by()
            .values_list("work_item_id", "office_id")
        )
        rows = (
            visible_reports(user, Report.objects.filter(period=period, office__isnull=False))
            .order_by()
            .values_list("pk", "work_item_id", "office_id", "state", "status", "percent_complete")
        )
        reports = {(row[1], row[2]): row for row in rows}
    past_due = period is not None and period.due < today
    report_url = report_url_builder()
    state_labels = dict(ReportState.choices)
    status_labels = dict(ReportStatus.choices)
    not_taking_part = str(_("does not take part"))
    no_report = str(_("no report"))
    overdue_text = str(_("overdue: no report received"))
    status_codes = {key: str(code) for key, code in STATUS_CODES.items()}

    columns = [Tally() for _item in items]
    matrix = []
    for office in offices:
        row = MatrixRow(office)
        office_name = short_display_name(office)
        for index, item in enumerate(items):
            takes_part = (item.pk, office.pk) in expected
            where = f"{office_name}, {item.code}"
            if not takes_part:
                row.cells.append(Cell("cell--none", NOT_TAKING_PART_SYMBOL, f"{where}: {not_taking_part}"))
                continue
            column = columns[index]
            row.tally.expected += 1
            column.expected += 1
            report = reports.get((item.pk, office.pk))
            if (report is None or report[3] not in PUBLISHED_STATES) and past_due:
                row.tally.overdue += 1
                column.overdue += 1
            if report is None:
                if past_due:
                    row.cells.append(Cell("cell--overdue", OVERDUE_SYMBOL, f"{where}: {overdue_text}"))
                else:
                    row.cells.append(Cell("cell--missing", NO_REPORT_SYMBOL, f"{where}: {no_report}"))
                continue
            pk, _w, _o, state, status, percent_complete = report
            if state in PUBLISHED_STATES:
                row.tally.received += 1
                column.received += 1
            label = f"{where}: {state_labels[state]}, {status_labels[status]}, {percent_complete}%"
            css = f"cell--{state} status--{status}"
            if state not in PUBLISHED_STATES and past_due:
                css += " cell--late"
            row.cells.append(Cell(css, f"{STATE_SYMBOLS[state]}{status_codes[status]}", label, report_url(pk)))
        matrix.append(row)

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
        "past_due": past_due,
    }
