"""Clean refusals: a database outage becomes a 503 (not a 500 with a stack trace), and a sign-in lock-out says
plainly what happened and for how long."""

import logging
import sys

from axes.signals import user_locked_out
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_MESSAGE = "The service is briefly unavailable (its database cannot be reached). Please try again shortly."
RETRY_AFTER_SECONDS = 30
LOCKOUT_TEMPLATE = "registration/locked_out.html"  # context: message, minutes


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def database_unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, else the 503.html template if there is one, else plain text. Nothing
    here touches the database (no context processors, no request.user)."""
    if wants_json(request):
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable"}, status=503)
    else:
        try:
            body = loader.get_template("503.html").render({"message": UNAVAILABLE_MESSAGE})
            response = HttpResponse(body, status=503)
        except TemplateDoesNotExist:
            response = HttpResponse(UNAVAILABLE_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database connection failure raised by a view (or while rendering its response) into a 503.

    Django closes a connection that failed when the request ends, and CONN_HEALTH_CHECKS tests a reused one before
    the next request, which is how the app recovers by itself when the database is back. Failures raised by other
    middleware (the session saved on the way out) reach `server_error`, the project's handler500, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a 503 when the unhandled exception was the database going away, Django's 500 otherwise."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request, template_name)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: 429 with the reason and the wait, as JSON for the API, and for the
    sign-in pages as registration/locked_out.html if the templates have it, else as plain text."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins for this account from your address: signing in is locked for {minutes} minutes. "
        "Wait, then try again with the right password, or ask an administrator to unlock the account."
    )
    if wants_json(request):
        response = JsonResponse({"detail": message, "code": "locked_out", "retry_after_minutes": minutes}, status=429)
    else:
        try:  # the site's own page when it has one
            body = loader.get_template(LOCKOUT_TEMPLATE).render({"message": message, "minutes": minutes}, request)
            response = HttpResponse(body, status=429)
        except TemplateDoesNotExist:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(minutes * 60)
    return response


@receiver(user_locked_out, dispatch_uid="planpromo.middleware.lockout_through_drf")
def _lockout_through_drf(sender, request, **kwargs):
    """An API view passes DRF's Request to authenticate(), so django-axes flags that wrapper; AxesMiddleware looks
    at the HttpRequest inside it. Flag that one too, so the API gets the same 429 as the sign-in page."""
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)


class ApiLanguageMiddleware:
    """`?lang=zh-hans` on an API request: the language of the plan's content and of the messages, ahead of the
    Accept-Language header that LocaleMiddleware (which runs first) already applied. A language the site does not
    offer is a 400 that names the ones it does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.GET.get("lang") if request.path.startswith("/api/") else None
        if code is not None:
            languages = [language for language, _name in settings.LANGUAGES]
            if code.lower() not in languages:
                return JsonResponse(
                    {"lang": [f"Unknown language {code!r}: use one of {', '.join(languages)}."]}, status=400
                )
            translation.activate(code.lower())
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
