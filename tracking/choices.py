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
# States that count as "received" by the reviewers.
RECEIVED_STATES = PUBLISHED_STATES


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
