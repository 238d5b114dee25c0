from functools import cached_property

from django.utils import timezone
from rest_framework import viewsets

from participants.models import ProvincialOffice
from planpromo.api.conditional import PlanStructureMixin
from programs.api.serializers import (
    PlanSerializer,
    ProgramSerializer,
    ReportingPeriodSerializer,
    WorkItemSerializer,
)
from programs.filtersets import PlanFilterSet, ProgramFilterSet, ReportingPeriodFilterSet, WorkItemFilterSet
from programs.models import Plan, Program, ReportingPeriod, WorkItem


class PlanViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """The plans, one per year."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    ordering_fields = ["year", "issued_on"]


class ProgramViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """The programs of the plans, with their teams."""

    queryset = Program.objects.with_team()
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = {"year": "plan__year", "number": ("plan__year", "number"), "name": "name"}


class WorkItemViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """The work items, with responsible departments (circular order), participating offices and targets."""

    queryset = WorkItem.objects.with_structure()
    serializer_class = WorkItemSerializer
    filterset_class = WorkItemFilterSet
    ordering_fields = {
        "year": "program__plan__year",
        "program": ("program__plan__year", "program__number"),
        "code": ("program__plan__year", "program__number", "number"),
        "title": "title",
        "office_scope": "office_scope",
    }

    @cached_property
    def all_offices(self):
        # Scope `all` resolves to every office: one query per request instead of 32 rows per item.
        return list(ProvincialOffice.objects.all())

    def get_serializer_context(self):
        all_offices_data = [{"id": office.pk, "short_name": office.short_name} for office in self.all_offices]
        return {
            **super().get_serializer_context(),
            "all_offices_data": all_offices_data,
        }


class ReportingPeriodViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """The reporting periods of each plan year: four quarters and the year, with the day each closes to offices and
    departments (`closes_on`, null: never) and whether it is closed to everyone today (`locked`)."""

    queryset = ReportingPeriod.objects.select_related("plan")
    serializer_class = ReportingPeriodSerializer

    def get_queryset(self):
        return super().get_queryset().with_reopening(timezone.localdate())

    def conditional_parts(self, request):
        # `locked` changes with the day (reopenings are part of the structure's version).
        values, last_modified = super().conditional_parts(request)
        return (*values, timezone.localdate()), last_modified

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    filterset_class = ReportingPeriodFilterSet
    ordering_fields = {
        "year": "plan__year",
        "kind": "kind",
        "label": "label",
        "start": "start",
        "end": "end",
        "due": "due",
    }
