"""Clean refusals: a body too large is a 413 before it is read, a database outage becomes a 503 (not a 500 with a
stack trace), a deadlock is retried once and then explained, a sign-in lock-out says plainly what happened and for
how long, and an unknown API URL is a JSON 404."""

import logging
import sys

from axes.signals import user_locked_out
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_MESSAGE = "The service is briefly unavailable (its database cannot be reached). Please try again shortly."
RETRY_AFTER_SECONDS = 30
LOCKOUT_TEMPLATE = "registration/locked_out.html"  # context: message, minutes


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def refusal(request, status: int, message: str, code: str) -> HttpResponse:
    """A short refusal: JSON ({detail, code}) for the API, plain text otherwise. Renders no template and touches
    neither the session nor the database."""
    if wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """First middleware: a request announcing a body larger than REQUEST_MAX_BYTES (an attachment at its limit plus
    the form around it) is answered 413 before anything reads the body. Without it, the CSRF check read a 500 MB
    anonymous POST into the temporary directory before refusing it. A body without Content-Length is not read by
    Django at all; the proxy in front refuses larger ones too (README: client_max_body_size)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, 400, "Content-Length is not a number.", "bad_content_length")
        if length > settings.REQUEST_MAX_BYTES:
            response = refusal(
                request,
                413,
                f"The request is too large ({length} bytes; the limit is {settings.REQUEST_MAX_BYTES} bytes).",
                "request_too_large",
            )
            response["Connection"] = "close"  # the unread body must not be taken for the next request
            return response
        return self.get_response(request)


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


def is_transient(exception) -> bool:
    """A deadlock or serialization failure: the database refused one transaction to let another finish; the same
    request, tried again, normally succeeds. (PostgreSQL's SQLSTATE class 40, as psycopg reports it.)"""
    cause = getattr(exception, "__cause__", None)
    sqlstate = getattr(cause, "sqlstate", None) or ""
    return isinstance(exception, OperationalError) and sqlstate.startswith("40")


class DatabaseUnavailableMiddleware:
    """Turns a database connection failure raised by a view (or while rendering its response) into a 503, and a
    deadlock or serialization failure into one retry of the view, then a 503 that says the database was busy.

    Django closes a connection that failed when the request ends, and CONN_HEALTH_CHECKS tests a reused one before
    the next request, which is how the app recovers by itself when the database is back. Failures raised by other
    middleware (the session saved on the way out) reach `server_error`, the project's handler500, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_transient(exception):
            if not getattr(request, "_planpromo_retried", False):
                # The failed transaction was rolled back whole; the services are atomic, so running the view again
                # repeats nothing that was kept.
                request._planpromo_retried = True
                logger.warning(
                    "transaction conflict, retrying once: %s %s: %s", request.method, request.path, exception
                )
                return self.get_response(request)
            logger.error("transaction conflict after a retry: %s %s: %s", request.method, request.path, exception)
            response = refusal(
                request,
                503,
                _("The database was busy with a conflicting change and nothing was saved. Please try again."),
                "transaction_conflict",
            )
            response["Retry-After"] = "1"
            return response
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


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    """handler404: JSON under /api/ (an unknown API URL is answered as the API answers), the site's page else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception, template_name)


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
