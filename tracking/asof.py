"""The plan as it stood on a date (`?as_of=YYYY-MM-DD`): reports are read from their history
(tracking.HistoricalReport, kept by django-simple-history) instead of their current rows.

- `as_of` is a local date (settings.TIME_ZONE); the plan is read as it stood at the end of that day: each report's
  latest version written before the next local midnight. A report created later, or deleted by then, is no report
  (its obligation is not received). The "overdue" rule takes that date as today.
- A date in the future is refused (400): the future has no history, and an overdue count "as of" a future day would
  be a guess. Today is accepted and equals the live figures.
- Obligations themselves (who must report what, by when) are the current table: the plan's structure rarely changes
  after it is published, and it has no history. A report deleted since the date (its obligation no longer points to
  it) would be missed: neither the pages, the API nor the admin delete reports.
- Each statistic is the same grouped query with its report side switched (tracking.stats.grouped_obligations): the
  join to each obligation's report becomes a join to the report's version picked by `report_version_relation`, in
  the same number of queries. Target values have their history too (HistoricalTargetValue): the achieved values
  are those reported by then (tracking.stats.targets.targets_achieved_then).
"""

from __future__ import annotations

import datetime

from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tracking import permissions
from tracking.choices import ReportState, ReportStatus
from tracking.models import Report, TargetValue

HistoricalReport = Report.history.model
HistoricalTargetValue = TargetValue.history.model
# A version that says the object exists ("+" created, "~" changed); "-" records its deletion.
EXISTING = ("+", "~")

INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
FUTURE_DATE = _("Enter a date no later than today.")


class AsOfError(ValueError):
    """An `as_of` that cannot be used: its message says why, for a 400 or the page's notice."""


def parse_as_of(value: str | None) -> datetime.date | None:
    """The date of `?as_of=`, None when absent or empty; AsOfError when it is not a YYYY-MM-DD date or is later
    than today (local time)."""
    if value is None or value == "":
        return None
    try:
        day = datetime.date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise AsOfError(INVALID_DATE)
    if day > timezone.localdate():
        raise AsOfError(FUTURE_DATE)
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The instant the day ends in local time (the next local midnight): versions written before it count."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def latest_versions(model, before: datetime.datetime, **filters) -> QuerySet:
    """The history_id of each object's latest version written before `before` (a deletion included: the object
    is then gone), among the versions matching `filters`: one window function, used as a subquery."""
    return (
        model.objects.filter(history_date__lt=before, **filters)
        .annotate(
            version_rank=Window(
                RowNumber(), partition_by=[F("id")], order_by=[F("history_date").desc(), F("history_id").desc()]
            )
        )
        .filter(version_rank=1)
        .values("history_id")
    )


def report_version_relation(before: datetime.datetime, *, period_ids=None) -> FilteredRelation:
    """From an obligation, its report's version as it stood before `before` (none when the report did not exist
    then): a FilteredRelation over Obligation.report_versions, to annotate under the name the current report's
    join has, so that every aggregate reads the same fields."""
    if period_ids is not None:
        # The selection's periods: the window ranks only their reports' versions (a report keeps its period).
        latest = Q(
            report_versions__history_id__in=Subquery(
                latest_versions(HistoricalReport, before, period_id__in=period_ids)
            )
        )
    else:
        # Any period (a paged list): each obligation's version found by an index lookup on the report's id.
        latest = Q(
            report_versions__history_id=Subquery(
                HistoricalReport.objects.filter(id=OuterRef("report_id"), history_date__lt=before)
                .order_by("-history_date", "-history_id")
                .values("history_id")[:1]
            )
        )
    return FilteredRelation("report_versions", condition=latest & Q(report_versions__history_type__in=EXISTING))


def received_reports_then(before: datetime.datetime, *, period_ids, received_states) -> list[int]:
    """The ids of the reports of `period_ids` that were received (in `received_states`) before `before`: one query
    over their versions written by then, the latest of each kept here. (As a subquery of the target values' query,
    the ranking of the versions could be nested under it: on PostgreSQL, with some statistics, that plan re-ranked
    every version for each value and ran for minutes.)"""
    latest: dict[int, tuple] = {}
    versions = HistoricalReport.objects.filter(history_date__lt=before, period_id__in=period_ids)
    for report_id, kind, state in versions.order_by("history_date", "history_id").values_list(
        "id", "history_type", "state"
    ):
        latest[report_id] = (kind, state)  # oldest first: the last version wins
    return [report_id for report_id, (kind, state) in latest.items() if kind in EXISTING and state in received_states]


