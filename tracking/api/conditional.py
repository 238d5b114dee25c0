"""What the tracking API's bodies depend on, for their ETags (planpromo.api.conditional answers the 304s).

Each tag is one aggregate query at most, never the body: for a list of reports, obligations or target values,
`max(updated_at)` and `count(*)` of the filtered set the user may see (a report's every change, attachments
included, moves its `updated_at`; reports are never deleted, and a row that leaves the set changes the count),
with the plan structure's version (the bodies hold work item titles, office and department names) and the user's
visibility scope. The statistics depend on every report (`max(updated_at)` over the index), the structure (and the
obligations made from it) and the day (overdue counts).

Lists get no Last-Modified: a row leaving a filtered set can make it older, which If-Modified-Since would miss.
A report's detail keeps the tag its If-Match uses ("<id>-<version>", tracking.api.views.etag_for), with its
`updated_at` as Last-Modified.
"""

from __future__ import annotations

from django.db.models import Count, Max
from django.utils import timezone

from planpromo.api.conditional import ConditionalViewMixin, VersionedCacheMixin
from planpromo.conditional import PLAN_STRUCTURE, version
from planpromo.numbers import as_id
from tracking import permissions
from tracking.models import Report


def reports_latest_change() -> tuple:
    """Every report's latest change and the newest report (should two share a time): two index lookups, for the
    tags of what depends on all reports (the statistics, the progress pages)."""
    latest = Report.objects.order_by().aggregate(last=Max("updated_at"), newest=Max("pk"))
    return latest["last"], latest["newest"]


def visibility_scope(user) -> tuple:
    """What decides which reports a user may read (tracking.selectors.report_visibility_q)."""
    return (permissions.role_of(user), permissions.user_office_id(user), permissions.user_department_id(user))


class FilteredListConditionalMixin(ConditionalViewMixin):
    """Lists (and details) of rows the user may see: `max(<updated_field>)` and `count(*)` of the filtered set."""

    updated_field = "updated_at"
    extra_counts: tuple[str, ...] = ()

    def conditional_parts(self, request):
        if self.action not in ("list", "retrieve"):
            return None
        queryset = self.get_queryset()
        if self.action == "list":
            queryset = self.filter_queryset(queryset)  # a bad filter is its 400 here, before any tag
            self.filtered_list_queryset = queryset  # the list reads it (filtered_list): the filters run once
        else:
            lookup = as_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
            if lookup is None:
                return None  # not an id: the view answers 404
            queryset = queryset.filter(pk=lookup)
        aggregate = queryset.order_by().aggregate(
            last=Max(self.updated_field),
            rows=Count("pk"),
            **{f"{name}_count": Count(name) for name in self.extra_counts},
        )
        if self.action == "list":
            self.known_count = aggregate["rows"]  # the page's count (planpromo.api.pagination): no second query
        return (
            (*aggregate.values(), version(PLAN_STRUCTURE), *visibility_scope(request.user), *self.extra_parts()),
            None,
        )

    def extra_parts(self) -> tuple:
        return ()

    def filtered_list(self):
        """The list's filtered queryset: the one its tag was computed from, when it was (django-filter's form and
        the filters' deep copies cost 2-3 ms a request), else filtered now."""
        queryset = getattr(self, "filtered_list_queryset", None)
        return queryset if queryset is not None else self.filter_queryset(self.get_queryset())


class ReportConditionalMixin(FilteredListConditionalMixin):
    """The reports list by its filtered set; a report's detail by "<id>-<version>" (the If-Match tag)."""

    def conditional_parts(self, request):
        if self.action in ("retrieve", "history"):
            return None  # conditional_etag answers for them
        return super().conditional_parts(request)

    def conditional_etag(self, request):
        if self.action not in ("retrieve", "history"):
            return super().conditional_etag(request)
        lookup = as_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
        if lookup is None:
            return None
        row = self.get_queryset().filter(pk=lookup).order_by().values_list("version", "updated_at").first()
        if row is None:
            return None  # not found or not visible: the view answers 404
        report_version, updated_at = row
        if self.action == "retrieve":
            return f'"{lookup}-{report_version}"', updated_at
        # The history shows every version, or the published ones only, as the user's scope allows.
        return self.make_etag(request, report_version, *visibility_scope(request.user)), updated_at


class ObligationConditionalMixin(FilteredListConditionalMixin):
    """Obligations change with the structure (their sync bumps its version), with their reports (linked, or
    changed: `max(report.updated_at)`, `count(report)`) and with the day (`overdue`)."""

    updated_field = "report_updated_at"  # the report as joined by tracking.selectors.obligations_visible_to
    extra_counts = ("report",)

    def extra_parts(self):
        return (timezone.localdate(),)


class TargetValueConditionalMixin(FilteredListConditionalMixin):
    """A target value is written with its report, whose `updated_at` moves."""

    updated_field = "report__updated_at"


class NotificationConditionalMixin(FilteredListConditionalMixin):
    """The caller's own notifications: new ones (`max(created_at)`, the count) and those marked read."""

    updated_field = "created_at"
    extra_counts = ("read_at",)

    def extra_parts(self):
        return (self.request.user.pk,)


class StatsConditionalMixin(VersionedCacheMixin):
    """Statistics: every report's latest change (one index lookup; reports are never deleted but with what
    bumps the structure's version), the structure's version (obligations included) and the day. The tag
    determines the body, which is kept in the shared cache."""

    def conditional_parts(self, request):
        if getattr(self, "swagger_fake_view", False):
            return None
        self.query()  # a bad parameter is its 400 here, before any tag
        parts = (
            *reports_latest_change(),
            version(PLAN_STRUCTURE),
            timezone.localdate(),
            *visibility_scope(request.user),
        )
        return parts, None
