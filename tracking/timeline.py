"""The report page's history, readable as a record: tracking.history.report_history (the audit trail as stored)
with people by name, times in local time, fields and values by their labels in the page's language, the name of
each attachment added or removed, and long texts whole (the page folds them)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tracking.choices import ReportState, ReportStatus, Transition
from tracking.history import USER_FIELDS, report_history, users_changed
from tracking.models import Attachment, Report

# Report fields without a verbose name of their own (the model's default would stay English).
FIELD_LABELS = {
    "created_by": _("Created by"),
    "submitted_by": _("Submitted by"),
    "reviewed_by": _("Reviewed by"),
}
SHORT = 80  # a value longer than this shows cut, and opens whole


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def report_timeline(report: Report, *, published_only: bool = False) -> list[dict]:
    """Entries of report_history, oldest first, each with `transition_label`, `user` (a name), `attachment` (the
    file's name, for an attachment added or removed) and `changes` of {label, old, new, long}. Two queries
    beyond report_history's own: the people named, and the attachments' history. `published_only`: as
    report_history's (a reader who may not see the report's drafts)."""
    entries = report_history(report, published_only=published_only)
    choices = {"state": dict(ReportState.choices), "status": dict(ReportStatus.choices)}
    # The entries name people by user name (report_history): the page shows their full names.
    usernames = {entry["user"] for entry in entries if entry["user"]} | users_changed(entries)
    User = get_user_model()
    users = User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames})
    by_username = {user.get_username(): person(user) for user in users}
    events = list(
        Attachment.history.filter(report_id=report.pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "name")
    )
    added = iter([name for kind, name in events if kind == "+"])
    removed = iter([name for kind, name in events if kind == "-"])

    for entry in entries:
        transition = entry["transition"]
        entry["transition_label"] = Transition(transition).label if transition in Transition.values else transition
        entry["user"] = by_username.get(entry["user"], entry["user"])
        entry["attachment"] = (
            next(added, None) if transition == Transition.ATTACH else next(removed, None)
            if transition == Transition.DETACH else None
        )  # fmt: skip
        for change in entry["changes"]:
            name = change["field"]
            change["label"] = FIELD_LABELS.get(name) or _field_label(name)
            for side in ("old", "new"):
                change[side] = _display(name, change[side], choices, by_username)
            change["long"] = any(len(str(change[side] or "")) > SHORT for side in ("old", "new"))
    return entries


def _field_label(name: str) -> str:
    try:
        return capfirst(Report._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field the model no longer has: its stored name
        return name


def _display(name, value, choices, users):
    if value is None or value == "":
        return None
    if name in USER_FIELDS:
        return users.get(value, value)
    if name in choices:
        return choices[name].get(value, value)
    if name.endswith("_at") and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    return value
