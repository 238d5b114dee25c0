"""A target's achieved value: for each organisation, the value in its latest received report (by period end; the
year's report supersedes the fourth quarter's), summed over the organisations; or summed per period. Now, or as it
stood at the selection's `as_of` (from the target values' history)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from tracking import asof
from tracking.choices import PUBLISHED_STATES
from tracking.models import TargetValue
from tracking.stats.selection import Selection


def targets_achieved(*, selection: Selection, targets=None, by_period: bool = False) -> dict:
    """Per target: the sum over organisations of each one's latest received value in the selection (one query:
    the latest value per target and organisation is picked by a window function). `by_period`: per (target id,
    period id), the sum of the values received for that period. With the selection's `as_of`: as they stood then."""
    if selection.as_of is not None:
        return targets_achieved_then(selection=selection, targets=targets, by_period=by_period)
    values = TargetValue.objects.filter(
        selection.values_q(targets), report__state__in=PUBLISHED_STATES, report__period_id__in=selection.period_ids
    )
    if by_period:  # one report per organisation, item and period: nothing to choose among
        return summed(((t, p), value) for t, p, value in values.values_list("target_id", "report__period_id", "value"))
    ranked = values.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("target_id"), F("report__office_id"), F("report__department_id")],
            order_by=[F("report__period__end").desc(), F("report__period__start").asc()],
        )
    ).filter(rank=1)
    return summed(ranked.values_list("target_id", "value"))


def targets_achieved_then(*, selection: Selection, targets=None, by_period: bool = False) -> dict:
    """targets_achieved as everything stood at `selection.as_of`: one query reads every version written by then of
    the target values of the reports received then (tracking.asof.received_reports_then), with their report's
    organisation and period; here each value's latest version is kept (unless it records a deletion), then each
    organisation's latest received value per target, as the window does for the present. (A window over the
    versions, under the window over the values, let PostgreSQL choose nested loops that took minutes.)"""
    received = asof.received_reports_then(
        selection.as_of, period_ids=selection.period_ids, received_states=PUBLISHED_STATES
    )
    versions = asof.HistoricalTargetValue.objects.filter(
        selection.values_q(targets), history_date__lt=selection.as_of, report_id__in=received
    )
    rows = versions.order_by("history_date", "history_id").values_list(
        "id",
        "history_type",
        "target_id",
        "value",
        "report__office_id",
        "report__department_id",
        "report__period__end",
        "report__period__start",
        "report__period_id",
    )
    latest = {row[0]: row[1:] for row in rows}  # oldest first: the last version of each value wins
    existing = [version for version in latest.values() if version[0] in asof.EXISTING]
    if by_period:  # one report per organisation, item and period: its value then
        return summed(((target_id, period_id), value) for _kind, target_id, value, *_, period_id in existing)
    best: dict[tuple, tuple] = {}  # (target, office, department): ((period end, -period start), value)
    for _kind, target_id, value, office_id, department_id, end, start, _period in existing:
        key, rank = (target_id, office_id, department_id), (end, -start.toordinal())
        if key not in best or rank > best[key][0]:
            best[key] = (rank, value)
    return summed((target_id, value) for (target_id, _office, _department), (_rank, value) in best.items())


def summed(pairs) -> dict:
    """{key: the sum of its values} over (key, value) pairs: per target, or per (target, period)."""
    achieved: dict = defaultdict(int)
    for key, value in pairs:
        achieved[key] += value
    return dict(achieved)
