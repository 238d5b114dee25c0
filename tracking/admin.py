"""Reports in the admin: readable by administrators, changed only through the services (the same workflow as the
API and the pages), with the audit trail shown by django-simple-history."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from planpromo.exceptions import VersionConflict
from tracking import permissions, services
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
        "status",
        "percent_complete",
        "summary",
        "achievements",
        "problems",
        "next_steps",
        "state",
        "created_by",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "version",
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
