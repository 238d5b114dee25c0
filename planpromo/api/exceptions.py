"""The API's exception handler: every error is a JSON body, and the services' framework-neutral exceptions
(Django's ValidationError and PermissionDenied) become the matching DRF responses."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, IntegrityError):
        # A constraint caught a conflict that validation could not see (two writers racing): the client's
        # request conflicts with the current state, which is not a server error.
        exc = exceptions.ValidationError(
            {"non_field_errors": ["This conflicts with existing data (a database constraint refused it)."]}
        )
    return drf_exception_handler(exc, context)
