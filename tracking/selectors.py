"""Reads scoped to the user: the reports and the obligations a user may see, and the reviewer's queue.

Numbers (roll-ups, rates, timelines) live in tracking.stats.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import BooleanField, Case, CharField, F, FilteredRelation, Q, Value, When

from participants.choices import Role
from planpromo.conditional import PLAN_STRUCTURE, version
from programs.models import ReportingPeriod
from tracking import asof, permissions
from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Notification, Obligation, Report, TargetValue

# The state an obligation shows when it has no report the user may see.
MISSING = "missing"
OBLIGATION_STATES = [MISSING, *ReportState.values]


def report_visibility_q(*, user, prefix: str = "") -> Q | None:
    """The reports (reached through `prefix`, e.g. "report__") the user may read, as a condition; None when the
    user may read every report. See tracking.permissions for the rules."""
    role = permissions.role_of(user)
    if role is None:
        return Q(pk__in=[])
    if role == Role.ADMINISTRATOR:
        return None
    visible = Q(**{f"{prefix}state__in": PUBLISHED_STATES})
    if role == Role.OFFICE_REPORTER:
        visible |= Q(**{f"{prefix}office_id": permissions.user_office_id(user)})
    elif role == Role.DEPARTMENT_STAFF:
        department_id = permissions.user_department_id(user)
        visible |= Q(**{f"{prefix}department_id": department_id}) | permissions.reviewing_department_q(
            department_id, f"{prefix}work_item"
        )
    return visible


def reports_visible_to(*, user, queryset=None):
    """The reports the user may read, with their details."""
    queryset = (queryset if queryset is not None else Report.objects.all()).with_details()
    visible = report_visibility_q(user=user)
    return queryset if visible is None else queryset.filter(visible)


def reports_to_review(*, user):
    """Submitted reports the user may accept or return: the reviewer's queue, oldest first."""
    role = permissions.role_of(user)
    queryset = Report.objects.with_details().filter(state=ReportState.SUBMITTED).order_by("submitted_at", "pk")
    if role == Role.ADMINISTRATOR:
        return queryset
    if role != Role.DEPARTMENT_STAFF:
        return queryset.none()
    department_id = permissions.user_department_id(user)
    return queryset.filter(permissions.reviewing_department_q(department_id)).exclude(department_id=department_id)


def obligations_visible_to(*, user, queryset=None, period_ids=None, as_of=None):
    """Every obligation (what is expected is no secret to a user with a role), with its report where the user may
    read it: `visible_state` is the report's state, or "missing" when there is no report the user may read,
    `report_visible` says whether the report's fields may be shown, and `report_first_submitted_at` /
    `report_updated_at` are the report's (whoever may read it: check `report_visible`).

    With `period_ids`, only those periods' obligations, whose reports are joined through those periods only (the
    reports' period index): reading a plan year then reads none of the other years' reports (a plain join of the
    report makes PostgreSQL hash every report of every year).

    With `as_of` (an instant, tracking.asof.end_of_day): the report as it stood then (`report_then`, its version):
    its state, first submission (`report_first_submitted_at`), `status_then` and `percent_complete_then`, shown
    where the user may read the report both now and as it was then."""
    if not permissions.has_role(user):
        return Obligation.objects.none()
    queryset = queryset if queryset is not None else Obligation.objects.all()
    related = ["work_item__program__plan", "period", "office", "department"]
    if period_ids is None:
        report = "report"
    else:
        report = "period_report"
        queryset = queryset.filter(period_id__in=period_ids).annotate(
            period_report=FilteredRelation("report", condition=Q(report__period_id__in=period_ids))
        )
    visible = report_visibility_q(user=user, prefix=f"{report}__")
    readable = Q(**{f"{report}__isnull": False}) & (visible if visible is not None else Q())
    shown = report  # where the state and first submission are read
    queryset = queryset.select_related(*related, report)
    if as_of is not None:
        then = report_visibility_q(user=user, prefix="report_then__")
        readable &= Q(report_then__history_id__isnull=False) & (then if then is not None else Q())
        queryset = queryset.annotate(report_then=asof.report_version_relation(as_of, period_ids=period_ids)).annotate(
            status_then=F("report_then__status"), percent_complete_then=F("report_then__percent_complete")
        )
        shown = "report_then"
    return queryset.annotate(
        report_visible=Case(When(readable, then=Value(True)), default=Value(False), output_field=BooleanField()),
        visible_state=Case(When(readable, then=F(f"{shown}__state")), default=Value(MISSING), output_field=CharField()),
        report_first_submitted_at=F(f"{shown}__first_submitted_at"),
        report_updated_at=F(f"{report}__updated_at"),
    )


