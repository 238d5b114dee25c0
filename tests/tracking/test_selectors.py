"""The selectors that scope reports to a user, against sets written out by hand from the rules: whose reports each
role reads (in every state) and which reports are in each reviewer's queue (not their own organisation's, not items
they do not review, not drafts or reviewed reports)."""

import pytest

from tests.security.roles import accounts_ensure, report_of
from tracking import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return accounts_ensure()


@pytest.fixture
def reports(users):
    """Reports in every state. PAD is responsible for I.1 and leads program VII; PDD is responsible for VII.1 too;
    V.1 is the Protection and Coordination Department's alone."""
    made = {
        "gd_submitted": report_of(users, "guangdong", code="I.1", state="submitted"),
        "hunan_vii1_submitted": report_of(users, "hunan", code="VII.1", state="submitted"),
        "pad_own_submitted": report_of(users, "pad", code="I.1", label="2012-Q2", state="submitted"),
        "pdd_own_submitted": report_of(users, "pdd", code="VII.1", state="submitted"),
        "hunan_v1_submitted": report_of(users, "hunan", code="V.1", state="submitted"),
        "gd_draft": report_of(users, "guangdong", code="I.2"),
        "gd_returned": report_of(users, "guangdong", code="I.4", state="returned"),
        "tianjin_accepted": report_of(users, "tianjin", code="I.1", state="accepted"),
        "hunan_v1_returned": report_of(users, "hunan", code="V.1", label="2012-Q2", state="returned"),
        "pdd_draft": report_of(users, "pdd", code="VII.2"),
    }
    return {name: report.pk for name, report in made.items()}


PUBLISHED = {
    "gd_submitted",
    "hunan_vii1_submitted",
    "pad_own_submitted",
    "pdd_own_submitted",
    "hunan_v1_submitted",
    "tianjin_accepted",
}
QUEUES = {
    "admin": PUBLISHED - {"tianjin_accepted"},
    "pad": {"gd_submitted", "hunan_vii1_submitted", "pdd_own_submitted"},
    "pdd": {"hunan_vii1_submitted"},
    "guangdong": set(),
    "hunan": set(),
    "tianjin": set(),
    "analyst": set(),
    "no_role": set(),
}
VISIBLE = {
    "admin": PUBLISHED | {"gd_draft", "gd_returned", "hunan_v1_returned", "pdd_draft"},
    # PAD leads programs I and VII: it reviews, and reads the open reports on, every item of both.
    "pad": PUBLISHED | {"gd_draft", "gd_returned", "pdd_draft"},
    "pdd": PUBLISHED | {"pdd_draft"},  # its own draft (it reviews VII.1, VII.2: no other open report there)
    "guangdong": PUBLISHED | {"gd_draft", "gd_returned"},
    "hunan": PUBLISHED | {"hunan_v1_returned"},
    "tianjin": PUBLISHED,
    "analyst": PUBLISHED,
    "no_role": set(),
}


def names(queryset, reports):
    by_pk = {pk: name for name, pk in reports.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("role", list(QUEUES))
def test_the_review_queue_holds_exactly_what_the_role_reviews(users, reports, role):
    assert names(selectors.reports_to_review(user=users[role]), reports) == QUEUES[role]


def test_the_review_queue_is_oldest_first(users, reports):
    queue = list(selectors.reports_to_review(user=users["admin"]).values_list("pk", flat=True))
    order = ["gd_submitted", "hunan_vii1_submitted", "pad_own_submitted", "pdd_own_submitted", "hunan_v1_submitted"]
    assert queue == [reports[name] for name in order]


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_reads_exactly_its_reports_in_every_state(users, reports, role):
    assert names(selectors.reports_visible_to(user=users[role]), reports) == VISIBLE[role]
