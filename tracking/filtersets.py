import django_filters

from participants.models import Department, ProvincialOffice
from programs.models import Program, ReportingPeriod, WorkItem
from tracking.choices import ReportState, ReportStatus
from tracking.models import Report


class ReportFilterSet(django_filters.FilterSet):
    """One filterset for the reports list of the API and of the pages."""

    work_item = django_filters.ModelChoiceFilter(queryset=WorkItem.objects.all())
    program = django_filters.ModelChoiceFilter(field_name="work_item__program", queryset=Program.objects.all())
    program_number = django_filters.NumberFilter(field_name="work_item__program__number")
    office = django_filters.ModelChoiceFilter(queryset=ProvincialOffice.objects.all())
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())
    period = django_filters.ModelChoiceFilter(queryset=ReportingPeriod.objects.all())
    year = django_filters.NumberFilter(field_name="period__plan__year")
    # distinct=False: a plain column filter cannot repeat a row, and DISTINCT over every column of the page (the
    # django-filter default for multiple choices) turned an index scan into a sort of the whole table.
    status = django_filters.MultipleChoiceFilter(choices=ReportStatus.choices, distinct=False)
    state = django_filters.MultipleChoiceFilter(choices=ReportState.choices, distinct=False)
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Report
        fields = [
            "work_item",
            "program",
            "program_number",
            "office",
            "department",
            "period",
            "year",
            "status",
            "state",
            "submitted_after",
            "submitted_before",
        ]