def obligation_period_ids(*, year=None, periods=()) -> list[int] | None:
    """The ids of the periods a list of obligations is narrowed to by its `year` and `period` parameters (valid
    ones; the filters answer for the others), or None when it is not narrowed to periods."""
    if year is None and not periods:
        return None
    selected = ReportingPeriod.objects.all()
    if year is not None:
        selected = selected.filter(plan__year=year)
    if periods:
        selected = selected.filter(pk__in=periods)
    return list(selected.order_by("pk").values_list("pk", flat=True))


def period_ids_of(*, year=None, periods=()) -> list[int] | None:
    """obligation_period_ids, kept in the shared cache under the plan structure's version (no query when cached)."""
    if year is None and not periods:
        return None
    key = f"planpromo:period-ids:{version(PLAN_STRUCTURE)}:{year}:{','.join(map(str, sorted(periods)))}"
    return cache.get_or_set(key, lambda: obligation_period_ids(year=year, periods=periods), 24 * 60 * 60)


def notifications_of(*, user):
    """The user's own notifications, newest first (nobody else's: tracking.permissions.can_read_notification)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notification_count(*, user) -> int:
    """The number in the header's bell: one count query."""
    return notifications_of(user=user).unread().count()


def target_values_visible_to(*, user):
    """The target values of the reports the user may read, with their report, work item, organisation, period and
    target (one query for a page)."""
    values = TargetValue.objects.select_related(
        "report__work_item__program__plan", "report__period", "report__office", "report__department", "target"
    )
    visible = report_visibility_q(user=user, prefix="report__")
    return values if visible is None else values.filter(visible)


def visible_reports(user, queryset):
    """The user's visible reports among `queryset`, without the details prefetches (the pages show none)."""
    return reports_visible_to(user=user, queryset=queryset).prefetch_related(None)


def obligations_changed_between(*, user, period_ids, first, second):
    """The obligations of `period_ids` whose report changed state or status between the instants `first` and
    `second` (tracking.asof.end_of_day), as the user may see it then (a report the user may not read, now or then,
    shows as missing): each with `state_first`, `status_first`, `state_second`, `status_second` ("missing": no report),
    ordered by period, work item and organisation. One query (and a count to page it)."""
    if not permissions.has_role(user):
        return Obligation.objects.none()
    visible_now = report_visibility_q(user=user, prefix="report__")
    annotations = {}
    queryset = Obligation.objects.filter(period_id__in=period_ids)
    for name, instant in (("first", first), ("second", second)):
        relation = f"report_{name}"
        queryset = queryset.annotate(**{relation: asof.report_version_relation(instant, period_ids=period_ids)})
        then = report_visibility_q(user=user, prefix=f"{relation}__")
        readable = Q(**{f"{relation}__history_id__isnull": False})
        for condition in (visible_now, then):
            readable &= condition if condition is not None else Q()
        for field in ("state", "status"):
            annotations[f"{field}_{name}"] = Case(
                When(readable, then=F(f"{relation}__{field}")), default=Value(MISSING), output_field=CharField()
            )
    return (
        queryset.annotate(**annotations)
        .filter(~Q(state_first=F("state_second")) | ~Q(status_first=F("status_second")))
        .select_related("work_item__program", "period", "office", "department")
        .order_by(
            "period__start",
            "period__kind",
            "work_item__program__number",
            "work_item__number",
            "office__code",
            "department__name",
            "pk",
        )
    )
