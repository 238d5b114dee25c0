"""`/api/v1/obligations/`: who must report what, by when, and where each stands (tracking.selectors)."""

from functools import cached_property

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from planpromo.api.pagination import SyncPageNumberPagination
from planpromo.numbers import as_id
from tracking import asof, selectors
from tracking.api import lean
from tracking.api.conditional import (
    ObligationConditionalMixin,
)
from tracking.api.serializers import (
    ObligationSerializer,
)
from tracking.api.stats import AS_OF, AsOfQuerySerializer
from tracking.filtersets import ObligationFilterSet


@extend_schema_view(list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF]))
class ObligationViewSet(ObligationConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Reporting obligations: one per work item, reporting organisation and period that must report, with its due
    date and where it stands. "Who has not reported on Program VII this quarter?" is
    `?program=<id>&period=<id>&state=missing,draft,returned` (or `overdue=true` once past due).

    Every obligation is listed to every user with a role; the report's id, state and submission time only to
    those who may read the report (otherwise the state is `missing`)."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    pagination_class = SyncPageNumberPagination
    ordering_fields = {"due": ("due", "id"), "id": "id"}
    export_name = "obligations"
    extra_query_parameters = ("as_of",)  # read by get_queryset (tracking.asof)

    def as_of(self):
        """The `as_of` date, or None; a 400 on the field when it cannot be used."""
        if not hasattr(self, "_as_of"):
            query = AsOfQuerySerializer(data=self.request.query_params if self.request else {})
            query.is_valid(raise_exception=True)
            self._as_of = query.validated_data.get("as_of")
        return self._as_of

    def get_queryset(self):
        day = self.as_of()
        return selectors.obligations_visible_to(
            user=self.request.user, period_ids=self.period_ids, as_of=asof.end_of_day(day) if day else None
        ).order_by("due", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self.as_of()}

    def list(self, request, *args, **kwargs):
        if getattr(getattr(request, "accepted_renderer", None), "format", None) != "json":
            return super().list(request, *args, **kwargs)  # files and the browsable API: the serializer
        page = self.paginate_queryset(lean.obligation_values(self.filtered_list()))
        today = self.as_of() or timezone.localdate()
        return lean.json_response(self.get_paginated_response(lean.obligation_rows(page, today=today)))

    @cached_property
    def period_ids(self):
        return self.selected_period_ids()

    def selected_period_ids(self):
        """The periods the `year` and `period` parameters narrow the list to, when they are valid: the reports are
        then joined through those periods only (tracking.selectors.obligations_visible_to)."""
        if getattr(self, "swagger_fake_view", False):
            return None
        params = self.request.query_params
        given_year = params.get("year", "")
        year = as_id(given_year)
        periods = [as_id(value) for given in params.getlist("period") for value in given.split(",") if value]
        if (given_year and year is None) or None in periods:
            return None  # the filters answer: a 400 for a period, no rows for a year
        return selectors.period_ids_of(year=year, periods=periods)
