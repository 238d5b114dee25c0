"""Notifications: who is told what, in the app and by e-mail, and the deadline and overdue reminders.

Events and recipients (tracking.permissions decides who acts for an organisation and who reviews an item):
- a report returned → the users of its office or department; accepted → the same; submitted → the reviewers of the
  item (services call `notify_report_transition` after the transition commits);
- a deadline approaching (within the plan's `reminder_days`) → the users of each organisation that still owes
  reports for the period, one message per organisation and period listing the items;
- overdue → the same, again every week while the obligation stays overdue and its period is open;
- once a week, a digest of the overdue organisations → the reviewers, for the items they review.
`reminders_send` (tracking.reminders) does the last three (`manage.py send_reminders`, run daily by cron or a
systemd timer).

Never twice: a notification's `key` names its event (the report's transition by its version, the reminder round
of an organisation's period, the digest's week) and is unique per recipient; each obligation's reminders are
recorded (ObligationReminder, unique per obligation, kind and round). A second run on the same day sends nothing.

E-mail: each new notification of a kind the recipient takes by e-mail (NotificationPreference; every kind by
default) is sent by the task `send_notification_email`, enqueued once the transaction commits, rendered in the
recipient's language with a link to the page that acts on it. A failed send is logged and retried
(EMAIL_RETRY_DELAYS); it never touches the report.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracking import permissions
from tracking.choices import NotificationChannel, NotificationKind, Transition
from tracking.models import Notification, NotificationPreference, Report

logger = logging.getLogger("planpromo.notifications")

# Seconds to wait before each retry of a failed e-mail (with a backend that can defer tasks); then it is given up.
EMAIL_RETRY_DELAYS = [60, 300, 1800, 7200]
# Organisations listed by name in a digest; the others are counted.
DIGEST_NAMES = 30

TRANSITION_KINDS = {
    Transition.RETURN: NotificationKind.REPORT_RETURNED,
    Transition.SUBMIT: NotificationKind.REPORT_SUBMITTED,
    Transition.ACCEPT: NotificationKind.REPORT_ACCEPTED,
}


# --- Preferences ------------------------------------------------------------------------------------------------


def preference_of(user) -> NotificationPreference:
    """The user's preference, or the default one (not saved): every kind by e-mail, the site's language."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user, language=settings.LANGUAGE_CODE)


def channel_of(preference: NotificationPreference, kind: str) -> str:
    return NotificationChannel.EMAIL if kind in preference.email_kinds else NotificationChannel.IN_APP


@transaction.atomic
def preference_set(*, user, language: str, channels: dict[str, str]) -> NotificationPreference:
    """Save the user's language for messages and, per kind, in-app only or in-app and e-mail."""
    email_kinds = [kind for kind in NotificationKind.values if channels.get(kind) == NotificationChannel.EMAIL]
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"language": language, "email_kinds": email_kinds}
    )
    return preference


# --- Creating notifications -------------------------------------------------------------------------------------


def organisation_params(organisation) -> dict:
    """The organisation's name in both languages: each reader gets it in theirs."""
    zh = getattr(organisation, "short_name_zh", "") or getattr(organisation, "name_zh", "")
    return {"organisation": str(organisation), "organisation_zh": zh or str(organisation)}


def notify(*, users, kind: str, key: str, params: dict, url: str, report=None) -> list[Notification]:
    """Create the notification of one event for each of `users` who does not have it yet, and queue the e-mail of
    those who take this kind by e-mail, once the transaction commits. Returns the new notifications."""
    users = list(users)
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    created = []
    with transaction.atomic():
        for user in users:
            notification, was_created = Notification.objects.get_or_create(
                recipient=user, key=key, defaults={"kind": kind, "params": params, "url": url, "report": report}
            )
            if not was_created:
                continue
            created.append(notification)
            preference = preferences.get(user.pk) or NotificationPreference(user=user)
            if user.email and channel_of(preference, kind) == NotificationChannel.EMAIL:
                notification_id = notification.pk
                transaction.on_commit(lambda pk=notification_id: send_notification_email.enqueue(notification_id=pk))
    return created


def notify_report_transition(*, report_id: int, version: int, transition: str) -> list[Notification]:
    """Tell who must know of a report's transition (run by the services after it commits): returned and accepted →
    the report's organisation; submitted → the item's reviewers. The report's version names the transition."""
    kind = TRANSITION_KINDS.get(transition)
    if kind is None:
        return []
    report = Report.objects.select_related("work_item__program", "period", "office", "department", "reviewed_by").get(
        pk=report_id
    )
    if kind == NotificationKind.REPORT_SUBMITTED:
        users = permissions.item_reviewers(report.work_item, exclude_department_id=report.department_id)
        url = reverse("tracking:report_detail", args=[report.pk])
    else:
        users = permissions.organisation_members(office_id=report.office_id, department_id=report.department_id)
        url = reverse(
            "tracking:report_edit" if kind == NotificationKind.REPORT_RETURNED else "tracking:report_detail",
            args=[report.pk],
        )
    params = {
        "code": report.work_item.code,
        "period": report.period.label,
        "comment": report.review_comment if kind == NotificationKind.REPORT_RETURNED else "",
        **organisation_params(report.organisation),
    }
    return notify(
        users=users, kind=kind, key=f"report:{report.pk}:v{version}:{kind}", params=params, url=url, report=report
    )


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark the user's own notification read (once: the first time is kept)."""
    if not permissions.can_read_notification(user, notification):
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Rendering ----------------------------------------------------------------------------------------------------


