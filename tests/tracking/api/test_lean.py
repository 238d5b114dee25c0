"""The lean lists (tracking.api.lean) write exactly what the serializers write: the same keys in the same order and
the same values (datetimes in the site's time zone as DRF writes them, nulls, nested objects), for every role and
both languages, over reports in every state, with target values, attachments, and offices and departments; the
files still come from the serializers; the schema still describes the serializers."""

import csv as csv_module
import datetime
import io
import json
import zoneinfo

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.factories import bulk_reports
from tracking import selectors
from tracking.api import lean
from tracking.api.serializers import ObligationSerializer, ReportSerializer
from tracking.models import Attachment, Obligation, Report

pytestmark = pytest.mark.django_db

USERS = ["admin", "analyst", "guangdong", "pdd", "pad"]


@pytest.fixture
def rich(accounts):
    items = WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 4, 7])
    bulk_reports(items=list(items), periods=list(ReportingPeriod.objects.filter(plan__year=2012)), seed=11)
    assert set(Report.objects.values_list("state", flat=True)) == {"draft", "submitted", "accepted", "returned"}
    assert Report.objects.filter(office__isnull=True).exists() and Report.objects.filter(office__isnull=False).exists()
    assert Report.objects.filter(target_values__isnull=False).exists()
    for index, report in enumerate(Report.objects.order_by("pk")[:40:4]):
        report.submitted_by = accounts["guangdong"]
        report.reviewed_by = accounts["pad"] if index % 2 else None
        report.save()
        for number in range(index % 3):
            Attachment.objects.create(
                report=report,
                file=f"a/{report.pk}-{number}.pdf",
                name=f"“证据” {number}.pdf",
                size=10 + number,
                content_type="application/pdf",
            )
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    report = Report.objects.filter(office=guangdong, state="submitted").first()
    Attachment.objects.create(report=report, file="a/g.pdf", name="g.pdf", size=1, content_type="application/pdf")
    return accounts


def rendered(data):
    return json.loads(JSONRenderer().render(data))


