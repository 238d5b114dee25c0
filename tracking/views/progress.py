"""Progress pages: the plan dashboard, a program, a work item."""

from __future__ import annotations

from dataclasses import dataclass

import roman
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from planpromo.views import Crumb
from programs.choices import OfficeScope
from programs.models import Program, WorkItem, WorkItemDepartment
from tracking import asof, permissions, stats
from tracking.choices import PUBLISHED_STATES, ReportStatus
from tracking.models import Obligation, Report
from tracking.selectors import obligations_visible_to, visible_reports
from tracking.symbols import STATUS_COLOURS
from tracking.views.base import PlanPageMixin, plan_crumb
from tracking.views.conditional import ConditionalPageMixin


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


class DashboardView(ConditionalPageMixin, asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """Where the plan stands: per program the progress of the period, reports due, overdue and awaiting review,
    recent activity, and charts."""

    template_name = "tracking/pages/dashboard.html"

    def get_page_title(self):
        return _("Plan %(year)s") % {"year": self.plan.year}

    def get_context_data(self, **kwargs):
        plan, user = self.plan, self.request.user
        year = stats.Selection(period_ids=tuple(p.pk for p in self.periods), as_of=self.as_of_instant)
        programs = self.program_progress(year)
        totals = stats.totals(programs, ("expected", "received", "accepted", "awaiting_review", "overdue"))
        totals["percent_received"] = stats.percent(totals["received"], totals["expected"])
        review_queue = None
        if permissions.may_review_at_all(user):
            review_queue = stats.review_queue_size(user=user, plan=plan)
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

    def program_progress(self, year) -> list[ProgramProgress]:
        """Each program's figures of the period, with what is overdue over the year."""
        period, today = self.period, self.today
        year_rows = {row.pk: row for row in stats.program_stats(selection=year, today=today)}
        of_period = stats.Selection(period_ids=(period.pk,), as_of=self.as_of_instant) if period else None
        rows = stats.program_stats(selection=of_period, today=today) if period else []
        programs = [
            ProgramProgress(
                program=row,
                work_items=row.work_item_count,
                expected=row.expected,
                received=row.received,
                accepted=row.accepted,
                overdue=year_rows[row.pk].overdue if row.pk in year_rows else 0,
                mean_percent=row.mean_percent,
                statuses=stats.status_counts(row),
            )
            for row in rows
        ]
        if not programs:  # no period: the programs without figures
            programs = [
                ProgramProgress(p, 0, 0, 0, 0, 0, None, [])
                for p in Program.objects.filter(plan=self.plan).order_by("number")
            ]
        return programs

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
        table = [(p, [counts.get((p.pk, s), 0) for s in stats.STATUS_KEYS]) for p in self.periods]
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
        items = []
        if self.period:
            selection = stats.Selection(period_ids=(self.period.pk,), program_id=self.program.pk)
            items = list(stats.work_item_stats(selection=selection, today=self.today))
            for item in items:
                item.statuses = stats.status_counts(item)
        totals = stats.totals(items, ("expected", "received", "accepted"))
        mean = stats.mean_percent_over(items)
        return super().get_context_data(program=self.program, items=items, totals=totals, mean_percent=mean, **kwargs)


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
            target.achieved_percent = stats.percent(target.achieved or 0, target.quantity)
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
                overdue=o.due < self.today and o.visible_state not in PUBLISHED_STATES,
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
