"""Reports in the admin: readable by administrators, changed only through the services (the same workflow as the
API and the pages), with the audit trail shown by django-simple-history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from planpromo.exceptions import VersionConflict
from programs.models import PeriodReopening
from tracking import locks, permissions, services
from tracking.models import Attachment, Report, TargetValue


class TargetValueInline(admin.TabularInline):
    model = TargetValue
    extra = 0
    fields = ["target", "value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "size", "content_type", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, label, call):
    done = 0
    for report in queryset:
        try:
            call(report)
            done += 1
        except (ValidationError, PermissionDenied, VersionConflict) as exc:
            messages.error(request, f"{report}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
    if done:
        messages.success(request, f"{label}: {done} report(s).")


@admin.action(description="Submit selected reports")
def submit_reports(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "Submitted", lambda r: services.report_submit(report=r, user=request.user))


@admin.action(description="Accept selected reports")
def accept_reports(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "Accepted", lambda r: services.report_accept(report=r, user=request.user))


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "state", "status", "percent_complete", "submitted_at", "updated_at"]
    list_filter = ["state", "status", "period__plan", "period", "work_item__program", "office", "department"]
    search_fields = ["summary", "work_item__title", "office__short_name", "department__name"]
    list_select_related = ["work_item__program", "period", "office", "department"]
    readonly_fields = [
        "work_item",
        "period",
        "office",
        "department",
        *Report.EDITABLE_FIELDS,
        "created_by",
        *Report.WORKFLOW_FIELDS,
        "created_at",
        "updated_at",
    ]
    inlines = [TargetValueInline, AttachmentInline]
    actions = [submit_reports, accept_reports]
    history_list_display = ["state", "status", "percent_complete", "version"]

    # The permission module decides; the admin never writes a report except through the services' actions.
    def has_view_permission(self, request, obj=None):
        return permissions.is_administrator(request.user) and (
            obj is None or permissions.can_view_report(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return permissions.is_administrator(request.user)

    def save_model(self, request, obj, form, change):  # every field is read-only: nothing to save
        pass


class PeriodReopeningForm(forms.ModelForm):
    class Meta:
        model = PeriodReopening
        fields = ["period", "office", "department", "until", "reason"]

    def clean(self):
        cleaned = super().clean()
        errors = locks.reopening_errors(
            until=cleaned.get("until"),
            reason=cleaned.get("reason"),
            office=cleaned.get("office"),
            department=cleaned.get("department"),
        )
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(PeriodReopening)
class PeriodReopeningAdmin(SimpleHistoryAdmin):
    """Reopen a closed period for everyone or one organisation, until a date, with a reason: created through
    tracking.locks.period_reopen (validated, recorded with its history and in the audit log), never changed
    afterwards (a new reopening supersedes it; an expired one simply ends)."""

    list_display = ["period", "office", "department", "until", "reason", "created_by", "created_at"]
    list_filter = ["period__plan", "period"]
    list_select_related = ["period__plan", "office", "department", "created_by"]
    form = PeriodReopeningForm
    fields = ["period", "office", "department", "until", "reason"]
    autocomplete_fields = ["office", "department"]

    def has_change_permission(self, request, obj=None):
        return obj is None and permissions.is_administrator(request.user)

    def has_add_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)

    def has_module_permission(self, request):
        return permissions.is_administrator(request.user)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        # The form has checked what the service checks: the service saves it, with its history and audit record.
        reopening = locks.period_reopen(
            period=obj.period,
            user=request.user,
            until=obj.until,
            reason=obj.reason,
            office=obj.office,
            department=obj.department,
        )
        obj.pk = reopening.pk
