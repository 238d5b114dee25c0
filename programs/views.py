"""Pages of the plan structure: plan overview, program, work item, offices and departments.

Each page runs a fixed number of queries whatever the size of the plan: the querysets of programs/models.py
(`with_team()`, `with_structure()`, `for_office()`, `for_department()`) join or prefetch what the templates show.
"""

import roman
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from participants.models import Department, ProvincialOffice
from planpromo.views import Crumb, PageMixin
from programs.choices import OfficeScope, TeamRole
from programs.models import Plan, Program, WorkItem
from programs.selectors import offices_participating_in
from programs.templatetags.plan_tags import display_name


def plan_crumb(plan):
    return Crumb(_("Plan %(year)s") % {"year": plan.year}, reverse("programs:plan_detail", args=[plan.year]))


class SelectedPlanMixin:
    """Pages that are not under /plans/<year>/ show the plan chosen with `?year=`, by default the current one."""

    @cached_property
    def plan(self):
        year = self.request.GET.get("year", "")
        if year.isdigit():
            return get_object_or_404(Plan, year=int(year))
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("No plan has been loaded."))
        return plan

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)


class PlanDetailView(PageMixin, DetailView):
    """The plan overview: its programs, their lead departments and how many work items each has."""

    template_name = "programs/plan_detail.html"
    context_object_name = "plan"
    nav_section = "plan"

    def get_object(self, queryset=None):
        return get_object_or_404(Plan, year=self.kwargs["year"])

    def get_page_title(self):
        return _("Plan %(year)s") % {"year": self.object.year}

    def get_context_data(self, **kwargs):
        # Queries: the plan, its programs with their item counts, their team memberships.
        programs = list(self.object.programs.with_team().annotate(item_count=Count("work_items")))
        chart = {
            "labels": [program.numeral for program in programs],
            "values": [program.item_count for program in programs],
            "label": str(_("Work items")),
        }
        return super().get_context_data(programs=programs, items_chart=chart, **kwargs)


class ProgramDetailView(PageMixin, DetailView):
    """A program: objective, lead and participant departments, its work items."""

    template_name = "programs/program_detail.html"
    context_object_name = "program"
    nav_section = "plan"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Program.objects.with_team(), plan__year=self.kwargs["year"], number=self.kwargs["number"]
        )

    def get_page_title(self):
        return str(self.object)

    def get_breadcrumbs(self):
        return [plan_crumb(self.object.plan), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the program and its plan, its team, its items, their departments, offices and targets.
        work_items = list(self.object.work_items.with_structure())
        return super().get_context_data(work_items=work_items, **kwargs)


class WorkItemDetailView(PageMixin, DetailView):
    """A work item: full text, responsible departments, targets and every participating office."""

    template_name = "programs/workitem_detail.html"
    context_object_name = "item"
    nav_section = "plan"

    def get_object(self, queryset=None):
        numeral, _dot, number = self.kwargs["code"].partition(".")
        try:
            program_number = roman.fromRoman(numeral)
        except roman.InvalidRomanNumeralError:
            raise Http404(_("No such work item.")) from None
        return get_object_or_404(
            WorkItem.objects.with_structure(),
            program__plan__year=self.kwargs["year"],
            program__number=program_number,
            number=int(number),
        )

    def get_page_title(self):
        return str(self.object)

    def get_breadcrumbs(self):
        program = self.object.program
        return [
            plan_crumb(program.plan),
            Crumb(str(program), reverse("programs:program_detail", args=[program.plan.year, program.number])),
            Crumb(self.object.code),
        ]

    def get_context_data(self, **kwargs):
        # Queries: the item with program and plan, its departments, office links and targets; the offices.
        offices = list(offices_participating_in(self.object))
        return super().get_context_data(offices=offices, OfficeScope=OfficeScope, **kwargs)


class OfficeListView(PageMixin, SelectedPlanMixin, ListView):
    """The 32 provincial offices, with the number of work items each takes part in."""

    template_name = "programs/office_list.html"
    context_object_name = "offices"
    nav_section = "offices"
    page_title = _("Provincial offices")

    def get_queryset(self):
        listed = Count("work_item_links", filter=Q(work_item_links__work_item__program__plan=self.plan))
        return ProvincialOffice.objects.annotate(listed_item_count=listed)

    def get_context_data(self, **kwargs):
        # Queries: the plan, the offices with the items that list them, the items every office takes part in.
        context = super().get_context_data(**kwargs)
        all_count = WorkItem.objects.filter(program__plan=self.plan, office_scope=OfficeScope.ALL).count()
        for office in context["offices"]:
            office.item_count = office.listed_item_count + all_count
        return context


class OfficeDetailView(PageMixin, SelectedPlanMixin, DetailView):
    """What an office must do: the work items of the plan it takes part in, by program."""

    template_name = "programs/office_detail.html"
    context_object_name = "office"
    nav_section = "offices"
    slug_field = "short_name"
    slug_url_kwarg = "short_name"
    model = ProvincialOffice

    def get_page_title(self):
        return display_name(self.object)

    def get_breadcrumbs(self):
        return [Crumb(_("Provincial offices"), reverse("programs:office_list")), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the office, the plan, the items with program and plan, departments, office links, targets.
        work_items = list(WorkItem.objects.filter(program__plan=self.plan).for_office(self.object).with_structure())
        return super().get_context_data(work_items=work_items, **kwargs)


class DepartmentListView(PageMixin, SelectedPlanMixin, ListView):
    """The central departments, with the number of work items each is responsible for."""

    template_name = "programs/department_list.html"
    context_object_name = "departments"
    nav_section = "departments"
    page_title = _("Departments")

    def get_queryset(self):
        # Queries: the plan, the departments with their counts.
        in_plan = Q(work_item_links__work_item__program__plan=self.plan)
        return Department.objects.annotate(item_count=Count("work_item_links", filter=in_plan))


class DepartmentDetailView(PageMixin, SelectedPlanMixin, DetailView):
    """A department: the programs it leads or takes part in and the work items it is responsible for."""

    template_name = "programs/department_detail.html"
    context_object_name = "department"
    nav_section = "departments"
    model = Department

    def get_page_title(self):
        return display_name(self.object)

    def get_breadcrumbs(self):
        return [Crumb(_("Departments"), reverse("programs:department_list")), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        # Queries: the department, the plan, its programs and their teams, its items with their structure.
        programs = list(Program.objects.filter(plan=self.plan).for_department(self.object).with_team())
        for program in programs:
            program.role = next(
                m.get_role_display() for m in program.team_memberships.all() if m.department_id == self.object.pk
            )
        work_items = list(WorkItem.objects.filter(program__plan=self.plan).for_department(self.object).with_structure())
        return super().get_context_data(programs=programs, work_items=work_items, TeamRole=TeamRole, **kwargs)
