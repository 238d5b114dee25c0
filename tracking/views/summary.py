"""The annual summary: the page and its PDF (rendered out of the request by tracking.summary_pdf)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rest_framework.throttling import UserRateThrottle

from tracking.summary import annual_summary
from tracking.summary_pdf import (
    PENDING_SECONDS,
    PENDING_TEMPLATE,
    RETRY_SECONDS,
    data_version,
    pending_key,
    render_annual_summary,
    rendering_key,
)
from tracking.views.base import PlanPageMixin


class AnnualSummaryView(PlanPageMixin, TemplateView):
    """The year's summary per program and work item (tracking.summary), printable."""

    template_name = "tracking/pages/summary.html"
    nav_section = "summary"
    title_of_year = gettext_lazy("Annual summary %(year)s")
    crumb_name = gettext_lazy("Annual summary")

    def get_context_data(self, **kwargs):
        summary = annual_summary(plan=self.plan, today=self.today)
        return super().get_context_data(summary=summary, generated_on=self.today, **kwargs)


class SummaryRenderThrottle(UserRateThrottle):
    """Renderings a user may cause (SUMMARY_RENDERS_PER_USER, e.g. "10/hour"), counted in the shared cache."""

    scope = "summary_render"

    def get_rate(self):
        return settings.SUMMARY_RENDERS_PER_USER


class AnnualSummaryPdfView(PlanPageMixin, View):
    """GET /reports/<year>/summary.pdf: the latest rendering (Last-Modified: when it was rendered), a new one
    queued if the data changed; 202 while the first one is prepared; 429 for a user over their rendering limit."""

    def get(self, request, *args, **kwargs):
        plan, language = self.plan, translation.get_language()
        version = data_version(plan, self.today)
        rendering = cache.get(rendering_key(plan.year, language))
        refused = False
        if rendering is None or rendering["version"] != version:
            refused = not self.queue(plan.year, language, version)
            rendering = cache.get(rendering_key(plan.year, language))  # an immediate backend has rendered it
        if rendering is None:
            status = 429 if refused else 202
            response = render(
                request,
                PENDING_TEMPLATE,
                {"plan": plan, "refused": refused, "page_title": _("Annual summary %(year)s") % {"year": plan.year}},
                status=status,
            )
            response["Retry-After"] = str(RETRY_SECONDS)
            return response
        stamp = timezone.localtime(rendering["rendered_at"]).strftime("%Y%m%d-%H%M")
        response = HttpResponse(rendering["pdf"], content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-summary-{plan.year}-{stamp}.pdf"'
        response["Last-Modified"] = http_date(rendering["rendered_at"].timestamp())
        response["Cache-Control"] = "private, no-cache"
        return response

    def queue(self, year: int, language: str, version: str) -> bool:
        """Queue a rendering of this version unless one is queued already; False if the user may not cause one."""
        key = pending_key(year, language, version)
        if not cache.add(key, True, PENDING_SECONDS):
            return True  # someone else's request queued it
        throttle = SummaryRenderThrottle()
        if not throttle.allow_request(self.request, self):
            cache.delete(key)
            return False
        render_annual_summary.enqueue(year=year, language=language, version=version)
        return True
