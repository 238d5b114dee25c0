"""The API under /api/v1/: each app's api/urls.py, included by name (the base layer imports no app), and the API
root that lists every app's routes."""

from django.urls import include, path
from rest_framework.routers import APIRootView
from rest_framework.urlpatterns import format_suffix_patterns

# participants, then programs, then tracking: the order of the apps' layers (and of the API root's entries).
APP_API_URLS = [include(f"{app}.api.urls") for app in ("participants", "programs", "tracking")]

# What DefaultRouter's own root view would list, over every app's router: {prefix: "<basename>-list"}.
API_ROOT = {
    prefix: f"{basename}-list"
    for urlconf_module, _app_name, _namespace in APP_API_URLS
    for prefix, _viewset, basename in urlconf_module.router.registry
}

urlpatterns = [
    *format_suffix_patterns([path("", APIRootView.as_view(api_root_dict=API_ROOT), name="api-root")]),
    *(path("", app_urls) for app_urls in APP_API_URLS),
]
