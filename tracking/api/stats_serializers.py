"""The rows of `/api/v1/stats/...` (tracking.api.stats) as the API writes them."""

from rest_framework import serializers

from tracking import stats


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
    # Present only in rows grouped by period (`group_by=period`).
    period = serializers.IntegerField(source="period.pk", required=False, help_text="With group_by=period.")
    period_label = serializers.CharField(source="period.label", required=False, help_text="With group_by=period.")
    period_due = serializers.DateField(source="period.due", required=False, help_text="With group_by=period.")
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
    targets = TargetStatsSerializer(many=True, source="target_figures")


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
