"""Notifications: who is told of a report's transition, the e-mail (file backend, language, link, retries), the
preferences, the reminders of `send_reminders` (exact messages, idempotent), the pages and the API."""

import datetime
import email
import email.policy
import logging

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client

from planpromo import settings as settings_module
from programs.models import ReportingPeriod
from tests.helpers import office, period
from tracking import notifications, reminders, services
from tracking.choices import NotificationChannel, NotificationKind, ReportState
from tracking.models import Notification, NotificationPreference, Obligation, ObligationReminder

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def mail_dir(settings, tmp_path):
    """The file:// backend of EMAIL_URL: one file per connection in tmp_path."""
    settings.MAILERS = {"default": settings_module.mailer_from_url(f"file://{tmp_path}")}
    settings.SITE_URL = "https://planpromo.example.org"
    return tmp_path


SEPARATOR = "-" * 79


def mails(directory) -> list[str]:
    """Every message the file backend wrote, as "To: …\nSubject: …\n\nbody" with its headers and body decoded."""
    found = []
    for path in sorted(directory.iterdir()):
        for raw in path.read_text().split(SEPARATOR):
            if raw.strip():
                message = email.message_from_string(raw.strip(), policy=email.policy.default)
                found.append(f"To: {message['To']}\nSubject: {message['Subject']}\n\n{message.get_content()}")
    return found


def with_email(user, address):
    user.email = address
    user.save()
    return user


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_submit_tells_the_reviewers_return_and_accept_tell_the_organisation(
    accounts, make_report, django_capture_on_commit_callbacks
):
    report = make_report()  # guangdong, I.1 (reviewed by the Patent Administration Department: pad)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=accounts["guangdong"])
    assert kinds_of(accounts["pad"]) == [NotificationKind.REPORT_SUBMITTED]
    assert kinds_of(accounts["pdd"]) == [] and kinds_of(accounts["guangdong"]) == []  # pdd does not review I.1
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_return(report=report, user=accounts["pad"], comment="Add the figures of May.")
    returned = Notification.objects.get(recipient=accounts["guangdong"])
    assert returned.kind == NotificationKind.REPORT_RETURNED
    assert returned.url == f"/reports/{report.pk}/edit/"  # the page where the office revises it
    assert notifications.render(returned)[1].endswith("Their comment: Add the figures of May.")
    assert kinds_of(accounts["hunan"]) == []  # another office hears nothing

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=accounts["guangdong"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report=report, user=accounts["pad"])
    assert kinds_of(accounts["pad"]) == [NotificationKind.REPORT_SUBMITTED] * 2  # the resubmission is a new event
    assert kinds_of(accounts["guangdong"]) == [NotificationKind.REPORT_ACCEPTED, NotificationKind.REPORT_RETURNED]


def test_the_same_transition_is_never_notified_twice(accounts, make_report, django_capture_on_commit_callbacks):
    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=accounts["guangdong"])
    # Told again of the same transition (a retried callback): nothing new.
    again = notifications.notify_report_transition(report_id=report.pk, version=report.version, transition="submit")
    assert again == []
    assert Notification.objects.filter(recipient=accounts["pad"]).count() == 1


def test_returned_report_is_emailed_in_the_recipients_language_with_the_link(
    accounts, make_report, mail_dir, django_capture_on_commit_callbacks
):
    guangdong = with_email(accounts["guangdong"], "gd@example.org")
    with_email(accounts["pad"], "pad@example.org")
    notifications.preference_set(user=guangdong, language="zh-hans", channels={k: "email" for k in NotificationKind})
    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=guangdong)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, user=accounts["pad"], comment="请补充五月数据。")
    sent = mails(mail_dir)
    assert len(sent) == 2  # pad's "awaits your review", guangdong's "returned"
    to_pad = next(m for m in sent if "To: pad@example.org" in m)
    to_guangdong = next(m for m in sent if "To: gd@example.org" in m)
    assert "awaits your review" in to_pad and f"https://planpromo.example.org/reports/{report.pk}/" in to_pad
    assert "I.1" in to_guangdong and "广东" in to_guangdong  # Chinese text, the office's Chinese name
    assert f"https://planpromo.example.org/reports/{report.pk}/edit/" in to_guangdong
    assert "Their comment" not in to_guangdong  # not the English text
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_in_app_only_kinds_and_users_without_address_get_no_email(
    accounts, make_report, mail_dir, django_capture_on_commit_callbacks
):
    guangdong = with_email(accounts["guangdong"], "gd@example.org")
    notifications.preference_set(
        user=guangdong, language="en", channels={NotificationKind.REPORT_ACCEPTED: NotificationChannel.EMAIL}
    )
    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=guangdong)  # pad has no e-mail address
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_return(report=report, user=accounts["pad"], comment="More.")  # in-app only
    assert mails(mail_dir) == []
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=guangdong)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report=report, user=accounts["pad"])
    [accepted] = mails(mail_dir)
    assert "To: gd@example.org" in accepted and "was accepted" in accepted
    assert Notification.objects.filter(recipient=guangdong).count() == 2  # both in the app


