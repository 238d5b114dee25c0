"""To-do lines: an obligation with the action the user can take on it (my work, the office and department
pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracking import permissions
from tracking.choices import OPEN_STATES, ReportState
from tracking.models import Obligation


@dataclass
class Todo:
    """An obligation as a line of someone's to-do: the action the user can take on it (write, continue, revise, or
    just view), and the days left before its due date (negative: days overdue)."""

    obligation: Obligation
    action: str | None
    url: str | None
    days_left: int

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def todo_for(obligation, *, user, today) -> Todo:
    """The to-do line of an obligation annotated by obligations_visible_to."""
    report = obligation.report if obligation.report_visible else None
    own = permissions.is_administrator(user) or (
        (obligation.office_id is not None and obligation.office_id == permissions.user_office_id(user))
        or (obligation.department_id is not None and obligation.department_id == permissions.user_department_id(user))
    )
    action, url = None, None
    if own and report is None:
        action = _("Write")
        url = f"{reverse('tracking:report_create')}?work_item={obligation.work_item_id}&period={obligation.period_id}"
    elif own and report.state in OPEN_STATES:
        action = _("Continue") if report.state == ReportState.DRAFT else _("Revise")
        url = reverse("tracking:report_edit", args=[report.pk])
    elif report is not None:
        action, url = _("View"), reverse("tracking:report_detail", args=[report.pk])
    return Todo(obligation, action, url, (obligation.due - today).days)
