"""The API's exception handler: every error is a JSON body, and the services' framework-neutral exceptions
(Django's ValidationError and PermissionDenied) become the matching DRF responses."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from planpromo.exceptions import VersionConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "version_conflict"


class PeriodClosed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "period_locked"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def exception_handler(exc, context):
    if isinstance(exc, VersionConflict):
        exc = (PreconditionFailed if exc.via_if_match else Conflict)(detail=str(exc))
    elif getattr(exc, "code", None) == "period_locked" and isinstance(exc, DjangoValidationError):
        # tracking.locks.PeriodLocked: the request is valid, but the period is closed (409, not 400).
        exc = PeriodClosed(detail=exc.messages[0])
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, IntegrityError):
        # A constraint caught a conflict that validation could not see (two writers racing): the client's
        # request conflicts with the current state, which is not a server error.
        exc = exceptions.ValidationError(
            {"non_field_errors": ["This conflicts with existing data (a database constraint refused it)."]}
        )
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None and exc.wait is not None:
        # DRF says it in words and in the Retry-After header; a script reads the number here.
        response.data["retry_after"] = int(exc.wait)
    return response