def test_a_failing_mail_server_is_retried_logged_and_never_undoes_the_transition(
    accounts, make_report, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    with_email(accounts["guangdong"], "gd@example.org")
    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=accounts["guangdong"])
    with (
        caplog.at_level(logging.WARNING, logger="planpromo.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.report_return(report=report, user=accounts["pad"], comment="More.")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    notification = Notification.objects.get(recipient=accounts["guangdong"])
    # The immediate backend of the tests cannot defer: the retries run at once, then it is given up.
    assert notification.emailed_at is None
    assert notification.email_attempts == len(notifications.EMAIL_RETRY_DELAYS) + 1
    messages = [r.getMessage() for r in caplog.records if r.name == "planpromo.notifications"]
    assert sum("will retry" in m for m in messages) == len(notifications.EMAIL_RETRY_DELAYS)
    assert messages[-1] == "notification e-mail given up"


# --- Reminders ---------------------------------------------------------------------------------------------------


def outstanding_codes(organisation, label):
    obligations = Obligation.objects.of_organisation(organisation).filter(period=period(label)).outstanding()
    return sorted(
        (o.work_item.program.number, o.work_item.number, o.work_item.code)
        for o in obligations.select_related("work_item__program")
    )


def test_send_reminders_around_a_due_date_sends_exactly_what_the_rules_say_once(
    accounts, make_report, mail_dir, django_capture_on_commit_callbacks, capsys
):
    guangdong = with_email(accounts["guangdong"], "gd@example.org")
    make_report(code="I.1", label="2012-Q2")  # a draft: still owed
    submitted = make_report(code="I.2", label="2012-Q2")
    services.report_submit(report=submitted, user=guangdong)  # received: not owed any more
    q2 = period("2012-Q2")  # due 2012-07-15; the plan's lead time is 7 days
    assert (q2.due, q2.plan.reminder_days) == (datetime.date(2012, 7, 15), 7)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", "2012-07-08")
    deadline = Notification.objects.get(recipient=guangdong, kind=NotificationKind.DEADLINE_APPROACHING)
    expected = [code for _p, _n, code in outstanding_codes(office("Guangdong"), "2012-Q2")]
    assert "I.1" in expected and "I.2" not in expected
    assert deadline.params["codes"] == expected and deadline.params["count"] == len(expected)
    assert deadline.url == f"/my-work/?period={q2.pk}"
    overdue = Notification.objects.get(recipient=guangdong, kind=NotificationKind.OBLIGATION_OVERDUE)  # Q1
    assert overdue.params["period"] == "2012-Q1"
    assert overdue.params["codes"] == [c for _p, _n, c in outstanding_codes(office("Guangdong"), "2012-Q1")]
    # Each office and department with users gets its own; the reviewers get the digest.
    assert sorted(
        Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST).values_list("recipient__username", flat=True)
    ) == ["pad", "pdd"]
    sent = mails(mail_dir)  # guangdong alone has an address: its deadline and its overdue reminders
    assert [m.splitlines()[0] for m in sent] == ["To: gd@example.org"] * 2
    [due] = [m for m in sent if "due on 2012-07-15" in m]
    assert f"Subject: {len(expected)} reports for 2012-Q2 are due on 2012-07-15" in due
    assert f"https://planpromo.example.org/my-work/?period={q2.pk}" in due and ", ".join(expected) in due
    first_count = Notification.objects.count()

    capsys.readouterr()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", "2012-07-08")
    assert "sent 0 notifications" in capsys.readouterr().out
    assert Notification.objects.count() == first_count and len(mails(mail_dir)) == 2

    # A week on: Q2 is overdue (round 0), Q1 in its next weekly round; no second deadline reminder; a new digest.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", "2012-07-16")
    assert sorted(Notification.objects.filter(recipient=guangdong).values_list("kind", "params__period")) == [
        (NotificationKind.DEADLINE_APPROACHING, "2012-Q2"),
        (NotificationKind.OBLIGATION_OVERDUE, "2012-Q1"),
        (NotificationKind.OBLIGATION_OVERDUE, "2012-Q1"),
        (NotificationKind.OBLIGATION_OVERDUE, "2012-Q2"),
    ]
    assert Notification.objects.filter(recipient=accounts["pad"], kind=NotificationKind.OVERDUE_DIGEST).count() == 2


def test_dry_run_stores_and_sends_nothing(accounts, mail_dir, django_capture_on_commit_callbacks):
    with_email(accounts["guangdong"], "gd@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        run = reminders.reminders_send(today=datetime.date(2012, 7, 8), dry_run=True)
    assert len(run.notifications) > 0 and run.deadline_obligations > 0
    assert Notification.objects.count() == 0 and ObligationReminder.objects.count() == 0 and mails(mail_dir) == []


def test_send_reminders_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--today", "2012-13-40")


def test_overdue_reminders_stop_once_the_period_is_closed(accounts):
    plan = ReportingPeriod.objects.get(label="2012-Q1").plan
    plan.close_after_days = 30  # Q1, due 2012-04-15, closes after 2012-05-15
    plan.save()
    run = reminders.reminders_send(today=datetime.date(2012, 5, 20))
    assert not any(n.params.get("period") == "2012-Q1" for n in run.notifications)
    run = reminders.reminders_send(today=datetime.date(2012, 5, 10))
    assert any(n.params.get("period") == "2012-Q1" for n in run.notifications)


# --- Pages and API -----------------------------------------------------------------------------------------------


def notification_for(user, key="k1", kind=NotificationKind.REPORT_ACCEPTED):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        key=key,
        params={"code": "I.1", "period": "2012-Q1", "organisation": "Guangdong", "organisation_zh": "广东"},
        url="/my-work/",
    )


def test_api_lists_only_the_callers_own_and_marks_read(accounts, client_for):
    mine = [notification_for(accounts["guangdong"], key=f"k{i}") for i in range(3)]
    theirs = notification_for(accounts["hunan"])
    client = client_for("guangdong")
    body = client.get("/api/v1/notifications/").json()
    assert sorted(n["id"] for n in body["results"]) == sorted(n.pk for n in mine)
    assert body["results"][0]["subject"] == "Report I.1 · Guangdong · 2012-Q1 was accepted"
    response = client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert sorted(n["id"] for n in unread) == sorted(n.pk for n in mine[1:])
    assert [n["id"] for n in client.get("/api/v1/notifications/?unread=false").json()["results"]] == [mine[0].pk]
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400
    # Another user's notification does not exist for the caller, and stays unread.
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Chinese for a Chinese request.
    zh = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]["subject"]
    assert "广东" in zh


