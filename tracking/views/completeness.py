"""The completeness page (and its CSV and XLSX files)."""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from planpromo.numbers import as_id
from programs.models import Program, ReportingPeriod
from tracking import asof, stats
from tracking.stats import Completeness, completeness
from tracking.views.base import PlanPageMixin
from tracking.views.conditional import ConditionalPageMixin


class CompletenessView(ConditionalPageMixin, asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """Completeness and timeliness of the plan year, as DHIS2's reporting-rate summary: organisations (offices,
    then departments) × periods, each cell received/expected and on time, with row and column totals and a colour
    scale; filtered by program and period; `?format=csv` or `xlsx` gives the same table as a file."""

    template_name = "tracking/pages/completeness.html"
    nav_section = "completeness"
    title_of_year = _("Completeness %(year)s")
    crumb_name = _("Completeness")

    @cached_property
    def program(self) -> Program | None:
        number = as_id(self.request.GET.get("program", ""))
        return Program.objects.filter(plan=self.plan, number=number).first() if number is not None else None

    @cached_property
    def chosen_period(self) -> ReportingPeriod | None:
        """A period chosen with `?period=<id>`; without one, every period of the year is shown."""
        wanted = self.request.GET.get("period", "")
        return next((p for p in self.periods if str(p.pk) == wanted), None)

    def table(self) -> Completeness:
        periods = [self.chosen_period] if self.chosen_period else self.periods
        selection = stats.Selection(
            period_ids=tuple(p.pk for p in periods),
            program_id=self.program.pk if self.program else None,
            as_of=self.as_of_instant,
        )
        return completeness(periods=periods, selection=selection, today=self.today)

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format", "")
        if export in {"csv", "xlsx"}:
            from tracking.exports import completeness_response

            return completeness_response(self.table(), plan=self.plan, program=self.program, file_format=export)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
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
