"""The notifications' models (tracking.notifications sends them): what each user was told, their choices, and the
reminders sent per obligation. Re-exported by tracking.models, where Django and the migrations find them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracking.choices import NotificationKind, ReminderKind


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user about an event: a report returned, submitted or accepted, a deadline approaching, an
    obligation overdue, the weekly digest. `key` names the event (the report's transition, the reminder round):
    the unique constraint makes sure nobody is told twice of the same one. The text is rendered from `params` in
    the reader's language (tracking.notifications.render), with a link to the page that acts on it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("event"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    report = models.ForeignKey(
        "tracking.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()} · {self.key}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def default_email_kinds():
    return list(NotificationKind.values)


class NotificationPreference(models.Model):
    """A user's choices: which kinds of notification also come by e-mail (the others only in the app), and the
    language of their messages. A user without a row gets every kind by e-mail, in the site's default language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    email_kinds = models.JSONField(_("kinds sent by e-mail"), default=default_email_kinds, blank=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="notification_preference_language_valid",
            )
        ]

    def __str__(self):
        return str(self.user)


class ObligationReminder(models.Model):
    """A reminder sent about an obligation: the deadline approaching (round 0), or overdue (round n: the n-th
    week overdue, counted from 0). The unique constraint makes `send_reminders` idempotent."""

    obligation = models.ForeignKey("tracking.Obligation", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        ordering = ["obligation", "kind", "round"]
        verbose_name = _("obligation reminder")
        verbose_name_plural = _("obligation reminders")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "kind", "round"], name="obligation_reminder_once"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="obligation_reminder_kind_valid"),
        ]

    def __str__(self):
        return f"{self.obligation} · {self.get_kind_display()} {self.round}"
