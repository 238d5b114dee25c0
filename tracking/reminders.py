"""Reminders (`manage.py send_reminders`, daily): deadline reminders before an obligation is due, overdue
reminders after, and digests for those who chose them; each sent once per round (ObligationReminder)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from participants.choices import Role
from programs.choices import TeamRole
from programs.models import Plan, ProgramDepartment, WorkItemDepartment
from tracking import permissions
from tracking.choices import NotificationKind, ReminderKind
from tracking.locks import lock_status
from tracking.models import Notification, Obligation, ObligationReminder
from tracking.notifications import DIGEST_NAMES, notify, organisation_params


@dataclass
class ReminderRun:
    """What a run of `reminders_send` sent (or, in a dry run, would send)."""

    today: datetime.date
    dry_run: bool = False
    deadline_obligations: int = 0
    overdue_obligations: int = 0
    digests: int = 0
    notifications: list[Notification] = field(default_factory=list)

    def __str__(self):
        verb = "would send" if self.dry_run else "sent"
        return (
            f"{self.today}: {verb} {len(self.notifications)} notifications "
            f"({self.deadline_obligations} obligations due soon, {self.overdue_obligations} overdue, "
            f"{self.digests} digests)"
        )


def _group_key(obligation) -> tuple:
    return (obligation.period_id, obligation.office_id, obligation.department_id)


# The notice each kind of reminder sends.
NOTICE = {
    ReminderKind.DEADLINE: NotificationKind.DEADLINE_APPROACHING,
    ReminderKind.OVERDUE: NotificationKind.OBLIGATION_OVERDUE,
}


def _remind(run: ReminderRun, groups: dict, reminder: str, rounds: dict, today) -> int:
    """One notification per organisation and period to its users, and each obligation's reminder recorded."""
    kind = NOTICE[reminder]
    sent = 0
    for obligations in groups.values():
        first = obligations[0]
        organisation, period = first.organisation, first.period
        round_ = rounds[first.pk]
        obligations.sort(key=lambda o: (o.work_item.program.number, o.work_item.number))
        params = {
            "period": period.label,
            "due": first.due.isoformat(),
            "count": len(obligations),
            "codes": [o.work_item.code for o in obligations],
            **organisation_params(organisation),
        }
        org_key = f"o{first.office_id}" if first.office_id else f"d{first.department_id}"
        run.notifications += notify(
            users=permissions.organisation_members(office_id=first.office_id, department_id=first.department_id),
            kind=kind,
            key=f"{reminder}:{period.pk}:{org_key}:r{round_}:{today.isoformat()}",
            params=params,
            url=f"{reverse('tracking:my_work')}?period={period.pk}",
        )
        ObligationReminder.objects.bulk_create(
            [ObligationReminder(obligation=o, kind=reminder, round=round_, sent_on=today) for o in obligations]
        )
        sent += len(obligations)
    return sent


def _obligations():
    return Obligation.objects.outstanding().select_related("work_item__program", "period__plan", "office", "department")


def _period_open(cache: dict, obligation, today) -> bool:
    """Overdue reminders stop once the period is closed to the organisation: it can do nothing about them."""
    key = _group_key(obligation)
    if key not in cache:
        cache[key] = not lock_status(obligation.period, obligation.organisation, today).locked
    return cache[key]


def _deadlines(run: ReminderRun, today) -> None:
    groups: dict[tuple, list] = defaultdict(list)
    for plan in Plan.objects.all():
        window = today + datetime.timedelta(days=plan.reminder_days)
        due_soon = _obligations().filter(period__plan=plan, due__gte=today, due__lte=window)
        for obligation in due_soon.exclude(reminders__kind=ReminderKind.DEADLINE):
            groups[_group_key(obligation)].append(obligation)
    rounds = {o.pk: 0 for group in groups.values() for o in group}
    run.deadline_obligations = _remind(run, groups, ReminderKind.DEADLINE, rounds, today)


def overdue_round(due: datetime.date, today: datetime.date) -> int:
    """The week of being overdue, from 0: days 1-7 after the due date are round 0, days 8-14 round 1, …"""
    return ((today - due).days - 1) // 7


def _overdue(run: ReminderRun, today) -> None:
    overdue = list(_obligations().filter(due__lt=today))
    sent = set(
        ObligationReminder.objects.filter(
            kind=ReminderKind.OVERDUE, obligation__in=[o.pk for o in overdue]
        ).values_list("obligation_id", "round")
    )
    groups: dict[tuple, list] = defaultdict(list)
    rounds, open_cache = {}, {}
    for obligation in overdue:
        round_ = overdue_round(obligation.due, today)
        if (obligation.pk, round_) in sent or not _period_open(open_cache, obligation, today):
            continue
        rounds[obligation.pk] = round_
        groups[_group_key(obligation)].append(obligation)
    run.overdue_obligations = _remind(run, groups, ReminderKind.OVERDUE, rounds, today)


def _digests(run: ReminderRun, today) -> None:
    """Each reviewing department's staff: the organisations overdue on the items the department reviews."""
    from django.contrib.auth import get_user_model

    reviewers_of_item: dict[int, set[int]] = defaultdict(set)
    for item_id, department_id in WorkItemDepartment.objects.values_list("work_item_id", "department_id"):
        reviewers_of_item[item_id].add(department_id)
    for item_id, department_id in ProgramDepartment.objects.filter(role=TeamRole.LEAD).values_list(
        "program__work_items", "department_id"
    ):
        if item_id is not None:
            reviewers_of_item[item_id].add(department_id)
    by_department: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    open_cache: dict = {}
    for obligation in _obligations().filter(due__lt=today):
        if not _period_open(open_cache, obligation, today):
            continue
        organisation = obligation.organisation
        names = organisation_params(organisation)
        for department_id in reviewers_of_item[obligation.work_item_id]:
            by_department[department_id][(names["organisation"], names["organisation_zh"])] += 1
    if not by_department:
        return
    year, week, _day = today.isocalendar()
    staff = get_user_model().objects.filter(
        is_active=True, profile__role=Role.DEPARTMENT_STAFF, profile__department_id__in=list(by_department)
    )
    for user in staff.select_related("profile"):
        counts = by_department[user.profile.department_id]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
        params = {
            "total": len(ranked),
            "obligations": sum(counts.values()),
            "organisations": [[en, zh, count] for (en, zh), count in ranked[:DIGEST_NAMES]],
        }
        created = notify(
            users=[user],
            kind=NotificationKind.OVERDUE_DIGEST,
            key=f"digest:{year}-W{week:02d}",
            params=params,
            url=reverse("tracking:completeness_current"),
        )
        run.digests += len(created)
        run.notifications += created


def reminders_send(*, today: datetime.date | None = None, dry_run: bool = False) -> ReminderRun:
    """The day's reminders: deadlines approaching, obligations overdue (weekly), the reviewers' weekly digest.
    Idempotent (see the module's docstring). A dry run does everything in a transaction it rolls back: the
    result says exactly what would be sent, and nothing is stored or e-mailed."""
    today = today or timezone.localdate()
    run = ReminderRun(today=today, dry_run=dry_run)
    with transaction.atomic():
        _deadlines(run, today)
        _overdue(run, today)
        _digests(run, today)
        if dry_run:
            transaction.set_rollback(True)
    return run
