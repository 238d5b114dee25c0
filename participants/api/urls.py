"""The participants' API under /api/v1/ (included by planpromo/api/urls.py): tokens, departments, offices."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from participants.api.auth import ApiTokenViewSet, ObtainTokenView
from participants.api.views import DepartmentViewSet, ProvincialOfficeViewSet

router = DefaultRouter()
router.include_root_view = False  # the API root (planpromo/api/urls.py) lists every app's routes
router.register("auth/tokens", ApiTokenViewSet, basename="auth-tokens")
router.register("departments", DepartmentViewSet)
router.register("offices", ProvincialOfficeViewSet)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
