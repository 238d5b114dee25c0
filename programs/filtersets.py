import django_filters
from django.db.models import Exists, OuterRef, Q

from participants.models import Department, ProvincialOffice
from planpromo.api.filters import ModelMultipleChoiceFilter
from programs.choices import OfficeScope
from programs.models import Plan, Program, ProgramDepartment, ReportingPeriod, WorkItem, WorkItemDepartment


class PlanFilterSet(django_filters.FilterSet):
    class Meta:
        model = Plan
        fields = ["year"]


class ProgramFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year", label="Plan year")
    department = ModelMultipleChoiceFilter(
        queryset=Department.objects.all(),
        method="filter_department",
        label="Department id (lead or participant); several as department=a&department=b or department=a,b",
    )
    search = django_filters.CharFilter(method="filter_search", label="Search name and objective")

    class Meta:
        model = Program
        fields = ["year", "number", "department"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(objective__icontains=value))

    def filter_department(self, queryset, name, value):
        return queryset.filter(Exists(ProgramDepartment.objects.filter(program=OuterRef("pk"), department__in=value)))


class WorkItemFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="program__plan__year", label="Plan year")
    program = ModelMultipleChoiceFilter(
        queryset=Program.objects.all(), label="Program id; several as program=a&program=b or program=a,b"
    )
    program_number = django_filters.NumberFilter(field_name="program__number", label="Program number (1 for I, ...)")
    department = ModelMultipleChoiceFilter(
        queryset=Department.objects.all(),
        method="filter_department",
        label="Responsible department id; several as department=a&department=b or department=a,b",
    )
    office = ModelMultipleChoiceFilter(
        queryset=ProvincialOffice.objects.all(),
        method="filter_office",
        label="Office id: the items it must report on (every item of scope 'all', and those that list it); several "
        "as office=a&office=b or office=a,b",
    )
    office_scope = django_filters.ChoiceFilter(choices=OfficeScope.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search title and text")

    class Meta:
        model = WorkItem
        fields = ["year", "program", "program_number", "number", "department", "office", "office_scope"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(pk__in=WorkItemDepartment.objects.filter(department__in=value).values("work_item"))

    def filter_office(self, queryset, name, value):
        # The items the office must report on: its reporting obligations (tracking.Obligation, reached by the
        # reverse relation: programs imports no app above it).
        return queryset.filter(
            pk__in=queryset.model.obligations.rel.related_model.objects.filter(office__in=value).values("work_item")
        )

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))


class ReportingPeriodFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year", label="Plan year")

    class Meta:
        model = ReportingPeriod
        fields = ["year", "kind"]
