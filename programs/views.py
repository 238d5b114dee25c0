"""Pages of the plan structure: the lists of offices and departments. (The plan, program, work item, office and
department pages show report progress too, so they live in the tracking app: tracking/pages.py.)

Each page runs a fixed number of queries whatever the size of the plan.
"""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from participants.models import Department, ProvincialOffice, office_order
from planpromo.numbers import as_id
from planpromo.views import PageMixin
from programs.models import Plan


class SelectedPlanMixin:
    """Pages that are not under /plans/<year>/ show the plan chosen with `?year=`, by default the current one."""

    @cached_property
    def plan(self):
        year = self.request.GET.get("year", "")
        if (number := as_id(year)) is not None:
            return get_object_or_404(Plan, year=number)
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("No plan has been loaded."))
        return plan

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)


class OrganisationListView(PageMixin, SelectedPlanMixin, ListView):
    """A list of organisations of one `kind` ("office", "department"), each with its number of work items in the
    plan (programs/organisation_list.html): the list is `<kind>s` in the context, and the navigation's entry."""

    template_name = "programs/organisation_list.html"
    kind = ""

    def get_context_object_name(self, object_list):
        return f"{self.kind}s"

    @property
    def nav_section(self):
        return f"{self.kind}s"

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind=self.kind, **kwargs)


class OfficeListView(OrganisationListView):
    """The 32 provincial offices, with the number of work items each must report on."""

    kind = "office"
    page_title = _("Provincial offices")

    def get_queryset(self):
        # The offices' obligations by the reverse relation (programs imports no app above it). An aggregate
        # drops Meta.ordering: order explicitly.
        in_plan = Q(obligations__period__plan=self.plan)
        return ProvincialOffice.objects.annotate(
            item_count=Count("obligations__work_item", distinct=True, filter=in_plan)
        ).order_by(*office_order())


class DepartmentListView(OrganisationListView):
    """The central departments, with the number of work items each is responsible for."""

    kind = "department"
    page_title = _("Departments")

    def get_queryset(self):
        in_plan = Q(work_item_links__work_item__program__plan=self.plan)
        return Department.objects.annotate(item_count=Count("work_item_links", filter=in_plan))
