"""The two hottest lists, the reports and the obligations, as JSON without DRF's nested serializers: the page's
rows as `.values()`, their target values and attachments in one query each, the plan structure's brief objects
(work item, office, department, period) from the shared cache, and orjson to write the body.

The serializers (tracking.api.serializers.ReportSerializer, ObligationSerializer) stay the truth: they serve the
detail views, the files (CSV, XLSX), the browsable API and the schema, and the brief objects here are made by
their own brief serializers. tests/tracking/api/test_lean.py compares this output with theirs, value for value.
"""

from __future__ import annotations

import datetime

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, F, Func, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from participants.api.serializers import DepartmentBriefSerializer, ProvincialOfficeBriefSerializer
from participants.models import Department, ProvincialOffice
from planpromo.api.conditional import BODY_TIMEOUT
from planpromo.conditional import PLAN_STRUCTURE, version
from programs.api.serializers import WorkItemBriefSerializer
from programs.models import ReportingPeriod, WorkItem
from tracking.api.serializers import PeriodBriefSerializer
from tracking.choices import PUBLISHED_STATES
from tracking.models import Attachment, Report, TargetValue

# A page of a list matching at most this many reports is found by a sort (SortedPages): at most a few ms.
SORTED_PAGE_ROWS = 20_000
# A report's fields as `.values()` gives them, in ReportSerializer's order (`None`: filled in here).
REPORT_FIELDS = [
    "id",
    "work_item_id",
    "office_id",
    "department_id",
    "period_id",
    *Report.EDITABLE_FIELDS,
    "state",
    "submitted_by__username",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by__username",
    "reviewed_at",
    "review_comment",
    "version",
    "created_at",
    "updated_at",
]
OBLIGATION_FIELDS = [
    "id",
    "work_item_id",
    "office_id",
    "department_id",
    "period_id",
    "due",
    "report_id",
    "report_visible",
    "visible_state",
    "report_first_submitted_at",
]

_datetime = serializers.DateTimeField()
_date = serializers.DateField()
# planpromo.conditional.version's answer when the cache keeps nothing (a dummy cache): not a version to memoize by.
UNVERSIONED = "unversioned"
# The brief objects of this process's latest plan structure version, per language: {(version, language): briefs}.
# Shared by the threads of a gthread worker (a dict's get and set are atomic); the values are never changed.
_BRIEFS: dict[tuple[str, str], dict] = {}


