"""The OpenAPI schema (drf-spectacular): the error responses every operation can give, and the file formats.

`AutoSchema` is the project's DEFAULT_SCHEMA_CLASS, so an endpoint added later is documented with these without
doing anything: 400 where it takes filters, query parameters or a body, 401/403 where it needs a signed-in user, 404
where its path names an object or it is a paged list, 429 where it is throttled; and its `format` parameter and
CSV/XLSX responses say what a file is.
"""

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers

from planpromo.api.filters import QueryParametersFilter


class ApiTokenScheme(KnoxTokenScheme):
    """Our knox authentication (it says when a token expired) is documented as knox's: `Authorization: Token`."""

    target_class = "participants.api.authentication.TokenAuthentication"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class ThrottledSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait before the next request (as `Retry-After`).")


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "For each field, query parameter or `non_field_errors`, the messages saying what is wrong (for a list of "
        "objects, such as `target_values`, one object of messages per element); or `detail` alone, a string, when "
        "the body cannot be read at all (malformed JSON) or the sign-in fails. A query parameter named `detail` is "
        "refused as any unknown one is: a list of messages under its name."
    ),
    # `?detail=x` is an unknown parameter, whose messages are a list under its name (tests/fuzz found it).
    "properties": {"detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ]
    },
}

ERROR_RESPONSES = {
    "400": OpenApiResponse(
        VALIDATION_ERROR_SCHEMA,
        description="Invalid input: an unknown query parameter, a single-value parameter given twice, or a filter, "
        "`ordering` or body field with a value that cannot be used.",
        examples=[
            OpenApiExample(
                "Unknown filter value",
                value={"office": ["Select a valid choice. That choice is not one of the available choices."]},
            ),
            OpenApiExample(
                "Unknown query parameter",
                value={"ofice": ["Unknown query parameter. This endpoint takes: format, office, ordering, page."]},
            ),
            OpenApiExample(
                "Unknown ordering field",
                value={"ordering": ["Cannot order by 'size'. Choose from: id, title (prefix '-' for descending)."]},
            ),
        ],
    ),
    "401": OpenApiResponse(
        ErrorSerializer,
        description="Not signed in: send `Authorization: Token <key>` (or use a signed-in browser session).",
        examples=[
            OpenApiExample("No credentials", value={"detail": "Authentication credentials were not provided."}),
            OpenApiExample("Revoked or expired token", value={"detail": "Invalid token."}),
        ],
    ),
    "403": OpenApiResponse(
        ErrorSerializer,
        description="Signed in, but this user's role does not allow the request.",
        examples=[
            OpenApiExample("Not allowed", value={"detail": "You do not have permission to perform this action."})
        ],
    ),
    "404": OpenApiResponse(
        ErrorSerializer,
        description="No such object, or not one this user can see (or a page past the last, or an unknown `format`).",
        examples=[OpenApiExample("Not found", value={"detail": "No object matches the given query."})],
    ),
    "415": OpenApiResponse(
        ErrorSerializer,
        description="The body is not of a media type this operation reads (see its request body).",
        examples=[OpenApiExample("Unsupported", value={"detail": 'Unsupported media type "text/plain" in request.'})],
    ),
    "429": OpenApiResponse(
        ThrottledSerializer,
        description="Too many requests: wait the number of seconds in `Retry-After`, then try again.",
        examples=[
            OpenApiExample(
                "Throttled",
                value={"detail": "Request was throttled. Expected available in 37 seconds.", "retry_after": 37},
            )
        ],
    ),
}

RETRY_AFTER_HEADER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before the next request."}
}

EXPORT_SCHEMAS = {
    "text/csv": {"type": "string", "description": "CSV in UTF-8 with a byte-order mark; a header row first."},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "type": "string",
        "format": "binary",
        "description": "An Excel workbook with one sheet; a header row first.",
    },
}

UNSAFE_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(openapi.AutoSchema):
    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "The response format: `json` (the default), or a file, `csv` (UTF-8 with a byte-order mark, for "
                "Excel) or `xlsx`. A list as a file holds every row matching the filters, in the requested "
                "order, not one page; nested fields become columns such as `program.number`, lists are joined "
                'with "; ".'
            )
        return parameters

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        for media_type, content in response.get("content", {}).items():
            if media_type in EXPORT_SCHEMAS:
                content.clear()
                content["schema"] = dict(EXPORT_SCHEMAS[media_type])
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ERROR_RESPONSES[code], code, ["application/json"], direction
                )
                if code == "429":
                    responses[code]["headers"] = dict(RETRY_AFTER_HEADER)
        return responses

    def error_codes(self) -> list[str]:
        codes = []
        takes_query = any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )
        # An unknown query parameter is a 400 wherever planpromo.api.filters.QueryParametersFilter checks them.
        checks_query = any(
            issubclass(backend, QueryParametersFilter) for backend in getattr(self.view, "filter_backends", ())
        )
        if (
            self.method in UNSAFE_METHODS
            or checks_query
            or (self._is_list_view() and (self.get_filter_backends() or takes_query))
        ):
            codes.append("400")
        if any(not isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        # A page number past the last page is a 404 too (DRF's paginator: "Invalid page."), and so is an unknown
        # `format` wherever the format can be chosen (DRF's content negotiation).
        paged = self.method == "GET" and self._is_list_view() and self._get_paginator()
        if "{" in self.path or paged or self._get_format_parameters():
            codes.append("404")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.append("415")  # a body of a media type the operation's parsers do not read (found by the fuzzer)
        if self.view.get_throttles():
            codes.append("429")
        return codes
