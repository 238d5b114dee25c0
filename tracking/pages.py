"""Progress pages: the plan dashboard, program and work item progress, the participation matrix, office and
department pages, and the annual summary (page and PDF).

Every page runs a fixed number of queries whatever the number of reports: figures come from the aggregates of
tracking.stats and tracking.selectors, or from one `.values()` query over the reports of a period that the page
folds in Python (the matrix). Reports are read through `reports_visible_to`, so that a user who may not see drafts
and returned reports of other organisations does not see them here either (they count as "no report").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import roman
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from participants.models import Department, ProvincialOffice
from planpromo import glossary
from planpromo.views import Crumb, PageMixin
from programs import urls as programs_urls  # noqa: F401  (registers the workitem_code path converter)
from programs.choices import OfficeScope, PeriodKind
from programs.models import Plan, Program, ReportingPeriod, WorkItem, WorkItemDepartment
from programs.templatetags.plan_tags import display_name, short_display_name
from programs.translation import localized
from tracking import asof, permissions, stats
from tracking.choices import OPEN_STATES, RECEIVED_STATES, ReportState, ReportStatus
from tracking.locks import lock_status
from tracking.models import Obligation, Report
from tracking.selectors import obligations_visible_to, reports_to_review, reports_visible_to
from tracking.stats import STATUS_KEYS
from tracking.summary import annual_summary

# Short forms for the matrix cells and the status badges (the legend spells them out).
STATE_SYMBOLS = {state: glossary.symbol("state", state) for state in ReportState}  # locale/glossary.yaml
STATUS_CODES = {
    ReportStatus.NOT_STARTED: pgettext_lazy("status code", "N"),
    ReportStatus.ON_TRACK: pgettext_lazy("status code", "T"),
    ReportStatus.AT_RISK: pgettext_lazy("status code", "R"),
    ReportStatus.DELAYED: pgettext_lazy("status code", "D"),
    ReportStatus.COMPLETED: pgettext_lazy("status code", "C"),
}
STATUS_COLOURS = {
    ReportStatus.NOT_STARTED: "#4a5360",
    ReportStatus.ON_TRACK: "#166534",
    ReportStatus.AT_RISK: "#b45309",
    ReportStatus.DELAYED: "#a4161a",
    ReportStatus.COMPLETED: "#0b4f8a",
}
NO_REPORT_SYMBOL = "○"
OVERDUE_SYMBOL = "!"
NOT_TAKING_PART_SYMBOL = "–"


# --- Plan and period ---------------------------------------------------------------------------------------------


def ordered_periods(plan) -> list[ReportingPeriod]:
    """The plan's periods, quarters first in calendar order, then the year (one query)."""
    periods = list(ReportingPeriod.objects.filter(plan=plan))
    for period in periods:
        period.plan = plan  # its closing day needs the plan's setting: no query per period
    return sorted(periods, key=lambda p: (p.kind != PeriodKind.QUARTER, p.start, p.pk))


def current_quarter(periods: list[ReportingPeriod], today: datetime.date) -> ReportingPeriod | None:
    """ReportingPeriod.objects.current_quarter's rule applied to periods already loaded (no query): the quarter
    that contains today, else the last one ended before today, else the first; the first period without quarters."""
    quarters = [p for p in periods if p.kind == PeriodKind.QUARTER]
    containing = [q for q in quarters if q.start <= today <= q.end]
    ended = [q for q in quarters if q.end < today]
    if containing:
        return containing[0]
    if ended:
        return max(ended, key=lambda q: q.end)
    return quarters[0] if quarters else (periods[0] if periods else None)


def current_plan_redirect(url_name):
    """A view sending to the page `url_name` of the current plan (for the navigation, which knows no year)."""

    def view(request):
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("No plan has been loaded."))
        return redirect(url_name, year=plan.year)

    view.__doc__ = f"Redirect to {url_name} of the current plan."
    return view


def plan_crumb(plan) -> Crumb:
    return Crumb(_("Plan %(year)s") % {"year": plan.year}, reverse("tracking:dashboard", args=[plan.year]))


