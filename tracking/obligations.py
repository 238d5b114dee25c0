"""Reporting obligations: who must report on what, for which period, by when (tracking.models.Obligation).

The one definition of "expected":
- every provincial office that takes part in a work item: all 32 for scope `all`, the listed ones for `listed`,
  the ones staff confirmed for `conditional`, none for `none`;
- every department responsible for the item;
once per reporting period of the item's plan, due on the period's due date.

`obligations_sync` makes the table equal to that definition for a plan; it runs whenever the plan structure
changes (programs.signals.plan_structure_changed: load_plan and the admin), and `manage.py sync_obligations`
repairs it by hand. `obligations_link_reports` sets each obligation's report once one exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from participants.models import ProvincialOffice
from planpromo.conditional import PLAN_STRUCTURE, bump_version
from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import Plan, ReportingPeriod, WorkItem, WorkItemDepartment, WorkItemOffice
from tracking.models import Obligation, Report

# An obligation's identity: (work item id, period id, office id or None, department id or None).
Key = tuple[int, int, int | None, int | None]


@dataclass
class SyncResult:
    created: int = 0
    deleted: int = 0
    due_changed: int = 0
    linked: int = 0

    def __str__(self):
        return (
            f"{self.created} created, {self.deleted} deleted, {self.due_changed} due dates changed, "
            f"{self.linked} linked to their report"
        )


def obligations_expected(*, plan: Plan) -> dict[Key, object]:
    """The obligations the plan's structure calls for, each with its due date, computed from scratch (five
    queries, whatever the plan's size)."""
    periods = list(ReportingPeriod.objects.filter(plan=plan).values_list("pk", "due"))
    items = list(WorkItem.objects.filter(program__plan=plan).values_list("pk", "office_scope"))
    all_offices = list(ProvincialOffice.objects.values_list("pk", flat=True))
    office_rows: dict[int, list[int]] = {}
    for item_id, office_id in WorkItemOffice.objects.filter(
        work_item__program__plan=plan, work_item__office_scope__in=SCOPES_WITH_OFFICE_ROWS
    ).values_list("work_item_id", "office_id"):
        office_rows.setdefault(item_id, []).append(office_id)
    departments: dict[int, list[int]] = {}
    for item_id, department_id in WorkItemDepartment.objects.filter(work_item__program__plan=plan).values_list(
        "work_item_id", "department_id"
    ):
        departments.setdefault(item_id, []).append(department_id)

    expected: dict[Key, object] = {}
    for item_id, scope in items:
        offices = all_offices if scope == OfficeScope.ALL else office_rows.get(item_id, [])
        for period_id, due in periods:
            for office_id in offices:
                expected[(item_id, period_id, office_id, None)] = due
            for department_id in departments.get(item_id, []):
                expected[(item_id, period_id, None, department_id)] = due
    return expected


@transaction.atomic
def obligations_sync(*, plan: Plan) -> SyncResult:
    """Make the plan's obligations equal to what its structure calls for. Idempotent.

    1. Compute the expected obligations from scratch (obligations_expected).
    2. Refuse, with a message naming each, to drop an obligation that already has a report: the participation
       cannot be removed while its report exists. Nothing is written then.
    3. Delete the obligations no longer expected, create the missing ones, copy changed due dates.
    4. Link the obligations without a report to the report that now exists (obligations_link_reports).
    """
    expected = obligations_expected(plan=plan)
    existing = {
        (w, p, o, d): (pk, due, report_id)
        for pk, w, p, o, d, due, report_id in Obligation.objects.filter(period__plan=plan).values_list(
            "pk", "work_item_id", "period_id", "office_id", "department_id", "due", "report_id"
        )
    }
    dropped = {key: row for key, row in existing.items() if key not in expected}
    reported = [row[2] for row in dropped.values() if row[2] is not None]
    if reported:
        raise ValidationError(_participation_has_reports_message(reported))
    result = SyncResult()
    if dropped:
        result.deleted, _by_model = Obligation.objects.filter(pk__in=[row[0] for row in dropped.values()]).delete()
    missing = [
        Obligation(work_item_id=w, period_id=p, office_id=o, department_id=d, due=due)
        for (w, p, o, d), due in expected.items()
        if (w, p, o, d) not in existing
    ]
    Obligation.objects.bulk_create(missing, batch_size=2_000)
    result.created = len(missing)
    for period_id, due in ReportingPeriod.objects.filter(plan=plan).values_list("pk", "due"):
        result.due_changed += Obligation.objects.filter(period_id=period_id).exclude(due=due).update(due=due)
    result.linked = obligations_link_reports(obligations=Obligation.objects.filter(period__plan=plan))
    bump_version(PLAN_STRUCTURE)  # the obligations' tags (tracking.api.conditional) carry the structure's version
    return result


def _participation_has_reports_message(report_ids: list[int]) -> str:
    reports = Report.objects.filter(pk__in=report_ids).select_related("work_item__program", "period", "office")
    names = sorted(str(report) for report in reports.select_related("department"))
    shown = "; ".join(names[:10]) + ("; …" if len(names) > 10 else "")
    return _(
        "This change would remove %(count)s participations that already have a report (%(reports)s). A "
        "participation with a report cannot be removed: keep it, or ask an administrator to deal with the reports "
        "first."
    ) % {"count": len(names), "reports": shown}


def obligations_link_reports(*, obligations=None) -> int:
    """Set the report of every obligation (of `obligations`, default all) that has none yet but whose report now
    exists: one UPDATE. Returns how many were linked."""
    queryset = (obligations if obligations is not None else Obligation.objects.all()).filter(report__isnull=True)
    match = Report.objects.filter(work_item=OuterRef("work_item"), period=OuterRef("period")).filter(
        Q(office=OuterRef("office")) | Q(department=OuterRef("department"))
    )
    linkable = queryset.filter(Exists(match))
    return Obligation.objects.filter(pk__in=linkable.values("pk")).update(report=Subquery(match.values("pk")[:1]))


def obligation_link_report(*, report: Report) -> None:
    """Link a new report to its obligation (none when its organisation is not expected to report: a program's lead
    department may report on an item it is not responsible for)."""
    Obligation.objects.filter(
        work_item_id=report.work_item_id,
        period_id=report.period_id,
        office_id=report.office_id,
        department_id=report.department_id,
        report__isnull=True,
    ).update(report=report)


def obligations_sync_all() -> dict[int, SyncResult]:
    """Every plan's obligations in step (manage.py sync_obligations)."""
    return {plan.year: obligations_sync(plan=plan) for plan in Plan.objects.order_by("year")}


def on_plan_structure_changed(sender, *, plan, **kwargs):
    obligations_sync(plan=plan)
