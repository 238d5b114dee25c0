"""The annual summary as a PDF, rendered out of the request (red-team finding 2).

Rendering takes seconds of CPU, and the summary does not depend on who asks: it is rendered once per plan, language
and data version by a background task (Django's tasks framework; `manage.py db_worker` in production), kept in the
shared cache, and served from there with the time it was rendered. When the data has changed since, the last
rendering is still served at once while a new one is queued; only when there is none yet does the user wait
(202, "being prepared"). A user may cause at most SUMMARY_RENDERS_PER_USER renderings (429 beyond, unless a
rendering can be served).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import render
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views import View
from rest_framework.throttling import UserRateThrottle

from programs.models import Plan
from tracking.models import Report
from tracking.pages import PlanPageMixin, StaticFilesFetcher
from tracking.summary import annual_summary

TEMPLATE = "tracking/pages/summary_pdf.html"
PENDING_TEMPLATE = "tracking/pages/summary_pdf_pending.html"
# A queued rendering is not queued again for this long (the worker may be busy or down).
PENDING_SECONDS = 600
RETRY_SECONDS = 15


def data_version(plan: Plan, today) -> str:
    """What the summary is computed from, in one aggregate query: the plan's reports (their number and latest
    change) and the day (what is overdue changes with it)."""
    figures = Report.objects.filter(period__plan=plan).aggregate(count=Count("id"), latest=Max("updated_at"))
    latest = figures["latest"].timestamp() if figures["latest"] else 0
    return f"{today.isoformat()}/{figures['count']}/{latest:.6f}"


def rendering_key(year: int, language: str) -> str:
    return f"summary-pdf:{year}:{language}"


def pending_key(year: int, language: str, version: str) -> str:
    return f"summary-pdf-pending:{year}:{language}:{version}"


@task
def render_annual_summary(*, year: int, language: str, version: str) -> None:
    """Render the plan's summary in `language` with WeasyPrint and keep it as the latest rendering (with `version`
    and the time). Nothing fetched but the site's own static files."""
    from weasyprint import HTML

    with translation.override(language):
        plan = Plan.objects.get(year=year)
        today = timezone.localdate()
        context = {
            "plan": plan,
            "summary": annual_summary(plan=plan, today=today),
            "generated_on": today,
            "page_title": _("Annual summary %(year)s") % {"year": plan.year},
        }
        html = render_to_string(TEMPLATE, context)
        static_url = "/" + settings.STATIC_URL.lstrip("/")
        pdf = HTML(string=html, base_url="http://localhost/", url_fetcher=StaticFilesFetcher(static_url)).write_pdf()
    cache.set(
        rendering_key(year, language), {"version": version, "rendered_at": timezone.now(), "pdf": pdf}, timeout=None
    )
    cache.delete(pending_key(year, language, version))


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
