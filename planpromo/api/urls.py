"""The API under /api/v1/: one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from participants.api.views import DepartmentViewSet, ProvincialOfficeViewSet
from programs.api.views import PlanViewSet, ProgramViewSet, ReportingPeriodViewSet, WorkItemViewSet

router = DefaultRouter()
router.register("plans", PlanViewSet)
router.register("departments", DepartmentViewSet)
router.register("offices", ProvincialOfficeViewSet)
router.register("programs", ProgramViewSet)
router.register("work-items", WorkItemViewSet)
router.register("periods", ReportingPeriodViewSet)

urlpatterns = router.urls
