"""The interactive API docs at /api/docs/ (Swagger UI) and /api/redoc/ (Redoc), served from this origin.

drf-spectacular-sidecar ships both as static files. The pages here are drf-spectacular's, without what its
templates bring that the Content-Security-Policy refuses: inline script and style, and Redoc's web fonts from Google.
Swagger UI's setup script comes from the same URL with `?script` (drf-spectacular's "split" view).
"""

from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.templatetags.static import static
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

SWAGGER_PAGE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="{{ favicon_href }}">
<link rel="stylesheet" href="{{ swagger_ui_css }}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{ swagger_ui_bundle }}"></script>
<script src="{{ swagger_ui_standalone }}"></script>
<script src="{{ script_url }}"></script>
</body>
</html>
"""
)

REDOC_PAGE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="{{ favicon_href }}">
</head>
<body>
<redoc spec-url="{{ schema_url }}" disable-search></redoc>
<script src="{{ redoc_standalone }}"></script>
</body>
</html>
"""
)


class SwaggerView(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            return response
        return HttpResponse(SWAGGER_PAGE.render(response.data, request))


# Redoc styles its page by inserting <style> elements (styled-components): on this page only, inline style (never
# inline script) is allowed, or it renders unstyled with a console error per rule. Its search runs in a worker made
# from a blob, which the policy refuses: the page goes without search (`disable-search`) rather than allow that.
REDOC_POLICY = {
    **settings.CONTENT_SECURITY_POLICY,
    "style-src": [*settings.CONTENT_SECURITY_POLICY["style-src"], "'unsafe-inline'"],
}


class RedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = self.redoc_page(request)
        response._csp_config = REDOC_POLICY  # what django.views.decorators.csp.csp_override sets
        response._csp_ro_config = REDOC_POLICY
        return response

    def redoc_page(self, request):
        context = {
            "title": self.title,
            "redoc_standalone": self._redoc_standalone(),
            "schema_url": self._get_schema_url(request),
            "favicon_href": static("img/favicon.svg"),
        }
        return HttpResponse(REDOC_PAGE.render(context, request))