def _moments():
    """A function writing an aware datetime as DRF's DateTimeField does (ISO 8601 in the current time zone, "Z" for
    UTC), without the field's per-value lookups of the settings and the time zone (15 ms per 100 reports in a
    profile): the time zone is looked up once per page. Anything else (None, naive, another format) goes to the
    field itself."""
    output_format = getattr(_datetime, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601 or not settings.USE_TZ:
        return _moment
    zone = timezone.get_current_timezone()

    def moment(value):
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return _moment(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return _moment(value)  # the field's own error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return moment


def _moment(value):
    return None if value is None else _datetime.to_representation(value)


def structure_briefs() -> dict:
    """{"work_items"|"offices"|"departments"|"periods": {id: brief object}}, as the brief serializers write them,
    in the current language; kept in the shared cache under the plan structure's version, and in this process
    (`_BRIEFS`) under the same version: a read costs the version's lookup, not the unpickling of the whole dict
    (34 KB at the large scale: 0.3-1 ms and a query of the database cache per list)."""
    structure = version(PLAN_STRUCTURE)
    memo_key = (structure, get_language())
    briefs = _BRIEFS.get(memo_key)
    if briefs is not None:
        return briefs
    key = f"planpromo:briefs:{structure}:{get_language()}"
    briefs = cache.get(key)
    if briefs is None:
        sources = {
            "work_items": WorkItemBriefSerializer(WorkItem.objects.select_related("program"), many=True),
            "offices": ProvincialOfficeBriefSerializer(ProvincialOffice.objects.all(), many=True),
            "departments": DepartmentBriefSerializer(Department.objects.all(), many=True),
            "periods": PeriodBriefSerializer(ReportingPeriod.objects.all(), many=True),
        }
        briefs = {name: {row["id"]: dict(row) for row in serializer.data} for name, serializer in sources.items()}
        cache.set(key, briefs, BODY_TIMEOUT)
    if structure != UNVERSIONED:  # a cache that keeps nothing: no version to tell a stale copy by
        if any(known != structure for known, _language in list(_BRIEFS)):
            _BRIEFS.clear()  # an older version's: never read again
        _BRIEFS[memo_key] = briefs
    return briefs


def report_values(queryset, *, count: int | None = None, narrowed: bool = False):
    """The filtered, ordered reports as the rows `report_rows` takes (to be paged); `count`: how many match, when
    known (the ETag's aggregate); `narrowed`: whether the request filtered them (an unfiltered list is read in
    its index's order: sorting it would read every report)."""
    queryset = queryset.prefetch_related(None)
    ordering = _ordering(queryset)
    # Only a total order (ending with the id) gives the same page whichever way it is found.
    total_order = bool(ordering) and ordering[-1] in ("pk", "-pk", "id", "-id")
    if narrowed and count is not None and count <= SORTED_PAGE_ROWS and total_order:
        return SortedPages(queryset, count, ordering)
    return queryset.values(*REPORT_FIELDS)


def _ordering(queryset) -> list:
    """The queryset's ordering as given (order_by), or its model's default."""
    query = queryset.query
    return list(query.order_by or (queryset.model._meta.ordering if query.default_ordering else ()))


class SortedPages:
    """The filtered reports for Django's paginator, a page read by the ids of its rows, found by sorting the
    matching rows (their sort keys and ids only), then those rows' fields: one query.

    Ordered by `updated_at` (the default), PostgreSQL reads the reports of a year in the order of
    report_updated_idx, walking every newer report of every other year (8,169 rows for 100 of 2019 at the large
    scale, 6.4 ms; more with every year added), because it takes the year's rows to be spread evenly over the
    index. Sorting the year's own rows costs what the year holds (4,003 rows, 1.5 ms). The first sort key is
    given as COALESCE(column, column), which orders the same and which no index offers, so that the planner sorts;
    only when at most SORTED_PAGE_ROWS rows match (an unfiltered list is read in the index's order), and only for
    an order that ends with the id (`report_values`)."""

    ordered = True  # for the paginator's check

    def __init__(self, queryset, count: int, ordering: list):
        self.queryset, self.rows, self.ordering = queryset, count, ordering

    def count(self) -> int:
        return self.rows

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, index: slice) -> list[dict]:
        sorting = list(self.ordering)
        if isinstance(sorting[0], str):
            name = sorting[0].removeprefix("-")
            first = Coalesce(F(name), F(name))
            sorting[0] = first.desc() if sorting[0].startswith("-") else first.asc()
        ids = self.queryset.order_by(*sorting).values("pk")[index]
        rows = self.queryset.model.objects.filter(_one_of(ids)).order_by(*self.ordering)
        return list(rows.values(*REPORT_FIELDS))


def _one_of(ids):
    """`pk IN (ids)`; on PostgreSQL `id = ANY(ARRAY(ids))`: the page's ids computed once (an InitPlan) and looked up
    by the primary key, where `IN (subquery)` let the planner hash them and scan the whole table instead."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    from django.contrib.postgres.expressions import ArraySubquery

    return Func(
        F("pk"), ArraySubquery(ids), template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField()
    )


def report_rows(rows, request) -> list[dict]:
    """A page of `report_values` as ReportSerializer writes it."""
    rows = list(rows)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    values = _target_values(ids)
    attachments = _attachments(ids, request)
    briefs, moment = structure_briefs(), _moments()
    work_items, offices, departments, periods = (
        briefs["work_items"],
        briefs["offices"],
        briefs["departments"],
        briefs["periods"],
    )
    return [
        {
            "id": row["id"],
            "work_item": work_items[row["work_item_id"]],
            "office": offices.get(row["office_id"]),
            "department": departments.get(row["department_id"]),
            "period": periods[row["period_id"]],
            **{name: row[name] for name in Report.EDITABLE_FIELDS},
            "target_values": values.get(row["id"], []),
            "attachments": attachments.get(row["id"], []),
            "state": row["state"],
            "submitted_by": row["submitted_by__username"],
            "submitted_at": moment(row["submitted_at"]),
            "first_submitted_at": moment(row["first_submitted_at"]),
            "reviewed_by": row["reviewed_by__username"],
            "reviewed_at": moment(row["reviewed_at"]),
            "review_comment": row["review_comment"],
            "version": row["version"],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def _target_values(report_ids: list[int]) -> dict[int, list]:
    """{report id: its target values as ReportSerializer writes them}: one query."""
    values: dict[int, list] = {}
    for report_id, target_id, value in (
        TargetValue.objects.filter(report_id__in=report_ids)
        .order_by("target__position")
        .values_list("report_id", "target_id", "value")
    ):
        values.setdefault(report_id, []).append({"target": target_id, "value": value})
    return values


def _attachments(report_ids: list[int], request) -> dict[int, list]:
    """{report id: its attachments as ReportSerializer writes them}: one query."""
    attachments: dict[int, list] = {}
    for report_id, pk, name, size, content_type in (
        Attachment.objects.filter(report_id__in=report_ids)
        .order_by("uploaded_at", "pk")
        .values_list("report_id", "id", "name", "size", "content_type")
    ):
        url = request.build_absolute_uri(reverse("report-attachment", args=[report_id, pk]))
        attachments.setdefault(report_id, []).append(
            {"id": pk, "name": name, "size": size, "content_type": content_type, "url": url}
        )
    return attachments


def obligation_values(queryset):
    """The filtered, ordered obligations (from tracking.selectors.obligations_visible_to) as the rows
    `obligation_rows` takes (to be paged)."""
    return queryset.values(*OBLIGATION_FIELDS)


def obligation_rows(rows, *, today) -> list[dict]:
    """A page of `obligation_values` as ObligationSerializer writes it (`overdue` judged on `today`)."""
    briefs, moment = structure_briefs(), _moments()
    result = []
    for row in rows:
        visible, state, due = bool(row["report_visible"]), row["visible_state"], row["due"]
        received = state in PUBLISHED_STATES
        first = row["report_first_submitted_at"] if visible else None
        result.append(
            {
                "id": row["id"],
                "work_item": briefs["work_items"][row["work_item_id"]],
                "office": briefs["offices"].get(row["office_id"]),
                "department": briefs["departments"].get(row["department_id"]),
                "period": briefs["periods"][row["period_id"]],
                "due": _date.to_representation(due),
                "report": row["report_id"] if visible else None,
                "state": state,
                "first_submitted_at": moment(first),
                "on_time": (timezone.localdate(first) <= due) if received else None,
                "overdue": not received and due < today,
            }
        )
    return result


def json_response(response) -> HttpResponse:
    """The paginated DRF `response` (its data and headers) with its body written by orjson."""
    lean = HttpResponse(orjson.dumps(response.data), content_type="application/json", status=response.status_code)
    for name, value in response.headers.items():
        if name.lower() != "content-type":
            lean[name] = value
    return lean
