"""Pages of the tracking app, namespace "tracking": the report workflow, the progress pages (dashboards, matrix,
summaries) and the notifications. The progress pages serve the URLs the plan-structure pages had
(/plans/<year>/..., /offices/<name>/, /departments/<pk>/): tracking.urls is included before programs.urls."""

from django.urls import path, register_converter

from programs.converters import WorkItemCodeConverter
from tracking.views import (
    compare,
    completeness,
    duties,
    matrix,
    my_work,
    notifications,
    progress,
    report_form,
    report_import,
    reports,
    review,
    summary,
)
from tracking.views.base import current_plan_redirect

register_converter(WorkItemCodeConverter, "workitem_code")

app_name = "tracking"

urlpatterns = [
    # The report workflow.
    path("my-work/", my_work.MyWorkView.as_view(), name="my_work"),
    path("reports/", reports.ReportListView.as_view(), name="report_list"),
    path("reports/import/", report_import.ReportImportView.as_view(), name="report_import"),
    path("reports/new/", report_form.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", report_form.ReportEditView.as_view(), name="report_edit"),
    path("reports/<int:pk>/submit/", report_form.ReportSubmitView.as_view(), name="report_submit"),
    path("reports/<int:pk>/accept/", review.ReviewActionView.as_view(action="accept"), name="report_accept"),
    path("reports/<int:pk>/return/", review.ReviewActionView.as_view(action="return"), name="report_return"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/remove/",
        report_form.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path("review/", review.ReviewQueueView.as_view(), name="review_queue"),
    # Progress pages.
    path("matrix/", current_plan_redirect("tracking:matrix"), name="matrix_current"),
    path("summary/", current_plan_redirect("tracking:annual_summary"), name="summary_current"),
    path("plans/<int:year>/", progress.DashboardView.as_view(), name="dashboard"),
    path("plans/<int:year>/matrix/", matrix.MatrixView.as_view(), name="matrix"),
    path("plans/<int:year>/completeness/", completeness.CompletenessView.as_view(), name="completeness"),
    path("plans/<int:year>/compare/", compare.CompareView.as_view(), name="compare"),
    path("completeness/", current_plan_redirect("tracking:completeness"), name="completeness_current"),
    path("plans/<int:year>/programs/<int:number>/", progress.ProgramProgressView.as_view(), name="program_detail"),
    path(
        "plans/<int:year>/items/<workitem_code:code>/", progress.WorkItemProgressView.as_view(), name="workitem_detail"
    ),
    path("offices/<str:short_name>/", duties.OfficeProgressView.as_view(), name="office_detail"),
    path("departments/<int:pk>/", duties.DepartmentProgressView.as_view(), name="department_detail"),
    path("reports/<int:year>/summary/", summary.AnnualSummaryView.as_view(), name="annual_summary"),
    path("reports/<int:year>/summary.pdf", summary.AnnualSummaryPdfView.as_view(), name="annual_summary_pdf"),
    # Notifications.
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", notifications.NotificationReadView.as_view(), name="notification_read"),
]
