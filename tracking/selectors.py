"""Reads of reports, scoped to the user, and the roll-ups computed in SQL."""

from __future__ import annotations

from django.db.models import Avg, Case, Count, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from participants.choices import Role
from participants.models import Department, ProvincialOffice
from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import Program, WorkItem, WorkItemDepartment, WorkItemOffice
from tracking import permissions
from tracking.choices import PUBLISHED_STATES, RECEIVED_STATES, ReportState, ReportStatus
from tracking.models import Report


def reports_visible_to(*, user, queryset=None):
    """The reports the user may read (see tracking.permissions for the rules), with their details."""
    queryset = (queryset if queryset is not None else Report.objects.all()).with_details()
    role = permissions.role_of(user)
    if role is None:
        return queryset.none()
    if role == Role.ADMINISTRATOR:
        return queryset
    visible = Q(state__in=PUBLISHED_STATES)
    if role == Role.OFFICE_REPORTER:
        visible |= Q(office_id=permissions.user_office_id(user))
    elif role == Role.DEPARTMENT_STAFF:
        department_id = permissions.user_department_id(user)
        visible |= Q(department_id=department_id) | permissions.reviewing_department_q(department_id)
    return queryset.filter(visible)


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


# --- Roll-ups ---------------------------------------------------------------------------------------------------

STATUS_KEYS = [s.value for s in ReportStatus]


def _report_counts(prefix: str, period) -> dict:
    """Aggregates over the reports reached through `prefix`, for one period: how many were received (submitted
    or accepted), accepted, by status, and their mean percent complete."""
    in_period = Q(**{f"{prefix}period": period})
    received = in_period & Q(**{f"{prefix}state__in": RECEIVED_STATES})
    counts = {
        "report_count": Count(f"{prefix}id", filter=in_period, distinct=True),
        "received": Count(f"{prefix}id", filter=received, distinct=True),
        "accepted": Count(
            f"{prefix}id", filter=in_period & Q(**{f"{prefix}state": ReportState.ACCEPTED}), distinct=True
        ),
        "mean_percent": Avg(f"{prefix}percent_complete", filter=received),
    }
    for status in STATUS_KEYS:
        counts[f"status_{status}"] = Count(
            f"{prefix}id", filter=received & Q(**{f"{prefix}status": status}), distinct=True
        )
    return counts


def expected_offices_expression():
    """Per work item: how many offices are expected to report (32 for `all`, the rows for listed/conditional)."""
    # COUNT over the whole table (a plain Func, so Django adds no GROUP BY): every office is expected.
    all_offices = ProvincialOffice.objects.order_by().values(n=Func("id", function="COUNT"))
    rows = (
        WorkItemOffice.objects.filter(work_item=OuterRef("pk"))
        .order_by()
        .values("work_item")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Case(
        When(office_scope=OfficeScope.ALL, then=Subquery(all_offices[:1], output_field=IntegerField())),
        When(office_scope__in=SCOPES_WITH_OFFICE_ROWS, then=Coalesce(Subquery(rows, output_field=IntegerField()), 0)),
        default=Value(0),
        output_field=IntegerField(),
    )


def work_item_rollup(*, period, queryset=None):
    """Per work item of the period's plan: offices expected to report and that have reported, the responsible
    departments, the status distribution and mean percent of the received reports. One query."""
    queryset = queryset if queryset is not None else WorkItem.objects.all()
    departments = (
        WorkItemDepartment.objects.filter(work_item=OuterRef("pk"))
        .order_by()
        .values("work_item")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        queryset.filter(program__plan=period.plan_id)
        .select_related("program__plan")
        .annotate(
            offices_expected=expected_offices_expression(),
            departments_expected=Coalesce(Subquery(departments, output_field=IntegerField()), 0),
            offices_reported=Count(
                "reports__office", filter=Q(reports__period=period, reports__state__in=RECEIVED_STATES), distinct=True
            ),
            departments_reported=Count(
                "reports__department",
                filter=Q(reports__period=period, reports__state__in=RECEIVED_STATES),
                distinct=True,
            ),
            **_report_counts("reports__", period),
        )
        .order_by("program__number", "number")
    )


def program_rollup(*, period):
    """Per program of the period's plan: work items, the reports' status distribution and mean percent."""
    return (
        Program.objects.filter(plan=period.plan_id)
        .annotate(work_item_count=Count("work_items", distinct=True), **_report_counts("work_items__reports__", period))
        .order_by("number")
    )


def office_rollup(*, period):
    """Per office: the status distribution and mean percent of its reports for the period."""
    return ProvincialOffice.objects.annotate(**_report_counts("reports__", period))


def department_rollup(*, period):
    """Per department: the status distribution and mean percent of its own reports for the period."""
    return Department.objects.annotate(**_report_counts("reports__", period))


def status_distribution(row) -> dict[str, int]:
    return {status: getattr(row, f"status_{status}") for status in STATUS_KEYS}


__all__ = [
    "department_rollup",
    "office_rollup",
    "program_rollup",
    "reports_to_review",
    "reports_visible_to",
    "status_distribution",
    "work_item_rollup",
]
