"""Filter backends and filters shared by every API list.

Filters never fail silently:
- `QueryParametersFilter` (first of DEFAULT_FILTER_BACKENDS) refuses a query parameter the view does not take, with
  a 400 naming those it takes, and a single-value parameter given twice. What a view takes is derived: its
  filterset's filters, `ordering` where it can be ordered, `page`/`page_size` where it is paged, `format`, the
  fields of its `query_serializer_class` (the statistics), and the names in its `extra_query_parameters` (a tuple of
  single-value names, or a dict {name: takes several values}) for a parameter a view reads itself.
- `ModelMultipleChoiceFilter` and `MultipleChoiceFilter` take several values both ways, `?office=1&office=2` and
  `?office=1,2`; `OrderingFilter` too.
- `IsoDateTimeFilter` says, when a date-time cannot be read, that a "+" must be sent as %2B.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from planpromo.numbers import as_id

# More values than any list of ids or states here has: `?office=1,2,...` with thousands of ids is refused.
MAX_VALUES = 200


def split_values(value) -> list[str]:
    """["1,2", "3"] → ["1", "2", "3"]; a single string (from a page's one-choice select) is a list of one."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    values = [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    if len(values) > MAX_VALUES:
        raise DjangoValidationError(_("At most %(limit)s values.") % {"limit": MAX_VALUES}, code="too_many")
    return values


class CommaSeparatedChoiceField(forms.MultipleChoiceField):
    """A multiple choice that also takes "a,b": `?state=missing,draft` means `?state=missing&state=draft`."""

    def to_python(self, value):
        return split_values(value)


class CommaSeparatedModelChoiceField(filter_fields.ModelMultipleChoiceField):
    """Objects by id, several as `?office=1&office=2` or `?office=1,2`."""

    def clean(self, value):
        values = split_values(value)
        # An id beyond a 64-bit integer is no object's: refused here, before a database driver overflows on it.
        if any(as_id(part.removeprefix("-")) is None for part in values):
            # params, not a formatted message: DRF formats the message again, and a "%" in the value breaks that.
            raise DjangoValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": values[0][:50]}
            )
        # No value: no filter (an empty list, which django-filter skips, rather than Django's empty queryset).
        return super().clean(values) if values else []


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaSeparatedChoiceField

    def __init__(self, *args, **kwargs):
        # distinct=False: a plain column filter cannot repeat a row, and DISTINCT over every column of the page (the
        # django-filter default for multiple choices) turned an index scan into a sort of the whole table.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """One or several objects by id: `field IN (...)`, one condition (not one OR per value)."""

    field_class = CommaSeparatedModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
        # The schema: an array of integer ids (drf-spectacular's override, read from the filter), with the label.
        label = kwargs.get("label")
        self._spectacular_annotation = {"field": {"type": "integer", **({"description": label} if label else {})}}

    def filter(self, qs, value):
        if not value:
            return qs
        if self.method is not None:  # pragma: no cover - django-filter calls the method instead
            return super().filter(qs, value)
        qs = qs.filter(**{f"{self.field_name}__in": value})
        return qs.distinct() if self.distinct else qs


class DateTimeHintField(filter_fields.IsoDateTimeField):
    # "%%": the message is %-formatted (with no parameters) before it is shown.
    default_error_messages = {
        "invalid": _(
            "Enter a valid date/time in ISO 8601, such as 2024-03-31T16:00:00Z or 2024-04-01T00:00:00%%2B08:00: "
            "encode a “+” as %%2B, or it arrives as a space."
        ),
        "out_of_range": _("Enter a time between the years 1 and 9999 in UTC."),
    }

    def to_python(self, value):
        parsed = super().to_python(value)
        # PostgreSQL takes offsets up to ±15:59 (the world's reach ±14:00), Python's up to ±23:59: beyond, a 400
        # here rather than the database's refusal (a 500). Found by the fuzzer.
        offset = parsed.utcoffset() if parsed is not None else None
        if offset is not None and abs(offset) > datetime.timedelta(hours=14):
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        try:
            # 0001-01-01T01:00+03:00 is valid ISO 8601, but in UTC (as the database is asked) it falls in year 0,
            # which datetime cannot hold: an OverflowError later. Found by the fuzzer.
            if parsed is not None and parsed.tzinfo is not None:
                parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise DjangoValidationError(self.error_messages["out_of_range"], code="out_of_range") from None
        return parsed


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = DateTimeHintField


def _is_multi(item) -> bool:
    return isinstance(item, django_filters.MultipleChoiceFilter | forms.MultipleChoiceField)


