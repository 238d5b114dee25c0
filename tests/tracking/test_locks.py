"""Period locks: a period closes some days after its due date (per plan, per period); offices and departments can
then no longer create, edit, submit or attach, in the API (409), the pages and the services; reviewers still
review; an administrator reopens it for everyone or one organisation, audited."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from programs.models import PeriodReopening
from tests.helpers import FIELDS, item, office, period
from tracking import locks, services
from tracking.choices import ReportState
from tracking.locks import PeriodLocked, period_is_locked_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/api/v1/updates/"


def close_plan(days=30):
    """The 2012 plan's periods close `days` after their due date: Q1 (due 2012-04-15) is closed today."""
    plan = period("2012-Q1").plan
    plan.close_after_days = days
    plan.save()
    return plan


def test_periods_never_close_by_default_so_the_2012_plan_stays_usable():
    q1 = period("2012-Q1")
    assert q1.closes_on is None
    assert not period_is_locked_for(q1, office("Guangdong"))


def test_closing_day_comes_from_the_plan_or_the_period():
    close_plan(30)
    q1, q2 = period("2012-Q1"), period("2012-Q2")
    assert q1.closes_on == datetime.date(2012, 5, 15)
    q2.close_after_days = 0
    q2.save()
    assert period("2012-Q2").closes_on == datetime.date(2012, 7, 15)
    assert not period_is_locked_for(q1, None, today=datetime.date(2012, 5, 15))  # open through its closing day
    assert period_is_locked_for(q1, None, today=datetime.date(2012, 5, 16))


def test_locked_period_refuses_the_offices_writes_in_the_api_with_409(
    make_report, client_for, accounts, settings, tmp_path
):
    draft = make_report()  # guangdong, I.1, 2012-Q1, written while the period was open
    close_plan()
    client = client_for("guangdong")
    created = client.post(URL, {"work_item": item("I.2").pk, "period": period("2012-Q1").pk, **FIELDS}, format="json")
    assert created.status_code == 409
    assert "closed on 2012-05-15" in created.json()["detail"] and "reopen" in created.json()["detail"]
    edited = client.patch(f"{URL}{draft.pk}/", {"version": draft.version, "percent_complete": 90}, format="json")
    assert edited.status_code == 409
    assert client.post(f"{URL}{draft.pk}/submit/", {"version": draft.version}, format="json").status_code == 409
    attached = client.post(
        f"{URL}{draft.pk}/attachments/",
        {"file": SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert attached.status_code == 409
    draft.refresh_from_db()
    assert (draft.state, draft.percent_complete, draft.version, draft.attachments.count()) == (
        ReportState.DRAFT,
        FIELDS["percent_complete"],
        1,
        0,
    )


def test_reviewers_still_review_after_the_close(make_report, accounts):
    report = services.report_submit(report=make_report(), user=accounts["guangdong"])
    close_plan()
    returned = services.report_return(report=report, user=accounts["pad"], comment="Add May.")
    assert returned.state == ReportState.RETURNED
    with pytest.raises(PeriodLocked):  # but the office cannot resubmit
        services.report_submit(report=returned, user=accounts["guangdong"])


def test_reopening_for_one_organisation_until_a_date(make_report, client_for, accounts):
    guangdong_report, hunan_report = make_report(), make_report(username="hunan")
    close_plan()
    today = timezone.localdate()
    reopening = locks.period_reopen(
        period=period("2012-Q1"),
        user=accounts["admin"],
        until=today + datetime.timedelta(days=3),
        reason="Late data from the finance bureau",
        office=office("Guangdong"),
    )
    ok = client_for("guangdong").patch(
        f"{URL}{guangdong_report.pk}/", {"version": 1, "percent_complete": 90}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["percent_complete"] == 90
    refused = client_for("hunan").patch(
        f"{URL}{hunan_report.pk}/", {"version": 1, "percent_complete": 90}, format="json"
    )
    assert refused.status_code == 409
    assert not period_is_locked_for(period("2012-Q1"), office("Guangdong"))
    assert period_is_locked_for(period("2012-Q1"), office("Guangdong"), today=today + datetime.timedelta(days=4))
    # Audited: the reopening's history says who made it.
    assert [h.history_user for h in reopening.history.all()] == [accounts["admin"]]


def test_reopening_for_everyone_shows_in_the_periods_api(accounts, client_for):
    close_plan()
    q1 = period("2012-Q1")

    def listed():
        rows = client_for("analyst").get("/api/v1/periods/?year=2012").json()["results"]
        return {row["label"]: (row["closes_on"], row["locked"]) for row in rows}

    assert listed()["2012-Q1"] == ("2012-05-15", True)
    locks.period_reopen(period=q1, user=accounts["admin"], until=timezone.localdate(), reason="Audit catch-up")
    assert listed()["2012-Q1"] == ("2012-05-15", False)
    locks.period_reopen(
        period=period("2012-Q2"), user=accounts["admin"], until=timezone.localdate(), reason="x", office=office("Hunan")
    )
    assert listed()["2012-Q2"] == ("2012-08-14", True)  # reopened for one office only: locked for everyone else


def test_reopening_needs_a_reason_a_future_date_and_at_most_one_organisation(accounts):
    from django.core.exceptions import ValidationError

    from participants.models import Department

    q1 = period("2012-Q1")
    admin = accounts["admin"]
    with pytest.raises(ValidationError) as error:
        locks.period_reopen(period=q1, user=admin, until=datetime.date(2020, 1, 1), reason=" ")
    assert set(error.value.message_dict) == {"until", "reason"}
    with pytest.raises(ValidationError):
        locks.period_reopen(
            period=q1,
            user=admin,
            until=timezone.localdate(),
            reason="x",
            office=office("Hunan"),
            department=Department.objects.first(),
        )
    assert PeriodReopening.objects.count() == 0


def test_pages_show_the_lock_and_refuse_the_edit_until_reopened(make_report, accounts):
    report = make_report()
    close_plan()
    client = Client()
    client.force_login(accounts["guangdong"])
    form = client.get(f"/reports/{report.pk}/edit/").content.decode()
    assert 'data-testid="period-lock"' in form and "closed on 2012-05-15" in form
    assert (
        "已锁定：于 2012-05-15 关闭"
        in client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    data = {**FIELDS, "summary": "Figures for the pilot cities added.", "version": report.version, "action": "save"}
    refused = client.post(f"/reports/{report.pk}/edit/", data)
    assert refused.status_code == 200 and "Ask an administrator to reopen it." in refused.content.decode()
    report.refresh_from_db()
    assert report.version == 1
    dashboard = client.get(f"/plans/2012/?period={period('2012-Q1').pk}").content.decode()
    assert "closed on 2012-05-15" in dashboard

    # The administrator reopens it in the admin: audited, and the office can save again.
    admin = Client()
    admin.force_login(accounts["admin"])
    until = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = admin.post(
        "/admin/programs/periodreopening/add/",
        {"period": period("2012-Q1").pk, "office": office("Guangdong").pk, "until": until, "reason": "Late data"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PeriodReopening.objects.get().created_by == accounts["admin"]
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    report.refresh_from_db()
    assert report.version == 2
    assert "Reopened until" in client.get(f"/reports/{report.pk}/").content.decode()


def test_seed_demo_keeps_the_demo_plans_periods_open():
    from django.core.management import call_command

    close_plan()
    q2 = period("2012-Q2")
    q2.close_after_days = 3
    q2.save()
    call_command("seed_demo", "--no-reports", "--password", "demo-password-for-tests", verbosity=0)
    assert [p.closes_on for p in period("2012-Q1").plan.periods.all()] == [None] * 5
