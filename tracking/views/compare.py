"""The dashboard's compare view: `/plans/<year>/compare/?as_of=A&compare=B` lists the reports that changed state or
status between the end of day A and the end of day B, and how the rates moved, for the whole plan and per program
(tracking.stats.rates_between; tracking.selectors.obligations_changed_between). Without dates it shows the
form."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from tracking import asof
from tracking.choices import ReportState, ReportStatus
from tracking.selectors import obligations_changed_between
from tracking.stats import rates_between
from tracking.views.base import PlanPageMixin

PAGE_SIZE = 100


def labels(choices) -> dict:
    """Value → label, "missing" (no report the reader may see) → "no report"."""
    return {**dict(choices), "missing": _("no report")}


class CompareView(asof.AsOfPageMixin, PlanPageMixin, TemplateView):
    """Two dates of one plan side by side: the rates at each (reporting, on time, accepted, overdue) with the
    difference, and the reports whose state or status changed between them, paged."""

    template_name = "tracking/pages/compare.html"
    title_of_year = _("Compare two dates, plan %(year)s")
    crumb_name = _("Compare two dates")

    @cached_property
    def _compare(self):
        try:
            return asof.parse_as_of(self.request.GET.get("compare")), None
        except asof.AsOfError as error:
            return None, error

    @property
    def compare(self):
        return self._compare[0]

    def as_of_problem(self):
        problem = super().as_of_problem() or self._compare[1]
        if problem is None and (self.as_of is None) != (self.compare is None):
            problem = asof.INVALID_DATE  # one date given without the other
        return problem

    def get_context_data(self, **kwargs):
        context = {"first": self.as_of, "second": self.compare, "rates": [], "page_obj": None}
        if self.as_of and self.compare:
            period_ids = tuple(p.pk for p in self.periods)
            context["rates"] = rates_between(
                plan=self.plan, period_ids=period_ids, first=self.as_of, second=self.compare
            )
            changes = obligations_changed_between(
                user=self.request.user,
                period_ids=period_ids,
                first=asof.end_of_day(self.as_of),
                second=asof.end_of_day(self.compare),
            )
            page = Paginator(changes, PAGE_SIZE).get_page(self.request.GET.get("page"))
            states, statuses = labels(ReportState.choices), labels(ReportStatus.choices)
            for obligation in page:
                obligation.states = (states[obligation.state_first], states[obligation.state_second])
                obligation.statuses = (statuses[obligation.status_first], statuses[obligation.status_second])
            context.update(page_obj=page, is_paginated=page.has_other_pages())
        return super().get_context_data(**context, **kwargs)
