"""The reports' API under /api/v1/ (included by planpromo/api/urls.py): updates, obligations, notifications,
target values, statistics, the spreadsheet template and import."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from tracking.api.notifications import NotificationViewSet
from tracking.api.obligations import ObligationViewSet
from tracking.api.spreadsheets import ReportImportView, ReportTemplateView
from tracking.api.stats import (
    OfficeStatsViewSet,
    ProgramStatsViewSet,
    ReportingRatesViewSet,
    TimelineViewSet,
    WorkItemStatsViewSet,
)
from tracking.api.views import ReportViewSet, TargetValueViewSet

router = DefaultRouter()
router.include_root_view = False  # the API root (planpromo/api/urls.py) lists every app's routes
router.register("updates", ReportViewSet, basename="report")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("target-values", TargetValueViewSet, basename="target-value")
router.register("stats/programs", ProgramStatsViewSet, basename="stats-programs")
router.register("stats/offices", OfficeStatsViewSet, basename="stats-offices")
router.register("stats/work-items", WorkItemStatsViewSet, basename="stats-work-items")
router.register("stats/timeline", TimelineViewSet, basename="stats-timeline")
router.register("stats/reporting-rates", ReportingRatesViewSet, basename="stats-reporting-rates")

urlpatterns = [
    # Before the router's routes, whose updates/<pk>/ would take "template" for a report id.
    path("updates/template/", ReportTemplateView.as_view(), name="report-template"),
    path("updates/import/", ReportImportView.as_view(), name="report-import"),
    *router.urls,
]