class PlanPageMixin(PageMixin):
    """A page of one plan (from the URL's `year`, or `?year=`, else the current plan) and one of its periods
    (`?period=<id>`, else the current quarter). Context: plan, periods, period, today."""

    nav_section = "plan"

    def dispatch(self, request, *args, **kwargs):
        # Progress figures are for users with a role, as in the API (tracking.permissions): a signed-in account
        # without one sees nothing.
        if not permissions.has_role(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_plan(self):
        year = self.kwargs.get("year") or self.request.GET.get("year", "")
        if str(year).isdigit():
            return get_object_or_404(Plan, year=int(year))
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("No plan has been loaded."))
        return plan

    @cached_property
    def plan(self):
        return self.get_plan()

    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    @cached_property
    def periods(self) -> list[ReportingPeriod]:
        return ordered_periods(self.plan)

    @cached_property
    def period(self) -> ReportingPeriod | None:
        wanted = self.request.GET.get("period", "")
        chosen = next((p for p in self.periods if str(p.pk) == wanted), None)
        return chosen or current_quarter(self.periods, self.today)

    @property
    def period_query(self) -> str:
        """`?period=<id>` for links to the plan's other pages when a period was chosen, else nothing (they show
        the current quarter by default, and their URLs stay plain)."""
        return f"?period={self.period.pk}" if self.period and "period" in self.request.GET else ""

    def get_context_data(self, **kwargs):
        user = self.request.user
        organisation = permissions.user_office(user) or permissions.user_department(user)
        return super().get_context_data(
            plan=self.plan,
            periods=self.periods,
            period=self.period,
            period_query=self.period_query,
            period_lock=lock_status(self.period, organisation, self.today),
            today=self.today,
            **kwargs,
        )


def period_queryset(period):
    return ReportingPeriod.objects.filter(pk=period.pk if period else None)


def visible_reports(user, queryset):
    """The user's visible reports among `queryset`, without the details prefetches (the pages show none)."""
    return reports_visible_to(user=user, queryset=queryset).prefetch_related(None)


def percent(part, whole) -> int | None:
    return round(100 * part / whole) if whole else None


# --- Dashboard ---------------------------------------------------------------------------------------------------


@dataclass
class ProgramProgress:
    program: Program
    work_items: int
    expected: int
    received: int
    accepted: int
    overdue: int
    mean_percent: float | None
    statuses: list  # (value, label, count)

    @property
    def awaiting_review(self):
        return self.received - self.accepted


def status_counts(row) -> list[tuple[str, str, int]]:
    return [(status.value, status.label, getattr(row, f"status_{status.value}") or 0) for status in ReportStatus]


