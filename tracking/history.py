"""Reading the audit trail that django-simple-history keeps for reports."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Report

# Fields whose change the history shows (the version and timestamps are shown as the entry itself).
_HIDDEN = {"version", "history_id", "history_date", "history_change_reason", "history_type", "history_user"}
# What a submitted version may carry over from the return before it (before return comments were cleared on
# resubmission): the reviewer's words to the organisation, not for other readers.
_REVIEW_FIELDS = {"review_comment", "reviewed_by", "reviewed_at"}
# Fields that hold a user: a change shows the user name, not the id.
USER_FIELDS = {"created_by", "submitted_by", "reviewed_by"}


def report_history(report: Report, *, published_only: bool = False) -> list[dict]:
    """Every version of the report, oldest first: version, time, user, transition, state, and the fields that
    changed from the version before ({field, old, new}: people by user name, times in ISO 8601 in local time, as
    the API writes every other time). Two queries: the versions, and the people the changes name.

    `published_only` (for a reader who may not see open reports of the organisation: tracking.permissions.
    can_view_open_versions): only the versions that were submitted or accepted, each compared with the published
    version before it, so that nothing written in a draft or a return shows."""
    records = list(report.history.select_related("history_user").order_by("history_date", "history_id"))
    if published_only:
        records = [record for record in records if record.state in PUBLISHED_STATES]
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            hidden = _HIDDEN | (_REVIEW_FIELDS if published_only and record.state == ReportState.SUBMITTED else set())
            changes = [
                {"field": change.field, "old": _plain(change.old), "new": _plain(change.new)}
                for change in delta.changes
                if change.field not in hidden
            ]
        entries.append(
            {
                "version": record.version,
                "at": record.history_date,
                "user": record.history_user.username if record.history_user else None,
                "transition": record.history_change_reason,
                "state": record.state,
                "changes": changes,
            }
        )
        previous = record
    _name_users(entries)
    return entries


def users_changed(entries: list[dict]) -> set:
    """The users (their ids, or names once named) that the entries' changes name."""
    return {
        value
        for entry in entries
        for change in entry["changes"]
        if change["field"] in USER_FIELDS
        for value in (change["old"], change["new"])
        if value is not None
    }


def _name_users(entries: list[dict]) -> None:
    """Replace the user ids in the entries' changes by user names (one query)."""
    ids = users_changed(entries)
    if not ids:
        return
    User = get_user_model()
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", User.USERNAME_FIELD))
    for entry in entries:
        for change in entry["changes"]:
            if change["field"] in USER_FIELDS:
                for side in ("old", "new"):
                    change[side] = names.get(change[side], change[side])


def _plain(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
