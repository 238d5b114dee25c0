from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from planpromo import health
from planpromo.api.docs import RedocView, SwaggerView
from planpromo.views import LoginView, LogoutView, PasswordChangeView, role_not_required
from tracking.views.my_work import home  # the root URL's name stays "home", outside the apps' namespaces

admin.site.site_header = _("Plan Tracker administration")
admin.site.site_title = _("Plan Tracker administration")
admin.site.index_title = _("Plans, participants and reports")


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages without an icon link (JSON, files): the site's icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")  # at request time: the hashed name of the manifest in production


urlpatterns = [
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("planpromo.api.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", role_not_required(LogoutView.as_view()), name="logout"),
    path("accounts/password/", role_not_required(PasswordChangeView.as_view()), name="password_change"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("account/", include("participants.urls")),
    path("", include("tracking.urls")),
    path("", include("programs.urls")),
    path("", home, name="home"),
]

# A database outage raised outside a view (e.g. by the session middleware) is a 503 too, not a 500.
handler500 = "planpromo.middleware.server_error"
# An unknown URL under /api/ is answered in JSON, as the API answers.
handler404 = "planpromo.middleware.page_not_found"
