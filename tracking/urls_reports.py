"""Report workflow pages: my work, report form, review queue, reports list."""

from django.urls import path

from tracking import spreadsheet_views, views

urlpatterns = [
    path("my-work/", views.MyWorkView.as_view(), name="my_work"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/import/", spreadsheet_views.ReportImportView.as_view(), name="report_import"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="report_edit"),
    path("reports/<int:pk>/submit/", views.ReportSubmitView.as_view(), name="report_submit"),
    path("reports/<int:pk>/accept/", views.ReviewActionView.as_view(action="accept"), name="report_accept"),
    path("reports/<int:pk>/return/", views.ReviewActionView.as_view(action="return"), name="report_return"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/remove/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
]
