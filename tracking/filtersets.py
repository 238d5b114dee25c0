import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from participants.models import Department, ProvincialOffice
from programs.models import Program, ReportingPeriod, WorkItem
from tracking.choices import RECEIVED_STATES, NotificationKind, ReportState, ReportStatus
from tracking.models import Notification, Obligation, Report
from tracking.selectors import OBLIGATION_STATES


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


class CommaSeparatedChoiceField(forms.MultipleChoiceField):
    """A multiple choice that also takes "a,b": `?state=missing,draft` means `?state=missing&state=draft`."""

    def to_python(self, value):
        return [part.strip() for item in super().to_python(value) for part in item.split(",") if part.strip()]


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaSeparatedChoiceField


class ObligationFilterSet(django_filters.FilterSet):
    """The obligations of the API's list: who must report what, by when, and where each one stands. `state` is
    the state the user can see (tracking.selectors.obligations_visible_to): "missing" when there is no report they
    may read."""

    year = django_filters.NumberFilter(field_name="period__plan__year")
    period = django_filters.ModelChoiceFilter(queryset=ReportingPeriod.objects.all())
    program = django_filters.ModelChoiceFilter(field_name="work_item__program", queryset=Program.objects.all())
    work_item = django_filters.ModelChoiceFilter(queryset=WorkItem.objects.all())
    office = django_filters.ModelChoiceFilter(queryset=ProvincialOffice.objects.all())
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())
    state = MultipleChoiceFilter(
        field_name="visible_state",
        choices=[(s, s) for s in OBLIGATION_STATES],
        distinct=False,
        label="The report's state, or missing; several as state=a&state=b or state=a,b",
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_overdue", label="Past due and not received"
    )
    due_before = django_filters.DateFilter(field_name="due", lookup_expr="lt")
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gt")

    class Meta:
        model = Obligation
        fields = [
            "year",
            "period",
            "program",
            "work_item",
            "office",
            "department",
            "state",
            "overdue",
            "due_before",
            "due_after",
        ]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due__lt=timezone.localdate()) & ~Q(visible_state__in=RECEIVED_STATES)
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)


class NotificationFilterSet(django_filters.FilterSet):
    """The user's notifications: `?unread=true` (not read yet) or `?unread=false` (read)."""

    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_unread", label="Not read yet"
    )
    kind = django_filters.MultipleChoiceFilter(choices=NotificationKind.choices, distinct=False)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")
