"""The API under /api/v1/: one router for every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from participants.api.auth import ApiTokenViewSet, ObtainTokenView
from participants.api.views import DepartmentViewSet, ProvincialOfficeViewSet
from programs.api.views import PlanViewSet, ProgramViewSet, ReportingPeriodViewSet, WorkItemViewSet
from tracking.api.spreadsheets import ReportImportView, ReportTemplateView
from tracking.api.stats import (
    OfficeStatsViewSet,
    ProgramStatsViewSet,
    ReportingRatesViewSet,
    TimelineViewSet,
    WorkItemStatsViewSet,
)
from tracking.api.views import NotificationViewSet, ObligationViewSet, ReportViewSet, TargetValueViewSet

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="auth-tokens")
router.register("plans", PlanViewSet)
router.register("departments", DepartmentViewSet)
router.register("offices", ProvincialOfficeViewSet)
router.register("programs", ProgramViewSet)
router.register("work-items", WorkItemViewSet)
router.register("periods", ReportingPeriodViewSet)
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
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    # Before the router's routes, whose updates/<pk>/ would take "template" for a report id.
    path("updates/template/", ReportTemplateView.as_view(), name="report-template"),
    path("updates/import/", ReportImportView.as_view(), name="report-import"),
    *router.urls,
]
