"""Incremental sync: every syncable list (updates, obligations, target values) carries a watermark; passed back as
`updated_after`, it fetches exactly what was created, changed, submitted or returned since."""

import datetime

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from programs.models import Target
from tests.helpers import FIELDS, item, period
from tracking import services

pytestmark = pytest.mark.django_db


def page(client, path, **params):
    response = client.get(path, {"page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    return response


def ids(response, key="id"):
    return {row[key] for row in response.json()["results"]}


@pytest.fixture
def before(accounts, make_report, time_machine):
    """Reports written two hours ago: a Guangdong draft (I.1), Hunan's submitted I.1, a Tianjin draft (I.1), and
    PAD's draft on IV.2 with a target value."""
    time_machine.move_to(timezone.now() - datetime.timedelta(hours=2), tick=True)
    reports = {
        "draft": make_report("guangdong", "I.1"),
        "submitted": services.report_submit(report=make_report("hunan", "I.1"), user=accounts["hunan"]),
        "to_submit": make_report("tianjin", "I.1"),
    }
    target = Target.objects.get(work_item=item("IV.2"))
    reports["values"] = services.report_create(
        user=accounts["pad"], work_item=item("IV.2"), period=period("2012-Q1"), fields=FIELDS,
        target_values=[(target, 3)],
    )  # fmt: skip
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2), tick=True)
    return reports


def test_create_update_and_submit_after_a_watermark_fetch_exactly_those_rows(before, accounts, client_for):
    admin = client_for("admin")
    first = page(admin, "/api/v1/updates/")
    assert ids(first) == {r.pk for r in before.values()}
    watermark = first.json()["watermark"]
    assert first["X-Sync-Watermark"] == watermark
    assert parse_datetime(watermark) <= timezone.now()

    created = services.report_create(
        user=accounts["guangdong"], work_item=item("I.2"), period=period("2012-Q1"), fields=FIELDS
    )
    draft = before["draft"]
    updated = services.report_update(report=draft, user=accounts["guangdong"], version=draft.version, fields={
        "summary": "Now with the finance bureau's figures."
    })  # fmt: skip
    submitted = services.report_submit(report=before["to_submit"], user=accounts["tianjin"])
    changed = {created.pk, updated.pk, submitted.pk}

    assert ids(page(admin, "/api/v1/updates/", updated_after=watermark)) == changed
    obligations = page(admin, "/api/v1/obligations/", updated_after=watermark)
    assert ids(obligations, "report") == changed
    assert ids(page(admin, "/api/v1/updates/", updated_before=watermark)) == {r.pk for r in before.values()} - changed
    # Nothing since the second watermark.
    again = page(admin, "/api/v1/updates/", updated_after=watermark).json()["watermark"]
    later = datetime.timedelta(seconds=61)
    assert ids(page(admin, "/api/v1/updates/", updated_after=(parse_datetime(again) + later).isoformat())) == set()


def test_target_values_sync_by_their_report(before, accounts, client_for):
    pad = client_for("pad")
    first = page(pad, "/api/v1/target-values/")
    assert ids(first, "report") == {before["values"].pk}
    watermark = first.json()["watermark"]
    assert page(pad, "/api/v1/target-values/", updated_after=watermark).json()["results"] == []
    report = before["values"]
    target = Target.objects.get(work_item=item("IV.2"))
    services.report_update(report=report, user=accounts["pad"], version=report.version, fields={},
                           target_values=[(target, 7)])  # fmt: skip
    [row] = page(pad, "/api/v1/target-values/", updated_after=watermark).json()["results"]
    assert (row["report"], row["target"], row["value"]) == (report.pk, target.pk, 7)


def test_a_returned_report_reaches_a_readers_obligations_sync_and_nothing_else_does(before, accounts, client_for):
    analyst = client_for("analyst")
    watermark = page(analyst, "/api/v1/obligations/").json()["watermark"]
    # Guangdong edits its draft (unseen by the analyst); PAD returns Hunan's published report.
    draft = before["draft"]
    services.report_update(report=draft, user=accounts["guangdong"], version=draft.version, fields={"summary": "x"})
    services.report_return(report=before["submitted"], user=accounts["pad"], comment="Add the figures.")
    rows = page(analyst, "/api/v1/obligations/", updated_after=watermark).json()["results"]
    hunan_i1 = [r for r in rows if r["office"] and r["office"]["short_name"] == "Hunan"]
    assert len(rows) == 1 and len(hunan_i1) == 1
    assert (hunan_i1[0]["state"], hunan_i1[0]["report"]) == ("missing", None)


def test_the_watermark_comes_with_files_too(before, client_for):
    response = client_for("admin").get("/api/v1/updates/", {"format": "csv"})
    assert response.status_code == 200
    assert parse_datetime(response["X-Sync-Watermark"]) is not None
