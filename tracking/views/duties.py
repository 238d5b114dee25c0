"""Office and department pages: what the organisation must report and what it has reported."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from participants.models import Department, ProvincialOffice
from planpromo.views import Crumb
from programs.models import Program, WorkItem, WorkItemDepartment
from programs.templatetags.plan_tags import display_name
from tracking import stats
from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Obligation, Report
from tracking.selectors import obligations_visible_to, visible_reports
from tracking.todo import Todo, todo_for
from tracking.views.base import PlanPageMixin


@dataclass
class ItemDuty:
    """An item an organisation reports on: its report of the selected period (where the user may see it) and its
    obligations past due and not received, as to-do lines."""

    item: WorkItem
    report: Report | None = None
    overdue: list[Todo] = field(default_factory=list)


class DutiesMixin(PlanPageMixin):
    """Office and department pages: what the organisation must report (its obligations) and what it has
    reported. A page names its organisation (`get_organisation`) and the list page above it (`list_crumb`)."""

    list_crumb: tuple = ()  # (label, URL name)

    @cached_property
    def organisation(self):
        return self.get_organisation()

    def get_organisation(self):
        raise NotImplementedError

    def get_page_title(self):
        return display_name(self.organisation)

    def get_breadcrumbs(self):
        label, url_name = self.list_crumb
        return [Crumb(label, reverse(url_name)), Crumb(self.get_page_title())]

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
                        if o.due < today and o.visible_state not in PUBLISHED_STATES
                    ],
                )
            )
        received_now = [d for d in item_duties if d.report and d.report.state in PUBLISHED_STATES]
        return {
            "duties": item_duties,
            "due": [d for d in item_duties if not (d.report and d.report.state in PUBLISHED_STATES)],
            "received_count": len(received_now),
            "overdue": [todo for d in item_duties for todo in d.overdue],
            "returned": [r for r in reports if r.state == ReportState.RETURNED],
            "reports": reports,
        }


class OfficeProgressView(DutiesMixin, TemplateView):
    """What an office must do: its items, what is due this period, overdue and returned, and its reports."""

    template_name = "tracking/pages/office_detail.html"
    nav_section = "offices"
    list_crumb = (_("Provincial offices"), "programs:office_list")

    def get_organisation(self):
        return get_object_or_404(ProvincialOffice, short_name=self.kwargs["short_name"])

    def get_context_data(self, **kwargs):
        office = self.organisation
        reports = self.reports_of(office=office)
        return super().get_context_data(office=office, **self.duty_context(reports, office=office), **kwargs)


class DepartmentProgressView(DutiesMixin, TemplateView):
    """A department: the programs it leads or takes part in, the items it is responsible for (due, overdue,
    returned, its reports), and its review load."""

    template_name = "tracking/pages/department_detail.html"
    nav_section = "departments"
    list_crumb = (_("Departments"), "programs:department_list")

    def get_organisation(self):
        return get_object_or_404(Department, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        department = self.organisation
        programs = list(Program.objects.filter(plan=self.plan).for_department(department).with_team())
        for program in programs:
            program.role = next(
                m.get_role_display() for m in program.team_memberships.all() if m.department_id == department.pk
            )
        reports = self.reports_of(department=department)
        review_load = stats.review_load(plan=self.plan, department=department)
        return super().get_context_data(
            department=department,
            programs=programs,
            review_load=review_load,
            review_total=sum(row["count"] for row in review_load),
            **self.duty_context(reports, department=department),
            **kwargs,
        )
