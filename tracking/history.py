"""Reading the audit trail that django-simple-history keeps for reports."""

from tracking.models import Report

# Fields whose change the history shows (the version and timestamps are shown as the entry itself).
_HIDDEN = {"version", "history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def report_history(report: Report) -> list[dict]:
    """Every version of the report, oldest first: version, time, user, transition, state, and the fields that
    changed from the version before ({field, old, new})."""
    records = list(report.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": change.field, "old": _plain(change.old), "new": _plain(change.new)}
                for change in delta.changes
                if change.field not in _HIDDEN
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
    return entries


def _plain(value):
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
