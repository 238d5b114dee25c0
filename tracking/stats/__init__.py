"""Every number about reporting, computed by the database from the obligations (tracking.models.Obligation) joined
to their reports: GROUP BY with conditional aggregates (FILTER), never a subquery per row.

Definitions, for a selection of obligations (`Selection`: the periods of a plan year or one period, optionally one
program, office or department):
- expected: the obligations (tracking.obligations says who must report what);
- received: obligations whose report is submitted or accepted; accepted: accepted;
- on time: received, and first submitted on or before the due date (local time);
- overdue: past their due date and not received (no report, a draft, or a returned report);
- reporting rate = received ÷ expected, on-time rate = on time ÷ expected: percentages that cannot exceed 100;
- status distribution and mean percent complete: over the received reports;
- a target's achieved value: for each organisation, the value in its latest received report (by period end; the
  year's report supersedes the fourth quarter's), summed over the organisations;
- timeline: received obligations by the week or month of their first submission (with how many of them were on
  time), and accepted ones by the time of acceptance. Summed over the buckets they equal received and accepted.

The plan as it stood on a date (`Selection.as_of`, see tracking.asof): the same queries, with each obligation's report
read from its latest version written before that instant (tracking.HistoricalReport) instead of its current row, and
target values from theirs; the obligations themselves are the current ones. Callers pass that date as `today`.

The modules: `selection` (what is counted), `aggregates` (the grouped figures, rates, percentages), `rollups` (per
program, office, department, work item), `targets` (achieved values), `charts` (timelines, rates by group, status per
period, review load), `rates` (the completeness table, rates on two dates). Callers use the names below, from
`tracking.stats`.
"""

from tracking.stats.aggregates import (
    FIGURES,
    STATUS_KEYS,
    figures_by,
    grouped_obligations,
    mean_percent_over,
    obligation_aggregates,
    percent,
    rate,
    status_counts,
    totals,
)
from tracking.stats.charts import GROUPS, reporting_rates, review_load, review_queue_size, status_by_period, timeline
from tracking.stats.rates import Completeness, RateCell, completeness, rates_between
from tracking.stats.rollups import department_stats, office_stats, program_stats, selected_periods, work_item_stats
from tracking.stats.selection import Selection, periods_selected, selection
from tracking.stats.targets import targets_achieved, targets_achieved_then

__all__ = [
    "FIGURES",
    "GROUPS",
    "STATUS_KEYS",
    "Completeness",
    "RateCell",
    "Selection",
    "completeness",
    "department_stats",
    "figures_by",
    "grouped_obligations",
    "mean_percent_over",
    "obligation_aggregates",
    "office_stats",
    "percent",
    "periods_selected",
    "program_stats",
    "rate",
    "rates_between",
    "reporting_rates",
    "review_load",
    "review_queue_size",
    "selected_periods",
    "selection",
    "status_by_period",
    "status_counts",
    "targets_achieved",
    "targets_achieved_then",
    "timeline",
    "totals",
    "work_item_stats",
]
