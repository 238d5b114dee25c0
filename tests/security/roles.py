"""The roles the security, fuzzing and concurrency tests act as, and the data they act on.

Each role is a demo account (tracking.demo) except two: `anonymous` (no credentials) and `no_role` (signed in, no
profile). Guangdong's report on I.1 (scope `all`; PAD is responsible and leads program I) is the "own" object of
Guangdong and PAD's review; Hunan's report on I.1 is Guangdong's "foreign" one. PDD is an unrelated department.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from participants.services import api_token_create
from tests.helpers import FIELDS, item, period
from tracking import services
from tracking.demo import demo_accounts_ensure

PASSWORD = "demo-password-for-tests"
ROLES = ["anonymous", "no_role", "admin", "pad", "pdd", "guangdong", "hunan", "tianjin", "analyst"]


def accounts_ensure() -> dict:
    """The demo accounts and a signed-in user without a role, by role name."""
    _, users = demo_accounts_ensure(password=PASSWORD)
    User = get_user_model()
    no_role, created = User.objects.get_or_create(username="norole")
    if created:
        no_role.set_password(PASSWORD)
        no_role.save()
    users["no_role"] = no_role
    return users


def tokens_for(users: dict) -> dict[str, str | None]:
    """A knox token per role (None for anonymous)."""
    tokens: dict[str, str | None] = {"anonymous": None}
    for role in ROLES[1:]:
        _, tokens[role] = api_token_create(user=users[role], name=f"tests {role}")
    return tokens


def report_of(users, username: str, *, code="I.1", label="2012-Q1", state="draft"):
    """A report by the account's organisation, moved to `state` by the services (admin reviews)."""
    report = services.report_create(user=users[username], work_item=item(code), period=period(label), fields=FIELDS)
    if state == "draft":
        return report
    report = services.report_submit(report=report, user=users[username])
    if state == "accepted":
        report = services.report_accept(report=report, user=users["admin"])
    elif state == "returned":
        report = services.report_return(report=report, user=users["admin"], comment="Add the figures.")
    return report