def _organisation(params) -> str:
    if translation.get_language().startswith("zh"):
        return params.get("organisation_zh") or params.get("organisation", "")
    return params.get("organisation", "")


PARAM_DEFAULTS = {
    "code": "",
    "period": "",
    "comment": "",
    "count": 0,
    "codes": [],
    "due": "",
    "organisations": [],
    "total": 0,
}


def render(notification: Notification) -> tuple[str, str]:
    """The notification's subject and text in the active language."""
    # Every parameter has a default: a notification stored by an older release still renders.
    p = {**PARAM_DEFAULTS, **notification.params}
    kind = notification.kind
    organisation = _organisation(p)
    if kind in (NotificationKind.REPORT_RETURNED, NotificationKind.REPORT_SUBMITTED, NotificationKind.REPORT_ACCEPTED):
        return _render_transition(kind, p, organisation)
    if kind in (NotificationKind.DEADLINE_APPROACHING, NotificationKind.OBLIGATION_OVERDUE):
        return _render_reminder(kind, p, organisation)
    if kind == NotificationKind.OVERDUE_DIGEST:
        return _render_digest(p)
    return str(notification.get_kind_display()), ""


def _render_transition(kind, p: dict, organisation: str) -> tuple[str, str]:
    """A report returned, submitted or accepted."""
    label = f"{p.get('code', '')} · {organisation} · {p.get('period', '')}"
    if kind == NotificationKind.REPORT_RETURNED:
        return (
            _("Report %(report)s was returned") % {"report": label},
            _("The reviewer returned the report on %(code)s for %(period)s. Their comment: %(comment)s")
            % {"code": p["code"], "period": p["period"], "comment": p.get("comment", "")},
        )
    if kind == NotificationKind.REPORT_SUBMITTED:
        return (
            _("Report %(report)s awaits your review") % {"report": label},
            _("%(organisation)s submitted its report on %(code)s for %(period)s.")
            % {"organisation": organisation, "code": p["code"], "period": p["period"]},
        )
    return (
        _("Report %(report)s was accepted") % {"report": label},
        _("The report of %(organisation)s on %(code)s for %(period)s was accepted.")
        % {"organisation": organisation, "code": p["code"], "period": p["period"]},
    )


def _render_reminder(kind, p: dict, organisation: str) -> tuple[str, str]:
    """A deadline approaching, or reports overdue, for an organisation."""
    values = {
        "count": p["count"],
        "period": p["period"],
        "due": p["due"],
        "organisation": organisation,
        "codes": ", ".join(p["codes"]),
    }
    if kind == NotificationKind.DEADLINE_APPROACHING:
        subject = ngettext(
            "%(count)s report for %(period)s is due on %(due)s",
            "%(count)s reports for %(period)s are due on %(due)s",
            p["count"],
        )
        body = _("%(organisation)s has not yet submitted its reports for %(period)s on these work items: %(codes)s.")
    else:
        subject = ngettext(
            "%(count)s report for %(period)s is overdue (due %(due)s)",
            "%(count)s reports for %(period)s are overdue (due %(due)s)",
            p["count"],
        )
        body = _("%(organisation)s has still not submitted its reports for %(period)s on these work items: %(codes)s.")
    return subject % values, body % values


def _render_digest(p: dict) -> tuple[str, str]:
    """The reviewers' weekly digest of the overdue organisations."""
    zh = translation.get_language().startswith("zh")
    names = [f"{(row[1] if zh else row[0])} ({row[2]})" for row in p["organisations"]]
    more = p["total"] - len(names)
    listed = ", ".join(names) + (" " + _("and %(count)s more") % {"count": more} if more > 0 else "")
    return (
        ngettext(
            "Weekly digest: %(count)s organisation has overdue reports",
            "Weekly digest: %(count)s organisations have overdue reports",
            p["total"],
        )
        % {"count": p["total"]},
        _("Overdue reports on the work items you review (organisation and number of reports): %(list)s.")
        % {"list": listed},
    )


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- E-mail -----------------------------------------------------------------------------------------------------


@task
def send_notification_email(*, notification_id: int, attempt: int = 1) -> None:
    """E-mail one notification to its recipient, in their language, with the link; once. On failure: log, count
    the attempt and retry later (EMAIL_RETRY_DELAYS), then give up with an error in the log."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None or not notification.recipient.email:
        return
    preference = preference_of(notification.recipient)
    with translation.override(preference.language or settings.LANGUAGE_CODE):
        subject, body = render(notification)
        link = _("Open it here: %(url)s") % {"url": absolute_url(notification.url)}
        body = f"{body}\n\n{link}\n"
    try:
        send_mail(subject, body, None, [notification.recipient.email])
    except Exception as exc:  # any failure of the mail system: log and retry, never raise into the worker's loop
        Notification.objects.filter(pk=notification.pk).update(email_attempts=F("email_attempts") + 1)
        if attempt > len(EMAIL_RETRY_DELAYS):
            logger.error("notification e-mail given up", extra={"notification": notification.pk, "attempt": attempt})
            return
        logger.warning(
            "notification e-mail failed, will retry: %s",
            exc,
            extra={"notification": notification.pk, "attempt": attempt},
        )
        retry = send_notification_email
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + datetime.timedelta(seconds=EMAIL_RETRY_DELAYS[attempt - 1]))
        retry.enqueue(notification_id=notification.pk, attempt=attempt + 1)
        return
    Notification.objects.filter(pk=notification.pk).update(
        emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1
    )
