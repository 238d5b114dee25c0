"""Filter backends shared by every API list."""

from django.db.models import QuerySet
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=title,-number`, over the view's `ordering_fields`.

    DRF drops a field it does not know and orders by the default, so a typo gives a plausible but wrong order; here
    it is a 400 naming the fields that can be used. The schema lists the valid values.

    `ordering_fields` may also be a dict from the name the API shows to the lookups it orders by, so that the
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
        return [("-" if descending else "") + lookup for lookup in ([targets] if isinstance(targets, str) else targets)]

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
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
        description = "Order by these fields, comma-separated; prefix `-` for descending."
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
