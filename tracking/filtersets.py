import django_filters
from django.db.models import Q
from django.utils import timezone

from participants.models import Department, ProvincialOffice
from planpromo.api.filters import IsoDateTimeFilter, ModelMultipleChoiceFilter, MultipleChoiceFilter
from programs.models import Program, ReportingPeriod, WorkItem
from tracking import asof
from tracking.choices import PUBLISHED_STATES, NotificationKind, ReportState, ReportStatus
from tracking.models import Notification, Obligation, Report, TargetValue
from tracking.selectors import OBLIGATION_STATES, period_ids_of

SEVERAL = "; several as {0}=a&{0}=b or {0}=a,b"


class WhoWhatWhenFilterSet(django_filters.FilterSet):
    """The filters of reports and obligations alike: on what (work item, program), who (office, department), for
    when (period, plan year). Their order on a page or in the schema is each subclass's Meta.fields."""

    work_item = ModelMultipleChoiceFilter(
        queryset=WorkItem.objects.all(), label="Work item id" + SEVERAL.format("work_item")
    )
    program = ModelMultipleChoiceFilter(
        field_name="work_item__program", queryset=Program.objects.all(), label="Program id" + SEVERAL.format("program")
    )
    office = ModelMultipleChoiceFilter(
        queryset=ProvincialOffice.objects.all(), label="Office id" + SEVERAL.format("office")
    )
    department = ModelMultipleChoiceFilter(
        queryset=Department.objects.all(), label="Department id" + SEVERAL.format("department")
    )
    period = ModelMultipleChoiceFilter(
        queryset=ReportingPeriod.objects.all(), label="Reporting period id" + SEVERAL.format("period")
    )
    year = django_filters.NumberFilter(field_name="period__plan__year")


class ReportFilterSet(WhoWhatWhenFilterSet):
    """One filterset for the reports list of the API and of the pages. Every filter of ids or choices takes several
    values, repeated or comma-separated."""

    program_number = django_filters.NumberFilter(field_name="work_item__program__number")
    status = MultipleChoiceFilter(choices=ReportStatus.choices, label="Status" + SEVERAL.format("status"))
    state = MultipleChoiceFilter(choices=ReportState.choices, label="State" + SEVERAL.format("state"))
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    updated_after = IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        label="Changed after this time (exclusive): pass the `watermark` of the previous sync",
    )
    updated_before = IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="lte", label="Changed at or before this time"
    )

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
            "updated_after",
            "updated_before",
        ]


class TargetValueFilterSet(ReportFilterSet):
    """The reports' filters, for the target values of the reports they select (`updated_after`: of reports changed
    after, since a value is written with its report)."""

    class Meta:
        model = TargetValue
        fields = ReportFilterSet.Meta.fields

    def filter_queryset(self, queryset):
        reports = super().filter_queryset(Report.objects.order_by())
        data = self.form.cleaned_data
        period_ids = period_ids_of(
            year=int(data["year"]) if data.get("year") is not None else None,
            periods=[period.pk for period in data.get("period") or ()],
        )
        if period_ids is not None:
            # Through those periods' reports only (the reports' period index), as the obligations are: a plain
            # subquery of the filtered reports is a hash semi join over every report of every year.
            queryset = queryset.filter(report__period_id__in=period_ids)
            reports = reports.filter(period_id__in=period_ids)
        return queryset.filter(report__in=reports.values("pk"))


class ObligationFilterSet(WhoWhatWhenFilterSet):
    """The obligations of the API's list: who must report what, by when, and where each one stands. `state` is
    the state the user can see (tracking.selectors.obligations_visible_to): "missing" when there is no report they
    may read."""

    state = MultipleChoiceFilter(
        field_name="visible_state",
        choices=[(s, s) for s in OBLIGATION_STATES],
        label="The report's state, or missing" + SEVERAL.format("state"),
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_overdue", label="Past due and not received"
    )
    due_before = django_filters.DateFilter(field_name="due", lookup_expr="lt")
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gt")
    updated_after = IsoDateTimeFilter(
        method="filter_updated",
        label="Whose report changed after this time (exclusive), as the reader sees it: its report was written, or "
        "it was returned (it then shows as missing to those who may read only published reports)",
    )
    updated_before = IsoDateTimeFilter(method="filter_updated", label="Whose report changed at or before this time")

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
            "updated_after",
            "updated_before",
        ]

    def filter_overdue(self, queryset, name, value):
        # Past due as of today, or as of the view's `as_of` date (already validated by the view).
        as_of = asof.parse_as_of(self.request.query_params.get("as_of")) if self.request is not None else None
        overdue = Q(due__lt=as_of or timezone.localdate()) & ~Q(visible_state__in=PUBLISHED_STATES)
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)

    def filter_updated(self, queryset, name, value):
        """Obligations change when their report does (they are created with the plan). A report the reader may
        read counts by its `updated_at`; one they may not read, by the time it was returned (when it left their
        view), so that a sync learns that a published report went back to its organisation, and nothing else."""
        lookup = "gt" if name == "updated_after" else "lte"
        changed = Q(report_visible=True, **{f"report__updated_at__{lookup}": value}) | Q(
            report_visible=False, report__state=ReportState.RETURNED, **{f"report__reviewed_at__{lookup}": value}
        )
        return queryset.filter(changed)


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