def allowed_parameters(request, view, queryset=None) -> dict[str, bool]:
    """The query parameters the view takes: {name: whether it takes several values}."""
    # `lang` (en, zh-hans) is every endpoint's: planpromo.middleware.ApiLanguageMiddleware reads it.
    allowed: dict[str, bool] = {"lang": False}
    if len(getattr(view, "renderer_classes", ())) > 1 and api_settings.URL_FORMAT_OVERRIDE:
        allowed[api_settings.URL_FORMAT_OVERRIDE] = False
    is_list = not getattr(view, "detail", False)
    paginator = getattr(view, "paginator", None) if is_list else None
    if paginator is not None:
        for name in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param"):
            if getattr(paginator, name, None):
                allowed[getattr(paginator, name)] = False
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, DjangoFilterBackend) and is_list:
            filterset_class = backend().get_filterset_class(view, queryset)
            if filterset_class is not None:
                allowed |= {name: _is_multi(item) for name, item in filterset_class.base_filters.items()}
        elif issubclass(backend, filters.OrderingFilter) and is_list:
            allowed[backend.ordering_param] = True
    query_serializer_class = getattr(view, "query_serializer_class", None)
    if query_serializer_class is not None:
        allowed |= {name: _is_multi(field) for name, field in query_serializer_class().fields.items()}
    extra = getattr(view, "extra_query_parameters", ())
    allowed |= dict(extra) if isinstance(extra, dict) else dict.fromkeys(extra, False)
    return allowed


def check_query_parameters(request, view, queryset=None) -> None:
    """400 for a query parameter the view does not take, or a single-value one given more than once."""
    allowed = allowed_parameters(request, view, queryset)
    errors = {}
    for name in request.query_params:
        if name not in allowed:
            errors[name] = [
                _("Unknown query parameter. This endpoint takes: %(names)s.")
                % {"names": ", ".join(sorted(allowed)) or "none"}
            ]
        elif not allowed[name] and len(request.query_params.getlist(name)) > 1:
            errors[name] = [_("Give this parameter once: it takes one value.")]
    if errors:
        raise ValidationError(errors)


class QueryParametersFilter(filters.BaseFilterBackend):
    """Refuses query parameters the view does not take (see check_query_parameters); filters nothing."""

    def filter_queryset(self, request, queryset, view):
        check_query_parameters(request, view, queryset if isinstance(queryset, QuerySet) else None)
        return queryset


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=title,-number`, over the view's `ordering_fields`.

    DRF drops a field it does not know and orders by the default, so a typo gives a plausible but wrong order; here
    it is a 400 naming the fields that can be used. The schema lists the valid values.

    `ordering_fields` may also be a dict from the name the API shows to the lookups (or expressions, sorted with
    nulls last) it orders by, so that the
    parameter uses the names of the serializer's fields: `{"year": "program__plan__year", "code": ("program__number",
    "number")}`. A viewset without `ordering_fields` can order by its serializer's model fields (DRF's default)."""

    def get_valid_fields(self, queryset, view, context=None):
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, dict):
            return [(name, name) for name in fields]
        return super().get_valid_fields(queryset, view, context or {})

    @staticmethod
    def lookups(view, term: str) -> list[str]:
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, dict):
            return [term]
        descending, name = term.startswith("-"), term.removeprefix("-")
        targets = fields[name]
        if isinstance(targets, str) or hasattr(targets, "resolve_expression"):
            targets = [targets]
        return [
            ("-" if descending else "") + target
            if isinstance(target, str)
            else (target.desc(nulls_last=True) if descending else target.asc(nulls_last=True))
            for target in targets
        ]

    def get_ordering(self, request, queryset, view):
        # Both forms: `ordering=a,b` and `ordering=a&ordering=b` (what generated clients send for an array).
        params = ",".join(request.query_params.getlist(self.ordering_param))
        if not isinstance(queryset, QuerySet):  # a list a view built itself: nothing the database can order
            if params:
                raise ValidationError({self.ordering_param: ["This list cannot be ordered."]})
            return None
        if params:
            terms = [term.strip() for term in params.split(",") if term.strip()]
            valid = self.valid_names(queryset, view, request)
            unknown = [term for term in terms if term.removeprefix("-") not in valid]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(repr(term) for term in unknown)}. "
                            f"Choose from: {', '.join(valid)} (prefix '-' for descending)."
                        ]
                    }
                )
            if terms:
                return [lookup for term in terms for lookup in self.lookups(view, term)]
        return self.get_default_ordering(view)

    def valid_names(self, queryset, view, request=None) -> list[str]:
        return [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]

    def get_schema_operation_parameters(self, view):
        queryset = getattr(view, "queryset", None)
        if queryset is None and getattr(view, "ordering_fields", None) in (None, "__all__"):
            return super().get_schema_operation_parameters(view)
        names = self.valid_names(queryset, view, getattr(view, "request", None))
        default = self.get_default_ordering(view)
        description = (
            "Order by these fields (the names of the response's fields), comma-separated or repeated; prefix `-` "
            "for descending."
        )
        if default:
            description += f" Default: `{','.join(default)}`."
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "array", "items": {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]}},
                "style": "form",
                "explode": False,
            }
        ]
