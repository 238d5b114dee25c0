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
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db.models import Count, Max
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs.models import Plan
from tracking.models import Report
from tracking.summary import annual_summary

TEMPLATE = "tracking/pages/summary_pdf.html"


PENDING_TEMPLATE = "tracking/pages/summary_pdf_pending.html"


# A queued rendering is not queued again for this long (the worker may be busy or down).
PENDING_SECONDS = 600


RETRY_SECONDS = 15


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
