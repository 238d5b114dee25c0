"""`/api/v1/stats/...`: statistics computed by the database (see tracking.stats for the definitions)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from programs.models import ReportingPeriod
from tracking import stats
from tracking.models import Report

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Plan year (e.g. 2012).")
PERIOD = OpenApiParameter("period", OpenApiTypes.INT, description="Reporting period id (see /api/v1/periods/).")
INTERVAL = OpenApiParameter("interval", OpenApiTypes.STR, enum=["week", "month"], description="Bucket size.")


class StatsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all(), required=False)


class TimelineQuerySerializer(StatsQuerySerializer):
    interval = serializers.ChoiceField(choices=["week", "month"], required=False, default="month")


class StatusCountsSerializer(serializers.Serializer):
    not_started = serializers.IntegerField(source="status_not_started")
    on_track = serializers.IntegerField(source="status_on_track")
    at_risk = serializers.IntegerField(source="status_at_risk")
    delayed = serializers.IntegerField(source="status_delayed")
    completed = serializers.IntegerField(source="status_completed")


class RollupFieldsMixin(serializers.Serializer):
    expected = serializers.IntegerField(
        help_text="Reports expected: participating offices and responsible departments, once per selected period."
    )
    received = serializers.IntegerField(help_text="Reports submitted or accepted.")
    accepted = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Expected reports of periods past due that were not received.")
    status = StatusCountsSerializer(source="*", help_text="Received reports by status.")
    mean_percent = serializers.FloatField(allow_null=True, help_text="Mean percent complete of received reports.")


class ProgramStatsSerializer(RollupFieldsMixin):
    id = serializers.IntegerField()
    year = serializers.IntegerField(source="plan.year")
    number = serializers.IntegerField()
    numeral = serializers.CharField()
    name = serializers.CharField()
    work_items = serializers.IntegerField(source="work_item_count")


class OfficeStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    name_zh = serializers.CharField()
    work_items = serializers.IntegerField(source="work_item_count", help_text="Items the office takes part in.")
    due = serializers.IntegerField(source="expected", help_text="Reports due from the office in the selection.")
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    overdue = serializers.IntegerField()
    status = StatusCountsSerializer(source="*")
    mean_percent = serializers.FloatField(allow_null=True)


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
    offices_expected = serializers.IntegerField(help_text="Offices expected per period.")
    offices_reported = serializers.IntegerField(help_text="Received reports from offices.")
    departments_expected = serializers.IntegerField()
    targets = TargetStatsSerializer(many=True)


class TimelineRowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    submitted = serializers.IntegerField()
    accepted = serializers.IntegerField()


class StatsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Base: validates `year` and `period` (400 with a message when wrong) and builds the selection."""

    query_serializer_class = StatsQuerySerializer
    filterset_class = None
    ordering_fields = ["expected", "received", "accepted", "overdue", "mean_percent"]

    def query(self):
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def selection(self):
        query = self.query()
        return stats.periods_selected(year=query.get("year"), period=query.get("period"))

    def today(self):
        return timezone.localdate()


@extend_schema_view(list=extend_schema(parameters=[YEAR, PERIOD]))
class ProgramStatsViewSet(StatsViewSet):
    """Per program: work items, reports expected, received, accepted, overdue, status distribution, mean percent."""

    serializer_class = ProgramStatsSerializer
    export_name = "program-stats"
    ordering_fields = ["number", *StatsViewSet.ordering_fields]

    def get_queryset(self):
        return stats.program_stats(periods=self.selection(), today=self.today())


@extend_schema_view(list=extend_schema(parameters=[YEAR, PERIOD]))
class OfficeStatsViewSet(StatsViewSet):
    """Per office: items it takes part in, reports due, received, overdue, status distribution."""

    serializer_class = OfficeStatsSerializer
    export_name = "office-stats"
    ordering_fields = ["short_name", "code", "work_item_count", "received", "accepted", "overdue", "mean_percent"]

    def get_queryset(self):
        return stats.office_stats(periods=self.selection(), today=self.today())


@extend_schema_view(list=extend_schema(parameters=[YEAR, PERIOD]))
class WorkItemStatsViewSet(StatsViewSet):
    """Per work item: its roll-up, and its targets with the achieved value."""

    serializer_class = WorkItemStatsSerializer
    export_name = "work-item-stats"
    ordering_fields = ["number", *StatsViewSet.ordering_fields]

    def get_queryset(self):
        return stats.work_item_stats(periods=self.selection(), today=self.today())


@extend_schema_view(list=extend_schema(parameters=[YEAR, PERIOD, INTERVAL]))
class TimelineViewSet(StatsViewSet):
    """Reports submitted and accepted per week or month (`interval=`)."""

    serializer_class = TimelineRowSerializer
    query_serializer_class = TimelineQuerySerializer
    pagination_class = None
    filter_backends = []
    export_name = "timeline"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request parameters, no queries
            return Report.objects.none()
        query = self.query()
        periods = stats.periods_selected(year=query.get("year"), period=query.get("period"))
        return stats.timeline(periods=periods, interval=query["interval"])

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)
