from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participants.api.serializers import DepartmentBriefSerializer, ProvincialOfficeBriefSerializer
from participants.models import Department, ProvincialOffice
from programs.api.serializers import WorkItemBriefSerializer
from programs.models import ReportingPeriod, WorkItem
from tracking.choices import PUBLISHED_STATES
from tracking.models import Attachment, Notification, Obligation, Report, TargetValue
from tracking.selectors import OBLIGATION_STATES

# A report or obligation: who reports (an office or a department) on what, for when.
WHO_WHAT_WHEN = ["id", "work_item", "office", "department", "period"]


class PeriodBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "label"]


class TargetValueSerializer(serializers.ModelSerializer):
    target = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = TargetValue
        fields = ["target", "value"]


MAX_TARGET_VALUES = 100


class TargetValueInputSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    value = serializers.IntegerField(min_value=0, max_value=2_000_000_000)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "url"]

    def get_url(self, attachment) -> str:
        path = reverse("report-attachment", args=[attachment.report_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportSerializer(serializers.ModelSerializer):
    """A report as read."""

    work_item = WorkItemBriefSerializer(read_only=True)
    office = ProvincialOfficeBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    period = PeriodBriefSerializer(read_only=True)
    target_values = TargetValueSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = [
            *WHO_WHAT_WHEN,
            *Report.EDITABLE_FIELDS,
            "target_values",
            "attachments",
            *Report.WORKFLOW_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VersionSerializer(serializers.Serializer):
    """The version of the report the client read (optimistic locking), unless it sends If-Match."""

    version = serializers.IntegerField(required=False, min_value=1)


class ReportWriteSerializer(VersionSerializer, serializers.ModelSerializer):
    """A report as written: create (work_item and period required) or PATCH (version required, or If-Match). The
    editable fields are the model's (Report.EDITABLE_FIELDS), with its limits.

    Field validation lives here; the rules that need the database (participation, rights, duplicates, the
    period's plan) live in tracking.services, whose errors come back as 400/403 with the same shape."""

    work_item = serializers.PrimaryKeyRelatedField(queryset=WorkItem.objects.select_related("program"), required=False)
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all(), required=False)
    office = serializers.PrimaryKeyRelatedField(
        queryset=ProvincialOffice.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    # Far more than any work item has targets (the service checks the item's own count): a list of 160,000 entries
    # is refused before any of them is validated.
    target_values = TargetValueInputSerializer(many=True, required=False, max_length=MAX_TARGET_VALUES)

    class Meta:
        model = Report
        fields = ["work_item", "period", "office", "department", *Report.EDITABLE_FIELDS, "target_values", "version"]
        extra_kwargs = {name: {"required": False} for name in Report.EDITABLE_FIELDS}  # a PATCH sends what changes
        validators = []  # one report per organisation, item and period: the service's check, with its message

    def validate(self, attrs):
        creating = self.instance is None
        if creating:
            missing = [name for name in ("work_item", "period", "summary") if name not in attrs]
            if missing:
                raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        else:
            fixed = [name for name in ("work_item", "period", "office", "department") if name in attrs]
            if fixed:
                raise serializers.ValidationError({name: ["This field cannot be changed."] for name in fixed})
        return attrs


class ReviewCommentSerializer(VersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class ReturnSerializer(VersionSerializer):
    comment = serializers.CharField()


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class HistoryEntrySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    transition = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class ObligationSerializer(serializers.ModelSerializer):
    """An obligation as read (from tracking.selectors.obligations_visible_to): the report's fields only where the
    reader may see the report; `state` is "missing" otherwise."""

    work_item = WorkItemBriefSerializer(read_only=True)
    office = ProvincialOfficeBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    period = PeriodBriefSerializer(read_only=True)
    report = serializers.SerializerMethodField(help_text="The report's id, once there is one the reader may see.")
    state = serializers.ChoiceField(
        source="visible_state", choices=OBLIGATION_STATES, read_only=True, help_text="The report's state, or missing."
    )
    first_submitted_at = serializers.SerializerMethodField()
    on_time = serializers.SerializerMethodField(
        help_text="Received and first submitted by the due date; null while not received."
    )
    overdue = serializers.SerializerMethodField(help_text="Past the due date and not received.")

    class Meta:
        model = Obligation
        fields = [
            *WHO_WHAT_WHEN,
            "due",
            "report",
            "state",
            "first_submitted_at",
            "on_time",
            "overdue",
        ]
        read_only_fields = fields

    def get_report(self, obligation) -> int | None:
        return obligation.report_id if obligation.report_visible else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_first_submitted_at(self, obligation):
        if not obligation.report_visible or obligation.report_first_submitted_at is None:
            return None
        return serializers.DateTimeField().to_representation(obligation.report_first_submitted_at)

    def get_on_time(self, obligation) -> bool | None:
        if obligation.visible_state not in PUBLISHED_STATES:
            return None
        return timezone.localdate(obligation.report_first_submitted_at) <= obligation.due

    def get_overdue(self, obligation) -> bool:
        today = self.context.get("as_of") or timezone.localdate()  # overdue as of the view's `as_of` date
        return obligation.visible_state not in PUBLISHED_STATES and obligation.due < today


class NotificationSerializer(serializers.ModelSerializer):
    """A notification with its subject and text in the request's language and the link to the page that acts."""

    subject = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "text", "url", "report", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def _rendered(self, notification) -> tuple[str, str]:
        from tracking.notifications import render

        cache = self.context.setdefault("rendered", {})
        if notification.pk not in cache:
            cache[notification.pk] = render(notification)
        return cache[notification.pk]

    def get_subject(self, notification) -> str:
        return self._rendered(notification)[0]

    def get_text(self, notification) -> str:
        return self._rendered(notification)[1]

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class TargetValueRowSerializer(serializers.ModelSerializer):
    """One report's value for one target, flat, ready for a pivot table: what was counted, by whom, when, against
    which figure of the circular, and where the report stands."""

    report = serializers.IntegerField(source="report_id")
    year = serializers.IntegerField(source="report.work_item.program.plan.year")
    item_code = serializers.CharField(source="report.work_item.code", help_text='The work item\'s code ("IV.2").')
    work_item = serializers.IntegerField(source="report.work_item_id")
    program_number = serializers.IntegerField(source="report.work_item.program.number")
    office = serializers.IntegerField(source="report.office_id", allow_null=True)
    department = serializers.IntegerField(source="report.department_id", allow_null=True)
    organisation = serializers.SerializerMethodField(help_text="The office's short name or the department's name.")
    period = serializers.IntegerField(source="report.period_id")
    period_label = serializers.CharField(source="report.period.label")
    target = serializers.IntegerField(source="target_id")
    target_position = serializers.IntegerField(source="target.position")
    target_description = serializers.CharField(
        source="target.description", help_text="What is counted: the target's unit and subject."
    )
    target_quantity = serializers.IntegerField(source="target.quantity", help_text="The circular's figure.")
    target_approximate = serializers.BooleanField(source="target.approximate", help_text='The circular says "about".')
    state = serializers.CharField(source="report.state")
    status = serializers.CharField(source="report.status")
    updated_at = serializers.DateTimeField(source="report.updated_at", help_text="When the report last changed.")

    class Meta:
        model = TargetValue
        fields = [
            "id",
            "report",
            "year",
            "item_code",
            "work_item",
            "program_number",
            "office",
            "department",
            "organisation",
            "period",
            "period_label",
            "target",
            "target_position",
            "target_description",
            "target_quantity",
            "target_approximate",
            "value",
            "state",
            "status",
            "updated_at",
        ]
        read_only_fields = fields

    def get_organisation(self, value) -> str:
        report = value.report
        return report.office.short_name if report.office_id else report.department.name
