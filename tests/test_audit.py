"""The record of who did what: sign-ins, sign-outs, failures and lock-outs on the planpromo.audit logger, with
user, time and address, as JSON lines in production."""

import copy
import datetime
import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from planpromo.audit import audit_log
from tests.factories import UserFactory

ADDRESS = "203.0.113.7"  # a documentation address (RFC 5737)


@pytest.fixture
def audit(caplog):
    caplog.set_level("INFO", logger="planpromo.audit")

    def records():
        return [record for record in caplog.records if record.name == "planpromo.audit"]

    return records


def fields(record):
    return {key: getattr(record, key) for key in ("event", "user_id", "username", "address")}


def sign_in(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def test_sign_in_and_sign_out_are_recorded_with_user_and_address(db, audit):
    user = UserFactory(username="guangdong", is_staff=True)
    client = Client()

    sign_in(client, "guangdong", "correct-horse-battery")
    client.post("/admin/logout/", REMOTE_ADDR=ADDRESS)

    assert [fields(record) for record in audit()] == [
        {"event": "auth.login", "user_id": user.pk, "username": "guangdong", "address": ADDRESS},
        {"event": "auth.logout", "user_id": user.pk, "username": "guangdong", "address": ADDRESS},
    ]


def test_failed_sign_ins_and_the_lock_out_are_recorded_without_the_password(db, audit):
    UserFactory(username="guangdong", is_staff=True)

    for _ in range(5):
        sign_in(Client(), "guangdong", "hunter2-wrong")

    events = [fields(record) for record in audit()]
    failed = {"event": "auth.login_failed", "user_id": None, "username": "guangdong", "address": ADDRESS}
    # django-axes handles the fifth failure (and announces the lock-out) before the audit receiver records it.
    assert events == [failed] * 4 + [{**failed, "event": "auth.locked_out"}, failed]
    assert all("hunter2" not in record.getMessage() and "hunter2" not in str(vars(record)) for record in audit())


def test_audit_log_records_the_fields_the_caller_gives(db, audit, rf):
    user = UserFactory(username="reviewer")
    request = rf.post("/api/v1/reports/7/approve/", REMOTE_ADDR=ADDRESS)

    audit_log("report.approved", user=user, request=request, report=7, state="approved", name="clash")

    (record,) = audit()
    assert fields(record) == {
        "event": "report.approved",
        "user_id": user.pk,
        "username": "reviewer",
        "address": ADDRESS,
    }
    assert (record.report, record.state, record.name_) == (7, "approved", "clash")  # `name` is the logger's own
    assert record.getMessage() == (
        f"report.approved user_id={user.pk} username=reviewer address={ADDRESS} report=7 state=approved name_=clash"
    )


def test_the_address_behind_trusted_proxies_is_the_one_they_saw(db, audit, rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client claims 10.9.9.9; the one proxy appended the address it really saw.
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")

    audit_log("token.revoked", user=None, request=request)

    assert audit()[0].address == "198.51.100.4"


def test_production_writes_each_record_as_one_json_object(db, audit, rf):
    config = copy.deepcopy(settings.LOGGING["formatters"]["json"])
    formatter = import_string(config.pop("()"))(**config)
    user = UserFactory(username="analyst")

    audit_log("token.created", user=user, request=rf.get("/", REMOTE_ADDR=ADDRESS), token_id="abc12345")
    line = formatter.format(audit()[0])

    data = json.loads(line)
    assert "\n" not in line
    assert {key: data[key] for key in ("level", "logger", "event", "user_id", "username", "address", "token_id")} == {
        "level": "INFO",
        "logger": "planpromo.audit",
        "event": "token.created",
        "user_id": user.pk,
        "username": "analyst",
        "address": ADDRESS,
        "token_id": "abc12345",
    }
    recorded = datetime.datetime.fromisoformat(data["time"])
    assert abs(recorded - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