class DashboardView(asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """Where the plan stands: per program the progress of the period, reports due, overdue and awaiting review,
    recent activity, and charts."""

    template_name = "tracking/pages/dashboard.html"

    def get_page_title(self):
        return _("Plan %(year)s") % {"year": self.plan.year}

    def get_context_data(self, **kwargs):
        # Queries: the plan, its periods, program statistics of the period and of the year, the status
        # distribution per period, the timeline (2), recent reports, the user's profile; for reviewers, their queue.
        plan, period, today, user = self.plan, self.period, self.today, self.request.user
        year = stats.Selection(period_ids=tuple(p.pk for p in self.periods), as_of=self.as_of_instant)
        year_rows = {row.pk: row for row in stats.program_stats(selection=year, today=today)}
        programs = []
        of_period = stats.Selection(period_ids=(period.pk,), as_of=self.as_of_instant) if period else None
        for row in stats.program_stats(selection=of_period, today=today) if period else []:
            programs.append(
                ProgramProgress(
                    program=row,
                    work_items=row.work_item_count,
                    expected=row.expected,
                    received=row.received,
                    accepted=row.accepted,
                    overdue=year_rows[row.pk].overdue if row.pk in year_rows else 0,
                    mean_percent=row.mean_percent,
                    statuses=status_counts(row),
                )
            )
        if not programs:  # no period: the programs without figures
            programs = [
                ProgramProgress(p, 0, 0, 0, 0, 0, None, [])
                for p in Program.objects.filter(plan=plan).order_by("number")
            ]
        totals = {
            "expected": sum(p.expected for p in programs),
            "received": sum(p.received for p in programs),
            "accepted": sum(p.accepted for p in programs),
            "awaiting_review": sum(p.awaiting_review for p in programs),
            "overdue": sum(p.overdue for p in programs),
        }
        totals["percent_received"] = percent(totals["received"], totals["expected"])
        review_queue = None
        if permissions.may_review_at_all(user):
            review_queue = reports_to_review(user=user).filter(period__plan=plan).prefetch_related(None).count()
        recent = list(
            visible_reports(user, Report.objects.filter(period__plan=plan)).order_by("-updated_at", "-pk")[:10]
        )
        return super().get_context_data(
            programs=programs,
            totals=totals,
            review_queue=review_queue,
            recent=recent,
            user_office=permissions.user_office(user),
            user_department=permissions.user_department(user),
            progress_chart=self.progress_chart(programs),
            status_chart=self.status_chart(year),
            timeline_chart=self.timeline_chart(year),
            **kwargs,
        )

    def progress_chart(self, programs):
        return {
            "labels": [p.program.numeral for p in programs],
            "values": [round(p.mean_percent or 0, 1) for p in programs],
            "label": str(_("Mean percent complete")),
        }

    def status_chart(self, year):
        counts = stats.status_by_period(selection=year)
        chart = {
            "labels": [p.label for p in self.periods],
            "datasets": [
                {
                    "label": str(status.label),
                    "data": [counts.get((p.pk, status.value), 0) for p in self.periods],
                    "backgroundColor": STATUS_COLOURS[status],  # as the status badges (css/dashboard.css)
                }
                for status in ReportStatus
            ],
        }
        table = [(p, [counts.get((p.pk, s), 0) for s in STATUS_KEYS]) for p in self.periods]
        return {"chart": chart, "table": table, "statuses": list(ReportStatus)}

    def timeline_chart(self, year):
        rows = stats.timeline(selection=year, interval="month")
        labels = [timezone.localtime(row["start"]).strftime("%Y-%m") if row["start"] else "" for row in rows]
        return {
            "chart": {
                "labels": labels,
                "datasets": [
                    {"label": str(_("Received")), "data": [row["received"] for row in rows]},
                    {"label": str(_("On time")), "data": [row["on_time"] for row in rows]},
                    {"label": str(_("Accepted")), "data": [row["accepted"] for row in rows]},
                ],
            },
            "table": list(zip(labels, rows, strict=True)),
        }


# --- Program -----------------------------------------------------------------------------------------------------


class ProgramProgressView(PlanPageMixin, TemplateView):
    """A program: objective, lead and participant departments, and its work items' roll-up for the period."""

    template_name = "tracking/pages/program_detail.html"

    @cached_property
    def program(self):
        return get_object_or_404(
            Program.objects.with_team(), plan__year=self.kwargs["year"], number=self.kwargs["number"]
        )

    def get_plan(self):
        return self.program.plan

    def get_page_title(self):
        return str(self.program)

    def get_breadcrumbs(self):
        return [plan_crumb(self.plan), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the program with its plan, its team; the periods; the items' roll-up; their departments.
        items = []
        if self.period:
            selection = stats.Selection(period_ids=(self.period.pk,), program_id=self.program.pk)
            items = list(stats.work_item_stats(selection=selection, today=self.today))
            for item in items:
                item.statuses = status_counts(item)
        totals = {
            "expected": sum(i.expected for i in items),
            "received": sum(i.received for i in items),
            "accepted": sum(i.accepted for i in items),
        }
        received = [i for i in items if i.received]
        mean = sum(i.mean_percent * i.received for i in received) / totals["received"] if received else None
        return super().get_context_data(program=self.program, items=items, totals=totals, mean_percent=mean, **kwargs)


# --- Work item ---------------------------------------------------------------------------------------------------


def work_item_from_code(year: int, code: str, queryset=None) -> WorkItem:
    numeral, _dot, number = code.partition(".")
    try:
        program_number = roman.fromRoman(numeral)
    except roman.InvalidRomanNumeralError:
        raise Http404(_("No such work item.")) from None
    return get_object_or_404(
        queryset if queryset is not None else WorkItem.objects.all(),
        program__plan__year=year,
        program__number=program_number,
        number=int(number),
    )


@dataclass
class Participant:
    """An organisation expected to report on an item, with its report of the period (if the user may see it)."""

    organisation: object
    is_office: bool
    report: Report | None = None
    overdue: bool = False


class WorkItemProgressView(asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """A work item: full text, responsible departments, targets against achieved, every participating office and
    responsible department with its report of the period, and the timeline of reports."""

    template_name = "tracking/pages/workitem_detail.html"

    @cached_property
    def item(self):
        queryset = WorkItem.objects.select_related("program__plan").prefetch_related(
            Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            ),
        )
        return work_item_from_code(self.kwargs["year"], self.kwargs["code"], queryset)

    def get_plan(self):
        return self.item.program.plan

    def get_page_title(self):
        return str(self.item)

    def get_breadcrumbs(self):
        program = self.item.program
        return [
            plan_crumb(self.plan),
            Crumb(str(program), reverse("tracking:program_detail", args=[self.plan.year, program.number])),
            Crumb(self.item.code),
        ]

    def get_context_data(self, **kwargs):
        # Queries: the item with program and plan, its departments; the periods; the obligations of the period with
        # the reports the user may see; targets; achieved values; the timeline.
        item, period = self.item, self.period
        participants = []
        if period:
            participants = self.participants(item, period)
        year = stats.Selection(
            period_ids=tuple(p.pk for p in self.periods), work_item_id=item.pk, as_of=self.as_of_instant
        )
        targets = list(item.targets.order_by("position"))
        achieved = stats.targets_achieved(selection=year, targets=targets) if targets else {}
        for target in targets:
            target.achieved = achieved.get(target.pk)
            target.achieved_percent = percent(target.achieved or 0, target.quantity)
        timeline = self.timeline(year)
        chart = {
            "labels": [row["period"].label for row in timeline],
            "datasets": [
                {"label": str(_("Reports received")), "data": [row["received"] for row in timeline]},
                {"label": str(_("Mean percent complete")), "data": [row["mean_percent"] for row in timeline]},
            ],
        }
        return super().get_context_data(
            item=item,
            offices=[p.organisation for p in participants if p.is_office],
            participants=participants,
            targets=targets,
            timeline=timeline,
            timeline_chart=chart,
            OfficeScope=OfficeScope,
            **kwargs,
        )

    def participants(self, item, period) -> list[Participant]:
        """Who must report on the item for the period (its obligations): offices by code, then the responsible
        departments in the circular's order; each with its report where the user may see it."""
        obligations = obligations_visible_to(
            user=self.request.user,
            queryset=Obligation.objects.filter(work_item=item, period=period),
            as_of=self.as_of_instant,
            period_ids=(period.pk,),
        )
        position = {link.department_id: link.position for link in item.department_links.all()}
        offices = sorted((o for o in obligations if o.office_id), key=lambda o: o.office.sort_key)
        departments = sorted(
            (o for o in obligations if o.department_id), key=lambda o: position.get(o.department_id, 0)
        )
        return [
            Participant(
                o.organisation,
                o.office_id is not None,
                report=asof.visible_report(o),
                overdue=o.due < self.today and o.visible_state not in RECEIVED_STATES,
            )
            for o in offices + departments
        ]

    def timeline(self, year) -> list[dict]:
        """Per period of the plan: obligations expected, received, accepted and the mean percent (one query)."""
        rows = {
            row["period_id"]: row
            for row in stats.reporting_rates(selection=year, today=self.today, group_by=("period",))
        }
        timeline = []
        for period in self.periods:
            row = rows.get(period.pk, {})
            mean = row.get("mean_percent")
            timeline.append(
                {
                    "period": period,
                    "expected": row.get("expected", 0),
                    "received": row.get("received", 0),
                    "accepted": row.get("accepted", 0),
                    "mean_percent": round(mean, 1) if mean is not None else None,
                    "past_due": period.due < self.today,
                }
            )
        return timeline


# --- Participation matrix ----------------------------------------------------------------------------------------


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
    expected = set()
    reports = {}
    if period is not None:
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
            if (report is None or report[3] not in RECEIVED_STATES) and past_due:
                row.tally.overdue += 1
                column.overdue += 1
            if report is None:
                if past_due:
                    row.cells.append(Cell("cell--overdue", OVERDUE_SYMBOL, f"{where}: {overdue_text}"))
                else:
                    row.cells.append(Cell("cell--missing", NO_REPORT_SYMBOL, f"{where}: {no_report}"))
                continue
            pk, _w, _o, state, status, percent_complete = report
            if state in RECEIVED_STATES:
                row.tally.received += 1
                column.received += 1
            label = f"{where}: {state_labels[state]}, {status_labels[status]}, {percent_complete}%"
            css = f"cell--{state} status--{status}"
            if state not in RECEIVED_STATES and past_due:
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


class MatrixView(asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """The participation matrix: 32 offices × the plan's work items, filtered by program and period. An htmx
    request gets the table alone (the `matrix` partial)."""

    template_name = "tracking/pages/matrix.html"
    nav_section = "matrix"

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["tracking/pages/matrix.html#matrix"]
        return [self.template_name]

    def get_page_title(self):
        return _("Participation matrix %(year)s") % {"year": self.plan.year}

    def get_breadcrumbs(self):
        return [plan_crumb(self.plan), Crumb(_("Participation matrix"))]

    @cached_property
    def program_number(self) -> int | None:
        value = self.request.GET.get("program", "")
        return int(value) if value.isdigit() else None

    def get_context_data(self, **kwargs):
        # Queries: the plan, its periods, the user's profile, and participation_matrix's four.
        matrix = participation_matrix(
            plan=self.plan,
            period=self.period,
            user=self.request.user,
            today=self.today,
            program_number=self.program_number,
            as_of=self.as_of_instant,
        )
        legend_states = [(STATE_SYMBOLS[s], s.label, s.value) for s in ReportState]
        legend_statuses = [(STATUS_CODES[s], s.label, s.value) for s in ReportStatus]
        return super().get_context_data(
            matrix=matrix,
            selected_program=self.program_number,
            legend_states=legend_states,
            legend_statuses=legend_statuses,
            symbols={"none": NOT_TAKING_PART_SYMBOL, "missing": NO_REPORT_SYMBOL, "overdue": OVERDUE_SYMBOL},
            **kwargs,
        )


# --- Office and department ---------------------------------------------------------------------------------------


@dataclass
class Todo:
    """An obligation as a line of someone's to-do: the action the user can take on it (write, continue, revise, or
    just view), and the days left before its due date (negative: days overdue)."""

    obligation: Obligation
    action: str | None
    url: str | None
    days_left: int

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def todo_for(obligation, *, user, today) -> Todo:
    """The to-do line of an obligation annotated by obligations_visible_to."""
    report = obligation.report if obligation.report_visible else None
    own = permissions.is_administrator(user) or (
        (obligation.office_id is not None and obligation.office_id == permissions.user_office_id(user))
        or (obligation.department_id is not None and obligation.department_id == permissions.user_department_id(user))
    )
    action, url = None, None
    if own and report is None:
        action = _("Write")
        url = f"{reverse('tracking:report_create')}?work_item={obligation.work_item_id}&period={obligation.period_id}"
    elif own and report.state in OPEN_STATES:
        action = _("Continue") if report.state == ReportState.DRAFT else _("Revise")
        url = reverse("tracking:report_edit", args=[report.pk])
    elif report is not None:
        action, url = _("View"), reverse("tracking:report_detail", args=[report.pk])
    return Todo(obligation, action, url, (obligation.due - today).days)


@dataclass
class ItemDuty:
    """An item an organisation reports on: its report of the selected period (where the user may see it) and its
    obligations past due and not received, as to-do lines."""

    item: WorkItem
    report: Report | None = None
    overdue: list[Todo] = field(default_factory=list)


class DutiesMixin(PlanPageMixin):
    """Office and department pages: what the organisation must report (its obligations) and what it has
    reported."""

    def reports_of(self, **organisation):
        return list(
            visible_reports(self.request.user, Report.objects.filter(period__plan=self.plan, **organisation))
            .select_related("work_item__program__plan", "period")
            .order_by("-period__start", "period__kind", "work_item__program__number", "work_item__number")
        )

    def duty_context(self, reports, **organisation):
        user, today, period = self.request.user, self.today, self.period
        obligations = obligations_visible_to(
            user=user, queryset=Obligation.objects.filter(period__plan=self.plan, **organisation)
        ).order_by("work_item__program__number", "work_item__number", "due", "period__kind")
        by_item: dict[int, list] = {}
        for obligation in obligations:
            by_item.setdefault(obligation.work_item_id, []).append(obligation)
        items = WorkItem.objects.filter(pk__in=by_item).prefetch_related(
            Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            )
        )
        items = {item.pk: item for item in items}
        item_duties = []
        for item_id, item_obligations in by_item.items():
            item = items[item_id]
            item.program = item_obligations[0].work_item.program  # loaded with the obligations
            of_period = next((o for o in item_obligations if period and o.period_id == period.pk), None)
            item_duties.append(
                ItemDuty(
                    item=item,
                    report=of_period.report if of_period is not None and of_period.report_visible else None,
                    overdue=[
                        todo_for(o, user=user, today=today)
                        for o in item_obligations
                        if o.due < today and o.visible_state not in RECEIVED_STATES
                    ],
                )
            )
        received_now = [d for d in item_duties if d.report and d.report.state in RECEIVED_STATES]
        return {
            "duties": item_duties,
            "due": [d for d in item_duties if not (d.report and d.report.state in RECEIVED_STATES)],
            "received_count": len(received_now),
            "overdue": [todo for d in item_duties for todo in d.overdue],
            "returned": [r for r in reports if r.state == ReportState.RETURNED],
            "reports": reports,
        }


class OfficeProgressView(DutiesMixin, TemplateView):
    """What an office must do: its items, what is due this period, overdue and returned, and its reports."""

    template_name = "tracking/pages/office_detail.html"
    nav_section = "offices"

    @cached_property
    def office(self):
        return get_object_or_404(ProvincialOffice, short_name=self.kwargs["short_name"])

    def get_page_title(self):
        return display_name(self.office)

    def get_breadcrumbs(self):
        return [Crumb(_("Provincial offices"), reverse("programs:office_list")), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the office, the plan, its periods, the user's profile, the office's obligations with their
        # reports, their items' departments, and the office's visible reports of the plan.
        office = self.office
        reports = self.reports_of(office=office)
        return super().get_context_data(office=office, **self.duty_context(reports, office=office), **kwargs)


class DepartmentProgressView(DutiesMixin, TemplateView):
    """A department: the programs it leads or takes part in, the items it is responsible for (due, overdue,
    returned, its reports), and its review load."""

    template_name = "tracking/pages/department_detail.html"
    nav_section = "departments"

    @cached_property
    def department(self):
        return get_object_or_404(Department, pk=self.kwargs["pk"])

    def get_page_title(self):
        return display_name(self.department)

    def get_breadcrumbs(self):
        return [Crumb(_("Departments"), reverse("programs:department_list")), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the department, the plan, its periods, its programs with their teams (2), its items and their
        # departments, the user's profile and the department's visible reports, the review load.
        department = self.department
        programs = list(Program.objects.filter(plan=self.plan).for_department(department).with_team())
        for program in programs:
            program.role = next(
                m.get_role_display() for m in program.team_memberships.all() if m.department_id == department.pk
            )
        reports = self.reports_of(department=department)
        review_load = list(
            Report.objects.filter(period__plan=self.plan, state=ReportState.SUBMITTED)
            .filter(permissions.reviewing_department_q(department.pk))
            .exclude(department=department)
            .order_by("work_item__program__number", "work_item__number")
            .values("work_item__program__number", "work_item__number", title=localized("work_item__title"))
            .annotate(count=Count("id"))
        )
        for row in review_load:
            row["code"] = f"{roman.toRoman(row['work_item__program__number'])}.{row['work_item__number']}"
        return super().get_context_data(
            department=department,
            programs=programs,
            review_load=review_load,
            review_total=sum(row["count"] for row in review_load),
            **self.duty_context(reports, department=department),
            **kwargs,
        )


# --- Annual summary ----------------------------------------------------------------------------------------------


class AnnualSummaryView(PlanPageMixin, TemplateView):
    """The year's summary per program and work item (tracking.summary), printable."""

    template_name = "tracking/pages/summary.html"
    nav_section = "summary"

    def get_page_title(self):
        return _("Annual summary %(year)s") % {"year": self.plan.year}

    def get_breadcrumbs(self):
        return [plan_crumb(self.plan), Crumb(_("Annual summary"))]

    def get_context_data(self, **kwargs):
        # Queries: the plan, its periods, and annual_summary's (work item statistics with targets and
        # departments, the received reports, the offices, the participations, the programs).
        summary = annual_summary(plan=self.plan, today=self.today)
        return super().get_context_data(summary=summary, generated_on=self.today, **kwargs)


class StaticFilesFetcher:
    """WeasyPrint's URL fetcher for the PDF: the site's static files are read from disk (the finders in
    development, STATIC_ROOT after collectstatic); anything else is refused, so rendering never uses the network."""

    def __init__(self, static_url: str):
        self.static_url = static_url

    def fetch(self, url, headers=None):
        from weasyprint.urls import URLFetcherResponse

        path = url.split("?", 1)[0]
        marker = path.find(self.static_url)
        if marker == -1:
            raise ValueError(f"not fetched (only static files are): {url}")
        name = path[marker + len(self.static_url) :]
        located = finders.find(name)
        if not located:
            from django.conf import settings

            candidate = settings.STATIC_ROOT / name if settings.STATIC_ROOT else None
            located = str(candidate) if candidate and candidate.is_file() else None
        if not located:
            raise ValueError(f"no such static file: {name}")
        with open(located, "rb") as handle:
            body = handle.read()
        mime = "text/css" if name.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def __call__(self, url):
        return self.fetch(url)


# --- Completeness ------------------------------------------------------------------------------------------------


class CompletenessView(asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """Completeness and timeliness of the plan year, as DHIS2's reporting-rate summary: organisations (offices,
    then departments) × periods, each cell received/expected and on time, with row and column totals and a colour
    scale; filtered by program and period; `?format=csv` or `xlsx` gives the same table as a file."""

    template_name = "tracking/pages/completeness.html"
    nav_section = "completeness"

    def get_page_title(self):
        return _("Completeness %(year)s") % {"year": self.plan.year}

    def get_breadcrumbs(self):
        return [plan_crumb(self.plan), Crumb(_("Completeness"))]

    @cached_property
    def program(self) -> Program | None:
        number = self.request.GET.get("program", "")
        return Program.objects.filter(plan=self.plan, number=number).first() if number.isdigit() else None

    @cached_property
    def chosen_period(self) -> ReportingPeriod | None:
        """A period chosen with `?period=<id>`; without one, every period of the year is shown."""
        wanted = self.request.GET.get("period", "")
        return next((p for p in self.periods if str(p.pk) == wanted), None)

    def table(self) -> stats.Completeness:
        periods = [self.chosen_period] if self.chosen_period else self.periods
        selection = stats.Selection(
            period_ids=tuple(p.pk for p in periods),
            program_id=self.program.pk if self.program else None,
            as_of=self.as_of_instant,
        )
        return stats.completeness(periods=periods, selection=selection, today=self.today)

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format", "")
        if export in {"csv", "xlsx"}:
            from tracking.exports import completeness_response

            return completeness_response(self.table(), plan=self.plan, program=self.program, file_format=export)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # Queries: the plan, its periods, the user's profile, the program (when chosen), and completeness's eight.
        query = self.request.GET.copy()
        query.pop("format", None)
        return super().get_context_data(
            table=self.table(),
            programs=Program.objects.filter(plan=self.plan).order_by("number"),
            selected_program=self.program,
            chosen_period=self.chosen_period,
            export_query=query.urlencode(),
            **kwargs,
        )