def test_api_requires_sign_in(api_client, accounts):
    notification = notification_for(accounts["guangdong"])
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)
    assert api_client.post(f"/api/v1/notifications/{notification.pk}/read/").status_code in (401, 403)


def test_bell_counts_unread_and_the_page_marks_read(accounts):
    guangdong = accounts["guangdong"]
    first, second = notification_for(guangdong, "a"), notification_for(guangdong, "b")
    notification_for(accounts["hunan"], "c")
    client = Client()
    client.force_login(guangdong)
    page = client.get("/notifications/").content.decode()
    assert 'data-testid="unread-count">2<' in page and page.count('data-testid="notification"') == 2
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert 'data-testid="unread-count">1<' in client.get("/notifications/").content.decode()
    assert client.post("/notifications/read-all/").status_code == 302
    assert "unread-count" not in client.get("/notifications/").content.decode()
    second.refresh_from_db()
    assert second.read_at is not None
    other = Notification.objects.get(recipient=accounts["hunan"])
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404


def test_preferences_page_saves_channels_and_language(accounts):
    client = Client()
    client.force_login(accounts["hunan"])
    assert client.get("/notifications/preferences/").status_code == 200
    data = {"language": "zh-hans", **{f"kind_{k}": "in_app" for k in NotificationKind}}
    data[f"kind_{NotificationKind.REPORT_RETURNED}"] = "email"
    assert client.post("/notifications/preferences/", data).status_code == 302
    preference = NotificationPreference.objects.get(user=accounts["hunan"])
    assert (preference.language, preference.email_kinds) == ("zh-hans", [NotificationKind.REPORT_RETURNED])
    bad = client.post("/notifications/preferences/", {**data, "language": "xx"})
    assert bad.status_code == 200  # the form again, with its error; nothing changed
    preference.refresh_from_db()
    assert preference.language == "zh-hans"


def test_notification_list_queries_are_constant(accounts, client_for, django_assert_num_queries):
    guangdong = accounts["guangdong"]
    api, page = client_for("guangdong"), Client()
    page.force_login(guangdong)
    for size in (3, 60):
        for i in range(Notification.objects.filter(recipient=guangdong).count(), size):
            notification_for(guangdong, key=f"n{i}")
        # API: the count and the page of notifications (the profile is read with the user by the authentication).
        with django_assert_num_queries(2):
            assert len(api.get("/api/v1/notifications/?unread=true").json()["results"]) == size
        # Page: session, user, profile; the count and the page of notifications; the bell's unread count.
        with django_assert_num_queries(6):
            assert page.get("/notifications/").status_code == 200