# --- Pages ----------------------------------------------------------------------------------------------------------


class ReportThen:
    """A report as it stood on the date, for a page's row: its id (the current report's page), state, status and
    percent complete then, shown by the same badges as a report."""

    def __init__(self, pk, state, status, percent_complete):
        self.pk, self.state, self.status, self.percent_complete = pk, state, status, percent_complete

    def get_state_display(self):
        return ReportState(self.state).label

    def get_status_display(self):
        return ReportStatus(self.status).label


def visible_report(obligation):
    """The report an obligation of tracking.selectors.obligations_visible_to shows: None when the reader may not
    read it, the report as it stood then when the obligations were read with `as_of`, else the report."""
    if not obligation.report_visible:
        return None
    if hasattr(obligation, "status_then"):
        return ReportThen(
            obligation.report_id, obligation.visible_state, obligation.status_then, obligation.percent_complete_then
        )
    # Read through the periods' join when the obligations were read with `period_ids` (already fetched).
    return getattr(obligation, "period_report", None) or obligation.report


class AsOfPageMixin:
    """For a plan page (before tracking.pages.PlanPageMixin, whose `today` it replaces): `?as_of=YYYY-MM-DD` shows
    the plan as it stood at the end of that day. `as_of` is the date (None: now), `as_of_instant` the instant for
    tracking.stats.Selection and the selectors. A date that cannot be used gets a 400 page saying why (with the
    date picker), also for a file export; nothing is computed for it.

    Context: `as_of`, `as_of_max` (today, the picker's limit), `as_of_error`, `as_of_clear_query` (the page's query
    without as_of: "Back to today"), `as_of_keep` (the other parameters, kept by the picker's form)."""

    as_of_error_template = "tracking/pages/as_of_error.html"

    @cached_property
    def _as_of(self):
        try:
            return parse_as_of(self.request.GET.get("as_of")), None
        except AsOfError as error:
            return None, error

    @property
    def as_of(self) -> datetime.date | None:
        return self._as_of[0]

    @property
    def as_of_instant(self) -> datetime.datetime | None:
        return end_of_day(self.as_of) if self.as_of else None

    @cached_property
    def today(self) -> datetime.date:
        return self.as_of or timezone.localdate()

    def as_of_problem(self):
        """Why the page's dates cannot be used (a message), or None."""
        return self._as_of[1]

    def dispatch(self, request, *args, **kwargs):
        problem = self.as_of_problem()
        if problem is not None and permissions.has_role(request.user):
            context = {
                **self.as_of_context(),
                "as_of_error": problem,
                "page_title": _("Date not understood"),
                "breadcrumbs": [],
            }
            return TemplateResponse(request, self.as_of_error_template, context, status=400)
        return super().dispatch(request, *args, **kwargs)

    def as_of_context(self) -> dict:
        keep = self.request.GET.copy()
        keep.pop("as_of", None)
        keep.pop("format", None)
        return {
            "as_of": self.as_of,
            "as_of_max": timezone.localdate(),
            "as_of_error": self._as_of[1],
            "as_of_value": self.request.GET.get("as_of", "") if self._as_of[1] else "",
            "as_of_keep": [(name, value) for name in keep for value in keep.getlist(name)],
            "as_of_clear_query": keep.urlencode(),
            "as_of_path": self.request.path,
            "compare_url": self.compare_url(),
        }

    def compare_url(self) -> str:
        """The compare view of the page's plan: this page's date against today, when one is shown."""
        if "year" not in self.kwargs:
            return ""
        url = reverse("tracking:compare", args=[self.kwargs["year"]])
        return f"{url}?as_of={self.as_of.isoformat()}&compare={timezone.localdate().isoformat()}" if self.as_of else url

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.as_of_context(), **kwargs)
