"""Period locks: a reporting period closes some days after its due date, and then offices and departments can no
longer create, edit, submit or attach for it; reviewers still review.

- When: `ReportingPeriod.closes_on` (the period's `close_after_days`, else its plan's; empty on both: the period
  never closes, which is the default, so that a plan loaded years later, such as the 2012 demo, stays usable).
- Exceptions: an administrator reopens a closed period until a date, for everyone or for one organisation, with a
  reason (`period_reopen`, also behind the admin): kept with its history and in the audit log.
- Enforcement: the services call `period_require_open` before every write of an organisation, so the pages, the
  API, the admin and any import all get it. `PeriodLocked` is a ValidationError (the pages show it on the form);
  the API answers it with 409.
- The spreadsheet import (and anything else that writes for a period) asks `period_is_locked_for`, or calls
  `period_require_open` and lets `PeriodLocked` through.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.models import Department, ProvincialOffice
from planpromo.audit import audit_log
from programs.models import PeriodReopening, ReportingPeriod


class PeriodLocked(ValidationError):
    """A write for a closed period. A ValidationError, so that the pages show it on the form; the API answers it
    with 409 Conflict (planpromo.api.exceptions)."""

    def __init__(self, *, period: ReportingPeriod, closes_on: datetime.date):
        self.period, self.closes_on = period, closes_on
        super().__init__(
            _(
                "The period %(period)s closed on %(date)s: reports for it can no longer be created, changed, "
                "submitted or given attachments. Ask an administrator to reopen it."
            )
            % {"period": period.label, "date": date_format(closes_on, "Y-m-d")},
            code="period_locked",
        )


@dataclass(frozen=True)
class LockStatus:
    """What a page says about a period: when it closes, whether it is closed now for the reader's organisation,
    and until when it is reopened, if it is."""

    closes_on: datetime.date | None
    locked: bool
    reopened_until: datetime.date | None = None


def _organisation_q(organisation) -> Q:
    """Reopenings for everyone, and for the organisation when one is given."""
    everyone = Q(office__isnull=True, department__isnull=True)
    if isinstance(organisation, ProvincialOffice):
        return everyone | Q(office=organisation)
    if isinstance(organisation, Department):
        return everyone | Q(department=organisation)
    return everyone


def lock_status(period: ReportingPeriod | None, organisation=None, today: datetime.date | None = None) -> LockStatus:
    """The period's lock for `organisation` (None: for everyone) on `today`. No query for a period that never
    closes or is not closed yet; one otherwise (its reopenings)."""
    if period is None:
        return LockStatus(closes_on=None, locked=False)
    today = today or timezone.localdate()
    closes_on = period.closes_on
    if closes_on is None or today <= closes_on:
        return LockStatus(closes_on=closes_on, locked=False)
    reopened_until = (
        PeriodReopening.objects.filter(period=period, until__gte=today)
        .filter(_organisation_q(organisation))
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )
    return LockStatus(closes_on=closes_on, locked=reopened_until is None, reopened_until=reopened_until)


def period_is_locked_for(period: ReportingPeriod, organisation, today: datetime.date | None = None) -> bool:
    """Is the period closed to this office or department (None: to everyone) on `today` (default: today)?"""
    return lock_status(period, organisation, today).locked


def period_require_open(*, period: ReportingPeriod, office=None, department=None, today=None) -> None:
    """Raise PeriodLocked unless the organisation may still write for the period."""
    status = lock_status(period, office or department, today)
    if status.locked:
        raise PeriodLocked(period=period, closes_on=status.closes_on)


def reopening_errors(*, until, reason, office=None, department=None) -> dict:
    """What is wrong with a reopening, by field (the service's check, also the admin form's)."""
    errors = {}
    if office is not None and department is not None:
        errors["__all__"] = _("Reopen for everyone, or for one office or one department.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the period is reopened.")
    if until is not None and until < timezone.localdate():
        errors["until"] = _("The date the period stays open until cannot be in the past.")
    return errors


@transaction.atomic
def period_reopen(
    *, period: ReportingPeriod, user, until: datetime.date, reason: str, office=None, department=None
) -> PeriodReopening:
    """Reopen a period until a date (inclusive), for everyone or for one office or department.

    1. Refuse two organisations, an empty reason, or a date in the past.
    2. Save the reopening with its history (who, when) and log it in the audit log after commit.
    """
    reason = (reason or "").strip()
    errors = reopening_errors(until=until, reason=reason, office=office, department=department)
    if errors:
        raise ValidationError(errors)
    reopening = PeriodReopening(
        period=period, office=office, department=department, until=until, reason=reason, created_by=user
    )
    reopening._history_user = user
    reopening.save()
    transaction.on_commit(
        lambda: audit_log(
            "period.reopen",
            user=user,
            period=period.pk,
            office=getattr(office, "pk", None),
            department=getattr(department, "pk", None),
            until=until.isoformat(),
        )
    )
    return reopening
