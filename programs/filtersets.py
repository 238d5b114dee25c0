import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from participants.models import Department, ProvincialOffice
from programs.choices import OfficeScope
from programs.models import Plan, Program, ReportingPeriod, WorkItem


class PlanFilterSet(django_filters.FilterSet):
    class Meta:
        model = Plan
        fields = ["year"]


class ProgramFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year", label="Plan year")
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department", label="Department (lead or participant)"
    )
    search = django_filters.CharFilter(method="filter_search", label="Search name and objective")

    class Meta:
        model = Program
        fields = ["year", "number", "department"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(objective__icontains=value))

    @extend_schema_field(OpenApiTypes.INT)  # an id in the query, a Department here
    def filter_department(self, queryset, name, value):
        return queryset.for_department(value)


class WorkItemFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="program__plan__year", label="Plan year")
    program = django_filters.ModelChoiceFilter(queryset=Program.objects.all(), label="Program id")
    program_number = django_filters.NumberFilter(field_name="program__number", label="Program number (1 for I, ...)")
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department", label="Responsible department id"
    )
    office = django_filters.ModelChoiceFilter(
        queryset=ProvincialOffice.objects.all(),
        method="filter_office",
        label="Office id: the items it must report on (every item of scope 'all', and those that list it)",
    )
    office_scope = django_filters.ChoiceFilter(choices=OfficeScope.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search title and text")

    class Meta:
        model = WorkItem
        fields = ["year", "program", "program_number", "number", "department", "office", "office_scope"]

    @extend_schema_field(OpenApiTypes.INT)  # an id in the query, a Department here
    def filter_department(self, queryset, name, value):
        return queryset.filter(department_links__department=value)

    @extend_schema_field(OpenApiTypes.INT)  # an id in the query, a ProvincialOffice here
    def filter_office(self, queryset, name, value):
        # The items the office must report on: its reporting obligations (tracking.Obligation, reached by the
        # reverse relation: programs imports no app above it).
        return queryset.filter(
            pk__in=queryset.model.obligations.rel.related_model.objects.filter(office=value).values("work_item")
        )

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))


class ReportingPeriodFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year", label="Plan year")

    class Meta:
        model = ReportingPeriod
        fields = ["year", "kind"]
