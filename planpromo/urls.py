from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from planpromo import health
from planpromo.api.docs import RedocView, SwaggerView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("planpromo.api.urls")),
    path("reports/", include("tracking.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

# A database outage raised outside a view (e.g. by the session middleware) is a 503 too, not a 500.
handler500 = "planpromo.middleware.server_error"
