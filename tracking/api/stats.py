"""`/api/v1/stats/...`: statistics computed by the database from the obligations (see tracking.stats for the
definitions). Every endpoint takes `year`, `period`, `program`, `office` and `department`, and `as_of` (the plan as it
stood at the end of that day: tracking.asof)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from participants.models import Department, ProvincialOffice
from planpromo.api.filters import QueryParametersFilter, check_query_parameters
from programs.models import Program, ReportingPeriod
from tracking import asof, stats
from tracking.models import Obligation

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Plan year (e.g. 2012).")
PERIOD = OpenApiParameter("period", OpenApiTypes.INT, description="Reporting period id (see /api/v1/periods/).")
PROGRAM = OpenApiParameter("program", OpenApiTypes.INT, description="Program id: only its work items' obligations.")
OFFICE = OpenApiParameter("office", OpenApiTypes.INT, description="Office id: only its obligations.")
DEPARTMENT = OpenApiParameter("department", OpenApiTypes.INT, description="Department id: only its obligations.")
INTERVAL = OpenApiParameter("interval", OpenApiTypes.STR, enum=["week", "month"], description="Bucket size.")
GROUP_BY = OpenApiParameter(
    "group_by",
    OpenApiTypes.STR,
    enum=list(stats.GROUPS),
    description="One row per office, department, program, period or work item; several comma-separated "
    "(`office,period`); none: one row for the whole selection.",
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The plan as it stood at the end of this day (local time, YYYY-MM-DD, not after today), read from "
    "the reports' history; overdue is then judged on that day.",
)
SELECTION = [YEAR, PERIOD, PROGRAM, OFFICE, DEPARTMENT, AS_OF]


class StatsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all(), required=False)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False)
    office = serializers.PrimaryKeyRelatedField(queryset=ProvincialOffice.objects.all(), required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    as_of = serializers.CharField(required=False, allow_blank=True, help_text=AS_OF.description)

    def validate_as_of(self, value):
        try:
            return asof.parse_as_of(value)
        except asof.AsOfError as error:
            raise serializers.ValidationError(str(error)) from None


class TimelineQuerySerializer(StatsQuerySerializer):
    interval = serializers.ChoiceField(choices=["week", "month"], required=False, default="month")


class ReportingRatesQuerySerializer(StatsQuerySerializer):
    group_by = serializers.CharField(required=False, default="")

    def validate_group_by(self, value):
        names = tuple(name.strip() for name in value.split(",") if name.strip())
        unknown = [name for name in names if name not in stats.GROUPS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown group {', '.join(unknown)}: choose among {', '.join(stats.GROUPS)}."
            )
        if len(set(names)) != len(names):
            raise serializers.ValidationError("Each group may be named once.")
        return names


class StatusCountsSerializer(serializers.Serializer):
    not_started = serializers.IntegerField(source="status_not_started")
    on_track = serializers.IntegerField(source="status_on_track")
    at_risk = serializers.IntegerField(source="status_at_risk")
    delayed = serializers.IntegerField(source="status_delayed")
    completed = serializers.IntegerField(source="status_completed")


class RatesMixin(serializers.Serializer):
    reporting_rate = serializers.SerializerMethodField(help_text="received ÷ expected, in percent (null: none due).")
    on_time_rate = serializers.SerializerMethodField(help_text="on time ÷ expected, in percent (null: none due).")

    def _get(self, row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    def get_reporting_rate(self, row) -> float | None:
        return stats.rate(self._get(row, "received"), self._get(row, "expected"))

    def get_on_time_rate(self, row) -> float | None:
        return stats.rate(self._get(row, "on_time"), self._get(row, "expected"))


class RollupFieldsMixin(RatesMixin):
    expected = serializers.IntegerField(help_text="Obligations: reports that must be written in the selection.")
    received = serializers.IntegerField(help_text="Obligations met: the report is submitted or accepted.")
    accepted = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="Received, and first submitted by the due date.")
    overdue = serializers.IntegerField(help_text="Past the due date and not received.")
    status = StatusCountsSerializer(source="*", help_text="Received reports by status.")
    mean_percent = serializers.FloatField(allow_null=True, help_text="Mean percent complete of received reports.")


class ProgramStatsSerializer(RollupFieldsMixin):
    id = serializers.IntegerField()
    year = serializers.IntegerField(source="plan.year")
    number = serializers.IntegerField()
    numeral = serializers.CharField()
    name = serializers.CharField()
    work_items = serializers.IntegerField(source="work_item_count")


class OfficeStatsSerializer(RollupFieldsMixin):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    name_zh = serializers.CharField()
    work_items = serializers.IntegerField(source="work_item_count", help_text="Items the office reports on.")
    due = serializers.IntegerField(source="expected", help_text="The same as `expected` (kept for old clients).")


class TargetStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    approximate = serializers.BooleanField()
    description = serializers.CharField()
    achieved = serializers.IntegerField(allow_null=True, help_text="Sum of each organisation's latest value.")


class WorkItemStatsSerializer(RollupFieldsMixin):
    id = serializers.IntegerField()
    year = serializers.IntegerField(source="program.plan.year")
    code = serializers.CharField()
    title = serializers.CharField()
    office_scope = serializers.CharField()
    offices_expected = serializers.IntegerField(help_text="Offices that must report (distinct).")
    offices_reported = serializers.IntegerField(help_text="Offices with at least one received report (distinct).")
    departments_expected = serializers.IntegerField(help_text="Responsible departments (distinct).")
    targets = TargetStatsSerializer(many=True, source="targets.all")


class TimelineRowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    received = serializers.IntegerField(help_text="Obligations received, by the time of their first submission.")
    on_time = serializers.IntegerField(help_text="Of those, first submitted by the due date.")
    accepted = serializers.IntegerField(help_text="Obligations accepted, by the time of acceptance.")


class ReportingRateSerializer(RatesMixin):
    """A group's row: the group's fields (those of the groups asked for; the others are absent), then the counts."""

    office = serializers.IntegerField(source="office_id", required=False)
    office_short_name = serializers.CharField(source="office__short_name", required=False)
    office_name_zh = serializers.CharField(source="office__name_zh", required=False)
    department = serializers.IntegerField(source="department_id", required=False)
    department_name = serializers.CharField(source="department__name", required=False)
    program = serializers.IntegerField(source="work_item__program_id", required=False)
    program_number = serializers.IntegerField(source="work_item__program__number", required=False)
    period = serializers.IntegerField(source="period_id", required=False)
    period_label = serializers.CharField(source="period__label", required=False)
    period_due = serializers.DateField(source="period__due", required=False)
    work_item = serializers.IntegerField(source="work_item_id", required=False)
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Order by these output fields, comma-separated; `-` for descending (e.g. `-overdue,number`).",
)


# The ordering keys are the names of the response's fields: the row's attribute, or how to compute it (a rate: none
# expected sorts last).
ROLLUP_ORDERING = {
    **{name: name for name in ("expected", "received", "accepted", "on_time", "overdue", "mean_percent")},
    "reporting_rate": lambda row: stats.rate(row.received, row.expected),
    "on_time_rate": lambda row: stats.rate(row.on_time, row.expected),
}


class StatsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Base: validates the selection's parameters (400 with a message when wrong), builds the Selection, and
    orders the rows (a list computed by tracking.stats, a few hundred at most) by `?ordering=`, whose keys are the
    output's field names."""

    query_serializer_class = StatsQuerySerializer
    filterset_class = None
    filter_backends = []
    # Output field name: the row's attribute it sorts by.
    ordering_fields = ROLLUP_ORDERING
    extra_query_parameters = {"ordering": True}  # ordered here, not by a filter backend

    def list(self, request, *args, **kwargs):
        rows = self.order(list(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def order(self, rows: list) -> list:
        given = ",".join(self.request.query_params.getlist("ordering"))  # `a,b` or `ordering=a&ordering=b`
        terms = [term.strip() for term in given.split(",") if term.strip()]
        unknown = [term for term in terms if term.removeprefix("-") not in self.ordering_fields]
        if unknown:
            raise serializers.ValidationError(
                {"ordering": [f"Cannot order by {', '.join(unknown)}: choose among {', '.join(self.ordering_fields)}."]}
            )
        for term in reversed(terms):  # stable sorts, the last key first
            key = self.ordering_fields[term.removeprefix("-")]
            value = key if callable(key) else (lambda row, name=key: getattr(row, name))
            present = [row for row in rows if value(row) is not None]
            absent = [row for row in rows if value(row) is None]
            present.sort(key=value, reverse=term.startswith("-"))
            rows = present + absent  # rows without a value last, whichever the direction
        return rows

    def query(self) -> dict:
        check_query_parameters(self.request, self)
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def selection(self) -> stats.Selection:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request parameters, no queries
            return stats.Selection(period_ids=())
        query = self.query()
        self._as_of = query.get("as_of")
        return stats.selection(
            year=query.get("year"),
            period=query.get("period"),
            program=query.get("program"),
            office=query.get("office"),
            department=query.get("department"),
            as_of=self._as_of,
        )

    def today(self):
        """Today, or the `as_of` date (read by selection(), which each get_queryset calls first)."""
        return getattr(self, "_as_of", None) or timezone.localdate()


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, ORDERING]))
class ProgramStatsViewSet(StatsViewSet):
    """Per program: work items, obligations expected, received, accepted, on time, overdue, the rates, status
    distribution, mean percent."""

    serializer_class = ProgramStatsSerializer
    export_name = "program-stats"
    ordering_fields = {
        "id": "id",
        "year": lambda row: row.plan.year,
        "number": lambda row: (row.plan.year, row.number),
        "name": "name",
        "work_items": "work_item_count",
        **ROLLUP_ORDERING,
    }

    def get_queryset(self):
        return stats.program_stats(selection=self.selection(), today=self.today())


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, ORDERING]))
class OfficeStatsViewSet(StatsViewSet):
    """Per office: items it reports on, obligations, received, on time, overdue, the rates, status distribution."""

    serializer_class = OfficeStatsSerializer
    export_name = "office-stats"
    ordering_fields = {
        "id": "id",
        "short_name": "short_name",
        "name_zh": "name_zh",
        "code": lambda row: (row.code is None, row.code or ""),  # the default order: the XPCC, which has none, last
        "work_items": "work_item_count",
        "due": "expected",
        **ROLLUP_ORDERING,
    }

    def get_queryset(self):
        return stats.office_stats(selection=self.selection(), today=self.today())


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, ORDERING]))
class WorkItemStatsViewSet(StatsViewSet):
    """Per work item: its roll-up, and its targets with the achieved value."""

    serializer_class = WorkItemStatsSerializer
    export_name = "work-item-stats"
    ordering_fields = {
        "id": "id",
        "year": lambda row: row.program.plan.year,
        "code": lambda row: (row.program.plan.year, row.program.number, row.number),
        "number": lambda row: (row.program.plan.year, row.program.number, row.number),  # kept for old clients
        "title": "title",
        "office_scope": "office_scope",
        "offices_expected": "offices_expected",
        "offices_reported": "offices_reported",
        "departments_expected": "departments_expected",
        **ROLLUP_ORDERING,
    }

    def get_queryset(self):
        self._selection = self.selection()
        return stats.work_item_stats(selection=self._selection, today=self.today())

    def get_serializer(self, instance=None, *args, **kwargs):
        if instance is not None and kwargs.get("many"):
            instance = self.with_achieved(instance)
        return super().get_serializer(instance, *args, **kwargs)

    def with_achieved(self, items):
        """The page's items, each target carrying its achieved value (one query for the whole page)."""
        items = list(items)
        targets = [target for item in items for target in item.targets.all()]
        achieved = stats.targets_achieved(selection=self._selection, targets=targets) if targets else {}
        for target in targets:
            target.achieved = achieved.get(target.pk)
        return items


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, INTERVAL]))
class TimelineViewSet(StatsViewSet):
    """Obligations received (with how many on time) and accepted per week or month (`interval=`)."""

    serializer_class = TimelineRowSerializer
    query_serializer_class = TimelineQuerySerializer
    extra_query_parameters = ()
    pagination_class = None
    filter_backends = [QueryParametersFilter]
    export_name = "timeline"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request parameters, no queries
            return Obligation.objects.none()
        return stats.timeline(selection=self.selection(), interval=self.query()["interval"])

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, GROUP_BY]))
class ReportingRatesViewSet(StatsViewSet):
    """Completeness and timeliness, as DHIS2's reporting-rate summary: per group, obligations expected, received,
    accepted, on time and overdue, and the reporting and on-time rates (which never exceed 100)."""

    serializer_class = ReportingRateSerializer
    query_serializer_class = ReportingRatesQuerySerializer
    extra_query_parameters = ()
    pagination_class = None
    filter_backends = [QueryParametersFilter]
    export_name = "reporting-rates"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Obligation.objects.none()
        group_by = self.query()["group_by"]
        rows = stats.reporting_rates(selection=self.selection(), today=self.today(), group_by=group_by)
        return list(rows) if group_by else [rows]

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)
