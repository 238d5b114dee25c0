"""The participation matrix page."""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from planpromo.numbers import as_id
from tracking import asof
from tracking.choices import ReportState, ReportStatus
from tracking.matrix import participation_matrix
from tracking.symbols import NO_REPORT_SYMBOL, NOT_TAKING_PART_SYMBOL, OVERDUE_SYMBOL, STATE_SYMBOLS, STATUS_CODES
from tracking.views.base import PlanPageMixin
from tracking.views.conditional import ConditionalPageMixin


class MatrixView(ConditionalPageMixin, asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """The participation matrix: 32 offices × the plan's work items, filtered by program and period. An htmx
    request gets the table alone (the `matrix` partial)."""

    template_name = "tracking/pages/matrix.html"
    nav_section = "matrix"

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["tracking/pages/matrix.html#matrix"]
        return [self.template_name]

    title_of_year = _("Participation matrix %(year)s")
    crumb_name = _("Participation matrix")

    @cached_property
    def program_number(self) -> int | None:
        return as_id(self.request.GET.get("program", ""))

    def get_context_data(self, **kwargs):
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
