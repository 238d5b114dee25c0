"""The plan's API under /api/v1/ (included by planpromo/api/urls.py): plans, programs, work items, periods."""

from rest_framework.routers import DefaultRouter

from programs.api.views import PlanViewSet, ProgramViewSet, ReportingPeriodViewSet, WorkItemViewSet

router = DefaultRouter()
router.include_root_view = False  # the API root (planpromo/api/urls.py) lists every app's routes
router.register("plans", PlanViewSet)
router.register("programs", ProgramViewSet)
router.register("work-items", WorkItemViewSet)
router.register("periods", ReportingPeriodViewSet)

urlpatterns = router.urls
