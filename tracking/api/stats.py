"""`/api/v1/stats/...`: statistics computed by the database from the obligations (see tracking.stats for the
definitions). Every endpoint takes `year`, `period`, `program`, `office` and `department`, and `as_of` (the plan as it
stood at the end of that day: tracking.asof)."""

import copy

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from participants.models import Department, ProvincialOffice
from planpromo.api.filters import QueryParametersFilter, check_query_parameters
from programs.models import Program, ReportingPeriod
from tracking import asof, stats
from tracking.api.conditional import StatsConditionalMixin
from tracking.api.stats_serializers import (
    OfficeStatsSerializer,
    ProgramStatsSerializer,
    ReportingRateSerializer,
    TimelineRowSerializer,
    WorkItemStatsSerializer,
)
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
BY_PERIOD = OpenApiParameter(
    "group_by",
    OpenApiTypes.STR,
    enum=["period"],
    description="`period`: one row per entity and period (of the entity's plan), each with the period's id, label "
    "and due date; ordered by the entity, then the period.",
)


class AsOfField(serializers.CharField):
    """`?as_of=`: a local date not after today (tracking.asof.parse_as_of), None when absent or empty; a 400 on the
    field saying why when it cannot be used."""

    def __init__(self, **kwargs):
        super().__init__(**{"required": False, "allow_blank": True, "help_text": AS_OF.description, **kwargs})

    def run_validation(self, data=serializers.empty):
        try:
            return asof.parse_as_of(super().run_validation(data))
        except asof.AsOfError as error:
            raise serializers.ValidationError(str(error)) from None


class AsOfQuerySerializer(serializers.Serializer):
    """The query parameter every view with a past reads (the statistics, the obligations)."""

    as_of = AsOfField()


class StatsQuerySerializer(AsOfQuerySerializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all(), required=False)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False)
    office = serializers.PrimaryKeyRelatedField(queryset=ProvincialOffice.objects.all(), required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)


class EntityStatsQuerySerializer(StatsQuerySerializer):
    group_by = serializers.ChoiceField(choices=["period"], required=False, allow_blank=True, default="")


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


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Order by these output fields, comma-separated; `-` for descending (e.g. `-overdue,number`).",
)


# The ordering keys are the names of the response's fields: the row's attribute, or how to compute it (a rate: none
# expected sorts last).
ROLLUP_ORDERING = {
    "period": lambda row: (row.period.plan_id, row.period.start) if hasattr(row, "period") else None,
    **{name: name for name in ("expected", "received", "accepted", "on_time", "overdue", "mean_percent")},
    "reporting_rate": lambda row: stats.rate(row.received, row.expected),
    "on_time_rate": lambda row: stats.rate(row.on_time, row.expected),
}


class StatsViewSet(StatsConditionalMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
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
        """The validated query parameters (read once per request: the ids are looked up in the database)."""
        if not hasattr(self, "_query"):
            check_query_parameters(self.request, self)
            serializer = self.query_serializer_class(data=self.request.query_params)
            serializer.is_valid(raise_exception=True)
            self._query = serializer.validated_data
        return self._query

    def by_period(self) -> bool:
        return self.query().get("group_by") == "period"

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


class EntityStatsViewSet(StatsViewSet):
    """Base of the statistics per entity: its rows are `rollup` (a function of tracking.stats) of the selection,
    one per entity, or per entity and period with `?group_by=period`."""

    query_serializer_class = EntityStatsQuerySerializer
    rollup = None

    def get_queryset(self):
        self._selection = self.selection()
        return type(self).rollup(selection=self._selection, today=self.today(), by_period=self.by_period())


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, BY_PERIOD, ORDERING]))
class ProgramStatsViewSet(EntityStatsViewSet):
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
    rollup = stats.program_stats


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, BY_PERIOD, ORDERING]))
class OfficeStatsViewSet(EntityStatsViewSet):
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
    rollup = stats.office_stats


@extend_schema_view(list=extend_schema(parameters=[*SELECTION, BY_PERIOD, ORDERING]))
class WorkItemStatsViewSet(EntityStatsViewSet):
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
    rollup = stats.work_item_stats

    def get_serializer(self, instance=None, *args, **kwargs):
        if instance is not None and kwargs.get("many"):
            instance = self.with_achieved(instance)
        return super().get_serializer(instance, *args, **kwargs)

    def with_achieved(self, items):
        """The page's items, each with `target_figures`: its targets, each carrying its achieved value (in the
        row's period, when grouped by period; one query for the whole page)."""
        items = list(items)
        by_period = self.by_period()
        targets = {target.pk: target for item in items for target in item.targets.all()}
        achieved = (
            stats.targets_achieved(selection=self._selection, targets=list(targets.values()), by_period=by_period)
            if targets
            else {}
        )
        for item in items:
            item.target_figures = []
            for target in item.targets.all():
                figure = copy.copy(target)
                figure.achieved = achieved.get((target.pk, item.period.pk) if by_period else target.pk)
                item.target_figures.append(figure)
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