def pairs(rows):
    """Rows with the order of their keys, nested objects included."""
    if isinstance(rows, dict):
        return [(key, pairs(value)) for key, value in rows.items()]
    if isinstance(rows, list):
        return [pairs(row) for row in rows]
    return rows


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("query", ["page_size=500", "state=submitted,accepted&page_size=37&page=2", "ordering=id"])
def test_reports_list_is_what_the_serializer_writes(rich, client_for, username, language, query):
    response = client_for(username).get(f"/api/v1/updates/?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Sync-Watermark"]
    body = json.loads(response.content)
    assert list(body) == ["count", "next", "previous", "watermark", "results"]
    ids = [row["id"] for row in body["results"]]
    assert ids
    request = APIRequestFactory().get("/")
    with translation.override(language):
        reports = {r.pk: r for r in selectors.reports_visible_to(user=rich[username]).filter(pk__in=ids)}
        expected = rendered(ReportSerializer([reports[pk] for pk in ids], many=True, context={"request": request}).data)
    assert pairs(body["results"]) == pairs(expected)
    assert any(row["attachments"] for row in body["results"]) or "state=" in query


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("query", ["page_size=500", "year=2012&state=missing,draft&page_size=200", "period={period}"])
def test_obligations_list_is_what_the_serializer_writes(rich, client_for, username, language, query):
    query = query.format(period=ReportingPeriod.objects.get(label="2012-Q2").pk)
    response = client_for(username).get(f"/api/v1/obligations/?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert list(body) == ["count", "next", "previous", "watermark", "results"]
    ids = [row["id"] for row in body["results"]]
    assert ids
    with translation.override(language):
        obligations = {o.pk: o for o in selectors.obligations_visible_to(user=rich[username]).filter(pk__in=ids)}
        expected = rendered(ObligationSerializer([obligations[pk] for pk in ids], many=True).data)
    assert pairs(body["results"]) == pairs(expected)
    states = {row["state"] for row in body["results"]}
    assert states & {"missing", "draft"}


def test_the_lean_lists_count_every_matching_row(rich, client_for):
    client = client_for("analyst")
    published = Report.objects.filter(state__in=["submitted", "accepted"]).count()
    assert client.get("/api/v1/updates/").json()["count"] == published
    assert client.get("/api/v1/obligations/?year=2012").json()["count"] == Obligation.objects.count()


@pytest.mark.parametrize("name", ["updates", "obligations"])
def test_files_still_come_from_the_serializer(rich, client_for, name):
    client = client_for("admin")
    csv = client.get(f"/api/v1/{name}/?format=csv")
    assert csv.status_code == 200
    header = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("id,work_item.id,work_item.code,work_item.title,office.id,office.short_name")
    assert client.get(f"/api/v1/{name}/?format=xlsx").status_code == 200
    assert client.get(f"/api/v1/{name}/?format=api").status_code == 200


@pytest.mark.parametrize("name", ["updates", "obligations"])
def test_the_lean_lists_keep_their_query_budget(rich, client_for, django_assert_num_queries, name):
    client = client_for("analyst")
    client.get(f"/api/v1/{name}/?page_size=5")  # the structure's brief objects, once per version, into the cache
    # updates: the count with the ETag's latest change, the page, its target values, its attachments;
    # obligations: the count with the ETag's, the page.
    with django_assert_num_queries({"updates": 4, "obligations": 2}[name]):
        client.get(f"/api/v1/{name}/?page_size=500")


def test_a_structure_change_reaches_the_lean_lists_past_the_process_memo(rich, client_for):
    """The brief objects are kept in the process under the structure's version: a save bumps the version, and the
    next list shows the new title, even with the shared cache's copy of the old version still there."""
    client = client_for("analyst")
    report = Report.objects.filter(state="accepted").select_related("work_item").first()
    url = f"/api/v1/updates/?work_item={report.work_item_id}"
    assert client.get(url).json()["results"][0]["work_item"]["title"] == report.work_item.title
    assert len(lean._BRIEFS) == 1  # this version's, in this language
    report.work_item.title = "A title written after the first read"
    report.work_item.save()
    assert client.get(url).json()["results"][0]["work_item"]["title"] == "A title written after the first read"
    assert client.get(f"/api/v1/obligations/?work_item={report.work_item_id}").json()["results"][0]["work_item"][
        "title"
    ] == ("A title written after the first read")
    assert len(lean._BRIEFS) == 1  # the older version's were dropped


MOMENTS = [
    datetime.datetime(2019, 3, 31, 16, 0, tzinfo=datetime.UTC),
    datetime.datetime(2019, 3, 31, 16, 0, 0, 123456, tzinfo=datetime.UTC),
    datetime.datetime(2019, 12, 31, 23, 59, 59, 1, tzinfo=zoneinfo.ZoneInfo("America/St_Johns")),
    datetime.datetime(2019, 6, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    datetime.datetime(2019, 6, 1, 8, 0),  # naive: the field's own path
    None,
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns"])
def test_the_lean_lists_write_times_as_drf_does(zone):
    field = serializers.DateTimeField()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        moment = lean._moments()
        assert [moment(value) for value in MOMENTS] == [
            None if value is None else field.to_representation(value) for value in MOMENTS
        ]
    assert moment(MOMENTS[0]).endswith("Z") == (zone == "UTC")


@pytest.mark.parametrize(
    "query", ["", "ordering=id", "ordering=-submitted_at,-id", "ordering=updated_at,id&state=accepted"]
)
def test_the_lean_reports_list_keeps_the_order_of_the_files(rich, client_for, query):
    """The page is found by its ids (tracking.api.lean.SortedPages): its rows come in the list's order, the order
    the files (written by the serializers, over the same queryset) have."""
    client = client_for("admin")
    csv = client.get(f"/api/v1/updates/?format=csv&{query}")
    rows = list(csv_module.reader(io.StringIO(b"".join(csv.streaming_content).decode("utf-8-sig"))))[1:]
    ids = [int(row[0]) for row in rows]
    assert len(ids) > 150
    for page in (1, 2):
        body = client.get(f"/api/v1/updates/?page_size=150&page={page}&{query}").json()
        assert [row["id"] for row in body["results"]] == ids[(page - 1) * 150 : page * 150]
