"""Where users land: the home redirect and My work, the to-do of the user's organisation."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from participants.choices import Role
from planpromo.views import Crumb, PageMixin
from programs.choices import PeriodKind
from programs.models import Plan
from tracking import permissions, selectors, stats
from tracking.choices import ReportState
from tracking.models import Obligation
from tracking.todo import todo_for


class MyWorkView(PageMixin, TemplateView):
    """The organisation's to-do for the current plan year: every obligation not yet met (no report, a draft, or a
    returned report), overdue first with the days overdue, then the others by due date with the days left, each
    with its action (write, continue, revise); filtered by period (the annual report included) and program. Above
    it, the reports returned with the reviewer's comment, and for reviewers the size of their queue."""

    template_name = "tracking/reports/my_work.html"
    nav_section = "my_work"
    page_title = gettext_lazy("My work")

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        office, department = permissions.user_office(user), permissions.user_department(user)
        plan = Plan.objects.current()
        organisation = office or department
        context = {"office": office, "department": department, "plan": plan, "organisation": organisation}
        if organisation is not None and plan is not None:
            context.update(self.todo_context(plan, organisation, today))
        if permissions.may_review_at_all(user):
            context["review_count"] = stats.review_queue_size(user=user)
        return super().get_context_data(**context, **kwargs)

    def todo_context(self, plan, organisation, today) -> dict:
        periods = sorted(plan.periods.all(), key=lambda p: (p.kind != PeriodKind.QUARTER, p.start))
        programs = list(plan.programs.order_by("number"))
        period = next((p for p in periods if str(p.pk) == self.request.GET.get("period")), None)
        program = next((p for p in programs if str(p.number) == self.request.GET.get("program")), None)
        obligations = Obligation.objects.of_organisation(organisation).filter(period__plan=plan).outstanding()
        if period is not None:
            obligations = obligations.filter(period=period)
        if program is not None:
            obligations = obligations.filter(work_item__program=program)
        obligations = selectors.obligations_visible_to(user=self.request.user, queryset=obligations)
        obligations = obligations.select_related("report__reviewed_by").order_by(
            "due", "work_item__program__number", "work_item__number", "pk"
        )
        todos = [todo_for(o, user=self.request.user, today=today) for o in obligations]
        return {
            "periods": periods,
            "programs": programs,
            "selected_period": period,
            "selected_program": program,
            "filtered": period is not None or program is not None,
            "overdue": [t for t in todos if t.days_left < 0],
            "upcoming": [t for t in todos if t.days_left >= 0],
            "returned": [t for t in todos if t.obligation.visible_state == ReportState.RETURNED],
        }


# Roles whose work is reporting: they land on their to-do; everyone else on the plan's dashboard.
REPORTING_ROLES = {Role.OFFICE_REPORTER, Role.DEPARTMENT_STAFF}


def home(request):
    """Where signing in lands: an office reporter's or department's to-do (My work), else the current plan's
    dashboard (one query), or a page saying no plan is loaded yet."""
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.role in REPORTING_ROLES and not request.user.is_superuser:
        return redirect("tracking:my_work")
    plan = Plan.objects.current()
    if plan is None:
        return render(
            request,
            "no_plan.html",
            {"page_title": _("No plan yet"), "breadcrumbs": [Crumb(_("No plan yet"))], "nav_section": "plan"},
        )
    return redirect("tracking:dashboard", year=plan.year)
