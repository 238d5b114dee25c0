"""What the tracking pages share: the plan page mixin (plan, periods, period), crumbs, the report
object mixin and small helpers."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planpromo.exceptions import VersionConflict
from planpromo.numbers import as_id
from planpromo.views import Crumb, PageMixin
from programs.choices import PeriodKind
from programs.models import Plan, ReportingPeriod, WorkItem
from programs.templatetags.plan_tags import short_display_name
from tracking import permissions, selectors
from tracking.locks import lock_status
from tracking.models import Obligation

# The filters the reports list offers (ReportFilterSet has more, for the API).
LIST_FILTERS = ["program", "work_item", "office", "department", "period", "status", "state"]


def my_work_crumb():
    return Crumb(gettext_lazy("My work"), reverse("tracking:my_work"))


def reports_crumb():
    return Crumb(gettext_lazy("Reports"), reverse("tracking:report_list"))


def report_label(report) -> str:
    """ "IV.2 · Guangdong · 2012-Q4", with the organisation's name in the page's language."""
    return f"{report.work_item.code} · {short_display_name(report.organisation)} · {report.period.label}"


def safe_next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return default


def items_of(*, office, department, plan):
    """The work items of the plan the organisation may report on: an office those it must report on (its
    obligations), a department those it is responsible for or whose program it leads (the rule of
    tracking.permissions)."""
    items = WorkItem.objects.filter(program__plan=plan).select_related("program__plan")
    if office is not None:
        return items.filter(pk__in=Obligation.objects.filter(office=office).values("work_item"))
    if department is not None:
        return items.filter(permissions.reviewing_department_q(department.pk, None))
    return items.none()


def conflict_message(exc: VersionConflict) -> str:
    return _(
        "Someone changed this report while you were editing it (you started from version %(sent)s, it is now at "
        "version %(current)s). Nothing was saved; what you typed is kept below. Open the report in another tab to "
        "see the other changes, then save again to replace them with yours."
    ) % {"sent": exc.sent_version, "current": exc.current_version}


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
    # A page of the plan's year titled "<name> <year>" under the plan's crumb: set both (lazy strings).
    title_of_year = None  # e.g. _("Completeness %(year)s")
    crumb_name = None  # e.g. _("Completeness")

    def get_page_title(self):
        if self.title_of_year is not None:
            return self.title_of_year % {"year": self.plan.year}
        return super().get_page_title()

    def get_breadcrumbs(self):
        if self.crumb_name is not None:
            return [plan_crumb(self.plan), Crumb(self.crumb_name)]
        return super().get_breadcrumbs()

    def dispatch(self, request, *args, **kwargs):
        # Progress figures are for users with a role, as in the API (tracking.permissions): a signed-in account
        # without one sees nothing.
        if not permissions.has_role(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_plan(self):
        year = self.kwargs.get("year") or self.request.GET.get("year", "")
        if (number := as_id(year)) is not None:
            return get_object_or_404(Plan, year=number)
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


class ReportObjectMixin:
    """The report named by the URL among those the user may see (else 404)."""

    @cached_property
    def report(self):
        queryset = selectors.reports_visible_to(user=self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])
