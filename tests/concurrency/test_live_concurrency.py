"""Concurrent clients against the live server on PostgreSQL: nothing is stored twice, nothing is lost, a race is
refused by the row lock or the unique constraint (not by luck), and no request fails with a 500.

Each client is a thread with its own HTTP session and token; a barrier releases them together.
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, transaction

from participants.models import ProvincialOffice
from tests.concurrency.helpers import Client, reporter_of, run_at_once
from tests.helpers import item, period
from tracking.models import Report

pytestmark = pytest.mark.postgres

FIGURES: dict[str, dict] = {}
DUPLICATE = "This office already has a report on this work item for this period."


def fields(summary="Pilot enterprises selected."):
    return {"status": "on_track", "percent_complete": 30, "summary": summary}


def assert_no_server_error(clients):
    statuses = [status for client in clients for status in client.statuses]
    assert not [status for status in statuses if status >= 500], statuses
    return statuses


def test_32_offices_report_and_submit_at_once(require_postgres, live):
    """One client per office creates and submits its report on I.1 (scope `all`) for the same period."""
    work_item, q1 = item("I.1"), period("2012-Q1")
    offices = list(ProvincialOffice.objects.order_by("pk"))
    assert len(offices) == 32
    clients = [Client(live.url, reporter_of(office)[1]) for office in offices]

    def journey(client):
        def run():
            body = {"work_item": work_item.pk, "period": q1.pk, **fields(f"Report of client {id(client)}")}
            created = client.request("POST", "/api/v1/updates/", json=body)
            assert created.status_code == 201, created.text
            report = created.json()
            submitted = client.request(
                "POST", f"/api/v1/updates/{report['id']}/submit/", json={"version": report["version"]}
            )
            assert submitted.status_code == 200, submitted.text
            return submitted.json()

        return run

    results = run_at_once([journey(client) for client in clients])
    assert_no_server_error(clients)

    reports = Report.objects.filter(work_item=work_item, period=q1)
    assert reports.count() == 32
    assert sorted(reports.values_list("office_id", flat=True)) == sorted(o.pk for o in offices)
    assert {r["id"] for r in results} == set(reports.values_list("pk", flat=True))
    for report in reports:
        assert (report.state, report.version) == ("submitted", 2)
        # create, submit: each version in the history, in order
        assert list(report.history.order_by("history_id").values_list("version", "history_change_reason")) == [
            (1, "create"),
            (2, "submit"),
        ]
    FIGURES["32 offices"] = {"clients": 32, "reports stored": reports.count(), "writes lost": 0}
    for client in clients:
        client.close()


@pytest.mark.parametrize("via", ["body", "if-match"])
def test_10_clients_editing_the_same_version_one_wins(require_postgres, live, via):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    tokens = [reporter_of(guangdong, f"-{n}")[1] for n in range(10)]
    clients = [Client(live.url, token) for token in tokens]
    created = clients[0].request(
        "POST", "/api/v1/updates/", json={"work_item": item("I.1").pk, "period": period().pk, **fields()}
    )
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]
    read = clients[0].request("GET", f"/api/v1/updates/{report_id}/")
    old_version, etag = read.json()["version"], read.headers["ETag"]

    def edit(n, client):
        def run():
            if via == "body":
                return client.request(
                    "PATCH", f"/api/v1/updates/{report_id}/", json={"version": old_version, "summary": f"Edit {n}"}
                )
            return client.request(
                "PATCH", f"/api/v1/updates/{report_id}/", json={"summary": f"Edit {n}"}, headers={"If-Match": etag}
            )

        return run

    responses = run_at_once([edit(n, client) for n, client in enumerate(clients)])
    assert_no_server_error(clients)

    refused = 409 if via == "body" else 412
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [refused] * 9, statuses
    winner = next(n for n, r in enumerate(responses) if r.status_code == 200)
    for response in responses:
        if response.status_code == refused:
            assert "has changed since you read it" in response.json()["detail"]
    report = Report.objects.get(pk=report_id)
    assert report.version == old_version + 1
    assert report.summary == f"Edit {winner}"  # the winner's edit, whole
    assert report.history.count() == 2
    FIGURES[f"10 editors ({via})"] = {"clients": 10, "conflicts detected": statuses.count(refused), "writes lost": 0}
    for client in clients:
        client.close()


def test_10_clients_creating_the_same_report_one_is_created(require_postgres, live):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    clients = [Client(live.url, reporter_of(guangdong, f"-{n}")[1]) for n in range(10)]
    body = {"work_item": item("I.1").pk, "period": period().pk}

    responses = run_at_once(
        [
            (lambda c=client, n=n: c.request("POST", "/api/v1/updates/", json={**body, **fields(f"Client {n}")}))
            for n, client in enumerate(clients)
        ]
    )
    assert_no_server_error(clients)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * 9, statuses
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {"non_field_errors": [DUPLICATE]}
    reports = Report.objects.filter(work_item=item("I.1"), period=period(), office=guangdong)
    assert reports.count() == 1
    created = next(r for r in responses if r.status_code == 201).json()
    assert reports.get().pk == created["id"] and reports.get().summary == created["summary"]
    # The refusal is the database's: a second row for the same item, office and period cannot be written even by a
    # write that skips the service's check.
    duplicate = Report(work_item=item("I.1"), period=period(), office=guangdong, summary="Bypassing the service.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.bulk_create([duplicate])
    FIGURES["10 creators"] = {"clients": 10, "duplicates refused": statuses.count(400), "writes lost": 0}
    for client in clients:
        client.close()


def test_locking_a_report_locks_only_its_row(require_postgres, live):
    """While one writer holds a report (tracking.services._locked), others may still lock its work item and period
    (which every new report's foreign key check does, FOR KEY SHARE): otherwise 32 offices submitting at once
    queue on one work item row and deadlock with the creations."""
    from django.db import DatabaseError, connections

    from programs.models import ReportingPeriod, WorkItem
    from tracking import services

    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    user, _ = reporter_of(guangdong)
    report = services.report_create(user=user, work_item=item("I.1"), period=period(), fields=fields())
    held, release, outcome = threading.Event(), threading.Event(), {}

    def hold():
        with transaction.atomic():
            services._locked(report)
            held.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        with transaction.atomic():
            try:
                WorkItem.objects.select_for_update(nowait=True).get(pk=report.work_item_id)
                ReportingPeriod.objects.select_for_update(nowait=True).get(pk=report.period_id)
                outcome["locked"] = False
            except DatabaseError:
                outcome["locked"] = True
    finally:
        release.set()
        holder.join(30)
    assert outcome == {"locked": False}
