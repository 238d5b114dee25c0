from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


# States in which the reporting organisation may edit, attach and submit; only it, its reviewers and
# administrators see a report in these states.
OPEN_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})
# States every signed-in user may read.
PUBLISHED_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})


class Transition(models.TextChoices):
    """What a change of a report was: recorded as the history entry's change reason."""

    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned")
    ATTACH = "attach", _("Attachment added")
    DETACH = "detach", _("Attachment removed")


# The workflow: which transition moves a report from which states to which.
TRANSITIONS = {
    Transition.SUBMIT: (OPEN_STATES, ReportState.SUBMITTED),
    Transition.ACCEPT: (frozenset({ReportState.SUBMITTED}), ReportState.ACCEPTED),
    Transition.RETURN: (frozenset({ReportState.SUBMITTED}), ReportState.RETURNED),
}


class NotificationKind(models.TextChoices):
    """What a notification is about; each user chooses, per kind, in-app only or in-app and e-mail."""

    REPORT_RETURNED = "report_returned", _("Report returned")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted for review")
    REPORT_ACCEPTED = "report_accepted", _("Report accepted")
    DEADLINE_APPROACHING = "deadline_approaching", _("Deadline approaching")
    OBLIGATION_OVERDUE = "obligation_overdue", _("Report overdue")
    OVERDUE_DIGEST = "overdue_digest", _("Weekly digest of overdue organisations")


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail")


class ReminderKind(models.TextChoices):
    """Reminders about an obligation, recorded so that none is sent twice (tracking.models.ObligationReminder)."""

    DEADLINE = "deadline", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue")
