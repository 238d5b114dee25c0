"""Pages of the tracking app, namespace "tracking": the report workflow (urls_reports) and the progress pages
(urls_pages: dashboards, matrix, summaries)."""

from django.urls import include, path, register_converter

from programs.converters import WorkItemCodeConverter

register_converter(WorkItemCodeConverter, "workitem_code")

app_name = "tracking"

urlpatterns = [
    path("", include("tracking.urls_reports")),
    path("", include("tracking.urls_pages")),
    path("", include("tracking.urls_notifications")),
]
