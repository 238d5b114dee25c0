"""The object permissions of tracking/permissions.py, asked directly for every actor, report and state, against the
workflow's model (tests/fuzz/test_report_properties.py: READERS, WORKFLOW): who reads, edits and reviews what. The
matrices ask the same through the API and the pages, where a selector may answer first; the admin, the pages'
buttons and scripts ask these functions themselves. Users without a role, and deactivated users, may do nothing."""

import pytest

from tests.factories import UserFactory
from tests.fuzz.test_report_properties import READERS
from tests.security.roles import accounts_ensure, report_of
from tracking import permissions, services
from tracking.models import Report

pytestmark = pytest.mark.django_db

STATES = {"draft": "2012-Q1", "submitted": "2012-Q2", "returned": "2012-Q3", "accepted": "2012-Q4"}
# (author, item): the actor's relation to the report. PAD leads programs I and VII; PDD is responsible for VII.1.
RELATION = {
    ("guangdong", "I.1"): {"admin": "admin", "pad": "reviewer", "pdd": "stranger", "guangdong": "own",
                           "hunan": "stranger", "analyst": "analyst"},
    ("pad", "I.1"): {"admin": "admin", "pad": "own", "pdd": "stranger", "guangdong": "stranger", "hunan": "stranger",
                     "analyst": "analyst"},
    ("pdd", "VII.1"): {"admin": "admin", "pad": "reviewer", "pdd": "own", "guangdong": "stranger",
                       "hunan": "stranger", "analyst": "analyst"},
}  # fmt: skip
ACTORS = ["admin", "pad", "pdd", "guangdong", "hunan", "analyst", "no_role", "inactive", "inactive_pad"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        users = accounts_ensure()
        inactive = users["tianjin"]
        inactive.is_active = False  # an office reporter of an office taking part in I.1, deactivated
        inactive.save(update_fields=["is_active"])
        users["inactive"] = inactive
        # A deactivated member of PAD: its department's own reports are no longer its to edit or review.
        users["inactive_pad"] = UserFactory(
            is_active=False, profile__role="department_staff", profile__department=users["pad"].profile.department
        )
        reports = {
            (author, code, state): report_of(users, author, code=code, label=label, state=state)
            for author, code in RELATION
            for state, label in STATES.items()
        }
        yield users, reports
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def relation(actor, author, code):
    return RELATION[(author, code)].get(actor, "none")


@pytest.mark.parametrize("actor", ACTORS)
def test_the_object_permissions_follow_the_model(world, actor):
    users, reports = world
    user = users[actor]
    wrong = []
    for (author, code, state), report in reports.items():
        rel = relation(actor, author, code)
        expected = {
            "view": rel in READERS[state],
            "edit": state in {"draft", "returned"} and rel in {"admin", "own"},
            "review": state == "submitted" and rel in {"admin", "reviewer"},
        }
        got = {
            "view": permissions.can_view_report(user, report),
            "edit": permissions.can_edit_report(user, report),
            "review": permissions.can_review_report(user, report),
        }
        if got != expected:
            wrong.append((author, code, state, rel, got, expected))
    assert not wrong, wrong
    assert permissions.can_write(user) == (actor in {"admin", "pad", "pdd", "guangdong", "hunan"})
    assert permissions.may_review_at_all(user) == (actor in {"admin", "pad", "pdd"})


@pytest.mark.parametrize("actor", ["no_role", "inactive", "inactive_pad"])
def test_the_services_do_not_find_a_report_for_a_user_without_a_role(world, actor):
    """Not even a published one: to such a user no report exists, whatever the workflow would say."""
    users, reports = world
    for (_, _, state), report in reports.items():
        for action in (services.report_submit, services.report_accept):
            with pytest.raises(Report.DoesNotExist):
                action(report=report, user=users[actor])
        assert Report.objects.get(pk=report.pk).state == state
