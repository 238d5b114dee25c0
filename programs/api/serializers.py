from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participants.api.serializers import DepartmentBriefSerializer, ProvincialOfficeBriefSerializer
from programs.choices import OfficeScope
from programs.models import Plan, Program, ReportingPeriod, Target, WorkItem


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "year", "title", "document_number", "issued_on"]


class ProgramSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    numeral = serializers.CharField(read_only=True)
    lead_departments = DepartmentBriefSerializer(many=True, read_only=True)
    participant_departments = DepartmentBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = ["id", "year", "number", "numeral", "name", "objective", "lead_departments", "participant_departments"]


class ProgramBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "number", "name"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "quantity", "approximate", "description"]


class WorkItemSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="program.plan.year", read_only=True)
    program = ProgramBriefSerializer(read_only=True)
    code = serializers.CharField(read_only=True)
    departments = DepartmentBriefSerializer(source="responsible_departments", many=True, read_only=True)
    offices = serializers.SerializerMethodField()
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "year",
            "program",
            "number",
            "code",
            "title",
            "text",
            "departments",
            "office_scope",
            "office_condition",
            "offices",
            "targets",
        ]

    @extend_schema_field(ProvincialOfficeBriefSerializer(many=True))
    def get_offices(self, item) -> list[dict]:
        """The offices the circular makes take part, as the plan's structure says: every office for scope `all`
        (listed once per request by the view), else the offices it names or staff confirmed. (Who must report on
        what, period by period, is the reporting obligations': /api/v1/obligations/.) Plain dicts of
        `ProvincialOfficeBriefSerializer`'s fields: a serializer per item cost more than the query."""
        if item.office_scope == OfficeScope.ALL:
            return self.context["all_offices_data"]
        return [{"id": link.office.pk, "short_name": link.office.short_name} for link in item.office_links.all()]


class WorkItemBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = WorkItem
        fields = ["id", "code", "title"]


class ReportingPeriodSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    closes_on = serializers.DateField(read_only=True, allow_null=True)
    locked = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["id", "year", "label", "kind", "start", "end", "due", "closes_on", "locked"]

    @extend_schema_field(serializers.BooleanField())
    def get_locked(self, period) -> bool:
        """Closed to everyone today: past its closing day, and not reopened for everyone (a reopening for one
        organisation leaves it locked for the others)."""
        today = self.context.get("today")
        return today is not None and period.is_closed(today) and getattr(period, "reopened_until", None) is None
