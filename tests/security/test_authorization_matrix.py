"""The authorization matrix: every role against every API operation (discovered from the OpenAPI schema) and every
page (discovered from the URL conf), on its own and on foreign objects, with the expected status.

Roles, in the order of the columns: anonymous, a signed-in user without a role, administrator, staff of PAD (the
Patent Administration Department: responsible for I.1 and leading program I, so a reviewer of I.1), staff of PDD
(an unrelated department), the office reporters of Guangdong, Hunan and Tianjin, and an analyst.

Objects: Guangdong's draft on I.1 with an attachment (own for guangdong; foreign for hunan and tianjin; PAD reviews
it; PDD has nothing to do with it), Hunan's submitted report on I.1 (published: everyone with a role reads it;
PAD may accept or return it) and PAD's own submitted report on I.1 (nobody reviews their own organisation's).
A foreign object that may not be read is not found (404), exactly like an unknown id; unknown ids never give 500.

A new API operation or page without a row here fails `test_every_*_has_a_row` with what to add.
"""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from participants.models import ApiToken, Department, ProvincialOffice
from participants.services import api_token_create
from programs.models import Plan, Program, ReportingPeriod, WorkItem
from tests.fuzz.test_api_fuzz import OPERATIONS
from tests.security.roles import ROLES, accounts_ensure, report_of
from tracking import services
from tracking.models import Notification, Obligation, Report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNKNOWN = 987654321
ATTACHMENT = "/api/v1/updates/{id}/attachments/{attachment_id}/"

# (method, path, object): expected status for each role, in ROLES order.
# Columns: anonymous, no_role, admin, pad, pdd, guangdong, hunan, tianjin, analyst.
READ = (401, 403, 200, 200, 200, 200, 200, 200, 200)
API = {
    ("POST", "/api/v1/auth/token/", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/token/", "foreign"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("GET", "/api/v1/updates/", "all"): READ,
    # An administrator acts for no organisation of their own, and PDD takes no part in I.1: both must name one.
    ("POST", "/api/v1/updates/", "own"): (401, 403, 400, 201, 400, 201, 201, 201, 403),
    ("POST", "/api/v1/updates/", "foreign"): (401, 403, 201, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/updates/{id}/", "draft"): (401, 403, 200, 200, 404, 200, 404, 404, 404),
    ("GET", "/api/v1/updates/{id}/", "submitted"): READ,
    ("PATCH", "/api/v1/updates/{id}/", "draft"): (401, 403, 200, 403, 404, 200, 404, 404, 403),
    ("PATCH", "/api/v1/updates/{id}/", "submitted"): (401, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/updates/{id}/submit/", "draft"): (401, 403, 200, 403, 404, 200, 404, 404, 403),
    ("POST", "/api/v1/updates/{id}/accept/", "submitted"): (401, 403, 200, 200, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/updates/{id}/accept/", "own_department"): (401, 403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/updates/{id}/return/", "submitted"): (401, 403, 200, 200, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/updates/{id}/return/", "own_department"): (401, 403, 200, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/updates/{id}/history/", "draft"): (401, 403, 200, 200, 404, 200, 404, 404, 404),
    ("GET", "/api/v1/updates/{id}/history/", "submitted"): READ,
    ("POST", "/api/v1/updates/{id}/attachments/", "draft"): (401, 403, 201, 403, 404, 201, 404, 404, 403),
    ("POST", "/api/v1/updates/{id}/attachments/", "submitted"): (401, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", ATTACHMENT, "draft"): (401, 403, 200, 200, 404, 200, 404, 404, 404),
    ("DELETE", ATTACHMENT, "draft"): (401, 403, 204, 403, 404, 204, 404, 404, 403),
    # The template of one's own organisation; an administrator or an analyst has none and must name one (400), and
    # only an administrator may name another's.
    ("GET", "/api/v1/updates/template/", "own"): (401, 403, 400, 200, 200, 200, 200, 200, 400),
    ("GET", "/api/v1/updates/template/", "foreign"): (401, 403, 200, 403, 403, 403, 403, 403, 403),
    # Own: a template without rows (nothing to do). Foreign: a filled row of another office's obligation.
    ("POST", "/api/v1/updates/import/", "own"): (401, 403, 200, 200, 200, 200, 200, 200, 403),
    ("POST", "/api/v1/updates/import/", "foreign"): (401, 403, 200, 400, 400, 400, 400, 400, 403),
    # Guangdong's notification: its recipient's alone; anybody else's is not found, as an unknown id.
    ("GET", "/api/v1/notifications/{id}/", "notification"): (401, 403, 404, 404, 404, 200, 404, 404, 404),
    ("POST", "/api/v1/notifications/{id}/read/", "notification"): (401, 403, 404, 404, 404, 200, 404, 404, 404),
    # Each user lists and revokes only their own tokens: Guangdong's token is not found by anyone else.
    ("GET", "/api/v1/auth/tokens/", "all"): READ,
    ("DELETE", "/api/v1/auth/tokens/{id}/", "guangdong_token"): (401, 403, 404, 404, 404, 204, 404, 404, 404),
}  # fmt: skip
# Plan data and statistics: every role reads, nobody without one.
for _method, _path in OPERATIONS:
    if _method == "GET" and not _path.startswith(("/api/v1/updates/", "/api/v1/auth/", "/api/v1/notifications/{")):
        API[(_method, _path, "all")] = READ

# Which reports each role finds in the list (draft: Guangdong's draft; submitted: Hunan's; own_department: PAD's).
VISIBLE = {
    "anonymous": None,
    "no_role": None,
    "admin": {"draft", "submitted", "own_department"},
    "pad": {"draft", "submitted", "own_department"},
    "pdd": {"submitted", "own_department"},
    "guangdong": {"draft", "submitted", "own_department"},
    "hunan": {"submitted", "own_department"},
    "tianjin": {"submitted", "own_department"},
    "analyst": {"submitted", "own_department"},
}

# Pages: (URL name, kwargs): expected status for each role (GET). Anonymous users are sent to sign in (302). A
# kwargs value naming an object ("draft", "submitted", "department", "attachment") is that object's key.
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200, 200, 200)
OPEN = (200,) * 9
# Every page needs a role, as the API does (planpromo.views.LoginRequiredMiddleware): a signed-in account without
# one gets 403 everywhere but signing out and changing its password.
POST_ONLY = (302, 403, 405, 405, 405, 405, 405, 405, 405)
WITH_ROLE = (302, 403, 200, 200, 200, 200, 200, 200, 200)
REDIRECT_WITH_ROLE = (302, 403, 302, 302, 302, 302, 302, 302, 302)
PAGES = {
    ("healthz", ()): OPEN,
    ("readyz", ()): OPEN,
    ("favicon", ()): (301,) * 9,  # to the static icon, for everyone
    ("login", ()): (200, 302, 302, 302, 302, 302, 302, 302, 302),  # signed in: on to the site
    ("set_language", ()): (302,) * 9,  # a GET only goes back where it came from
    ("logout", ()): (302, 405, 405, 405, 405, 405, 405, 405, 405),  # signing out is a POST
    ("password_change", ()): SIGNED_IN,
    ("home", ()): REDIRECT_WITH_ROLE,  # to the current plan's dashboard (or to sign in)
    ("api-schema", ()): OPEN,
    ("api-docs", ()): OPEN,
    ("api-redoc", ()): OPEN,
    ("admin:index", ()): (302, 302, 200, 302, 302, 302, 302, 302, 302),
    ("participants:tokens", ()): WITH_ROLE,
    ("participants:token_revoke", ()): POST_ONLY,
    ("programs:office_list", ()): WITH_ROLE,
    ("programs:department_list", ()): WITH_ROLE,
    ("tracking:dashboard", (("year", 2012),)): WITH_ROLE,
    ("tracking:matrix", (("year", 2012),)): WITH_ROLE,
    ("tracking:matrix_current", ()): REDIRECT_WITH_ROLE,
    ("tracking:summary_current", ()): REDIRECT_WITH_ROLE,
    ("tracking:completeness", (("year", 2012),)): WITH_ROLE,
    ("tracking:completeness_current", ()): REDIRECT_WITH_ROLE,
    ("tracking:compare", (("year", 2012),)): WITH_ROLE,
    ("tracking:program_detail", (("year", 2012), ("number", 1))): WITH_ROLE,
    ("tracking:workitem_detail", (("year", 2012), ("code", "I.1"))): WITH_ROLE,
    ("tracking:office_detail", (("short_name", "Guangdong"),)): WITH_ROLE,
    ("tracking:department_detail", (("pk", "department"),)): WITH_ROLE,
    ("tracking:annual_summary", (("year", 2012),)): WITH_ROLE,
    ("tracking:annual_summary_pdf", (("year", 2012),)): WITH_ROLE,
    ("tracking:my_work", ()): WITH_ROLE,
    ("tracking:report_list", ()): WITH_ROLE,
    ("tracking:review_queue", ()): WITH_ROLE,
    # An administrator has no organisation to report for on the page (the API lets them name one).
    ("tracking:report_create", ()): (302, 403, 403, 200, 200, 200, 200, 200, 403),
    ("tracking:report_import", ()): (302, 403, 200, 200, 200, 200, 200, 200, 403),
    ("tracking:report_detail", (("pk", "draft"),)): (302, 403, 200, 200, 404, 200, 404, 404, 404),
    ("tracking:report_detail", (("pk", "submitted"),)): (302, 403, 200, 200, 200, 200, 200, 200, 200),
    ("tracking:report_edit", (("pk", "draft"),)): (302, 403, 200, 403, 404, 200, 404, 404, 404),
    ("tracking:report_edit", (("pk", "submitted"),)): (302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("tracking:report_submit", (("pk", "draft"),)): POST_ONLY,
    ("tracking:report_accept", (("pk", "submitted"),)): POST_ONLY,
    ("tracking:report_return", (("pk", "submitted"),)): POST_ONLY,
    ("tracking:attachment_delete", (("pk", "draft"), ("attachment_id", "attachment"))): POST_ONLY,
    ("tracking:notification_list", ()): WITH_ROLE,
    ("tracking:notification_preferences", ()): WITH_ROLE,
    ("tracking:notification_read", (("pk", "notification"),)): POST_ONLY,
    ("tracking:notification_read_all", ()): POST_ONLY,
}  # fmt: skip
# Pages that take seconds to render (a PDF): the roles it refuses, and one it renders for; the others' cells are the
# annual summary page's, which shows the same figures (checked for every role above).
SLOW_PAGES = {"tracking:annual_summary_pdf": {"anonymous", "no_role", "guangdong"}}
# The same pages with an object that does not exist: 404 for every signed-in role with a role.
UNKNOWN_PAGES = {
    "tracking:dashboard": {"year": 1999},
    "tracking:program_detail": {"year": 2012, "number": 99},
    "tracking:workitem_detail": {"year": 2012, "code": "IX.99"},
    "tracking:office_detail": {"short_name": "Atlantis"},
    "tracking:department_detail": {"pk": UNKNOWN},
    "tracking:compare": {"year": 1999},
    "tracking:report_detail": {"pk": UNKNOWN},
    "tracking:report_edit": {"pk": UNKNOWN},
}
# URL names that are not pages of their own: the admin's (tested by Django and tests/test_admin.py) and the API's
# (the operations above).
NOT_PAGES = (
    "admin:",
    "api-root",
    "auth-token",
    "report-",
    "plan-",
    "department-",
    "office-",
    "program-",
    "workitem-",
    "notification-",
)


@pytest.fixture
def users(db, settings, tmp_path):
    settings.AXES_ENABLED = False
    return accounts_ensure()


@pytest.fixture
def objects(users):
    draft = report_of(users, "guangdong")
    services.attachment_add(
        report=draft, user=users["guangdong"], uploaded_file=SimpleUploadedFile("evidence.pdf", PDF)
    )
    # Guangdong's notification (not a report: looked up by its recipient where a row names "notification").
    Notification.objects.create(
        recipient=users["guangdong"], kind="report_accepted", key="matrix", params={"code": "I.1"}, url="/my-work/"
    )
    return {
        "draft": Report.objects.get(pk=draft.pk),
        "submitted": report_of(users, "hunan", state="submitted"),
        "own_department": report_of(users, "pad", label="2012-Q2", state="submitted"),
    }


PLAN_MODELS = {
    "plans": Plan,
    "departments": Department,
    "offices": ProvincialOffice,
    "programs": Program,
    "work-items": WorkItem,
    "periods": ReportingPeriod,
    "obligations": Obligation,
}


def client_as(role, users) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def request_for(method, path, target, role, users, objects):
    """The URL and body of the operation on the target object, as this role would send it."""
    from tests.helpers import item, period

    report = objects.get(target)
    url = path
    if target == "notification":
        url = url.replace("{id}", str(Notification.objects.get(recipient=users["guangdong"]).pk))
    if target == "guangdong_token":
        token = ApiToken.objects.filter(user=users["guangdong"]).first()
        if token is None:
            token, _key = api_token_create(user=users["guangdong"], name="script")
        url = url.replace("{id}", token.token_key)
    if target == "all" and "{id}" in path:
        model = PLAN_MODELS[path.split("/")[3]]
        url = url.replace("{id}", str(model.objects.order_by("pk").values_list("pk", flat=True).first()))
    if "{id}" in path:
        url = url.replace("{id}", str(report.pk if report else UNKNOWN))
    if "{attachment_id}" in path:
        url = url.replace("{attachment_id}", str(report.attachments.get().pk if report else UNKNOWN))
    body = None
    if path == "/api/v1/auth/token/":
        body = {"username": role if target == "own" else "admin", "password": "demo-password-for-tests"}
        if target == "own" and role in {"anonymous"}:
            body["username"] = "guangdong"
        if target == "own" and role == "no_role":
            body["username"] = "norole"
        if target == "foreign":
            body["password"] = "not-the-password"
    elif path == "/api/v1/updates/":
        body = {"work_item": item("I.1").pk, "period": period("2012-Q3").pk, "summary": "New.", "status": "on_track"}
        if target == "foreign":  # a report for another organisation than the role's own
            body["office"] = users["hunan"].profile.office_id if role != "hunan" else users["tianjin"].profile.office_id
    elif path == "/api/v1/updates/template/" and target == "foreign":
        url += f"?office={foreign_office_id(role, users)}"
    elif path == "/api/v1/updates/import/":
        content = "obligation_id,status,percent_complete,summary\n"
        if target == "foreign":
            obligation = Obligation.objects.filter(office_id=foreign_office_id(role, users), period=period("2012-Q3"))
            content += f"{obligation.order_by('pk').first().pk},On track,10,Imported.\n"
        body = {"file": SimpleUploadedFile("filled.csv", content.encode())}
    elif path.endswith("/attachments/"):
        body = {"file": SimpleUploadedFile("more.pdf", PDF)}
    elif method in {"PATCH", "POST"} and report is not None:
        body = {"version": report.version, "summary": "Changed.", "comment": "More detail."}
    return url, body


def foreign_office_id(role, users):
    """Another office than the role's own: Hunan's (Tianjin's for Hunan)."""
    return users["hunan"].profile.office_id if role != "hunan" else users["tianjin"].profile.office_id


def perform(client, method, url, body):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    multipart = body and any(isinstance(v, SimpleUploadedFile) for v in body.values())
    return (
        client.generic(method, url)
        if body is None
        else getattr(client, method.lower())(url, body, format="multipart" if multipart else "json")
    )


def test_every_api_operation_has_a_row():
    covered = {(method, path) for method, path, _ in API}
    missing = sorted(set(OPERATIONS) - covered)
    assert not missing, (
        f"API operations without a row in tests/security/test_authorization_matrix.py API: {missing}. Add one per "
        "object kind (own/foreign, draft/submitted) with the status each role must get."
    )
    assert not covered - set(OPERATIONS), f"rows for operations the schema no longer has: {covered - set(OPERATIONS)}"


class RolledBack(Exception):
    """Leaves the atomic block around one role's requests, undoing what they wrote."""


def check_operation(role, method, path, target, users, objects) -> int:
    url, body = request_for(method, path, target, role, users, objects)
    _, unknown_body = request_for(method, path, target, role, users, objects)
    before = {key: (r.state, r.version) for key, r in objects.items()}
    response = perform(client_as(role, users), method, url, body)
    if response.status_code >= 400 or method == "GET":
        after = {k: tuple(Report.objects.values_list("state", "version").get(pk=r.pk)) for k, r in objects.items()}
        assert after == before, f"{role}: a refused request or a read changed a report"
    if "{id}" in path and role not in {"anonymous", "no_role"}:
        unknown_url = path.replace("{id}", str(UNKNOWN)).replace("{attachment_id}", "1")
        unknown = perform(client_as(role, users), method, unknown_url, unknown_body)
        assert unknown.status_code in {403, 404}, (role, method, unknown_url, unknown.status_code)  # never 500
    return response.status_code


@pytest.mark.parametrize(("method", "path", "target"), list(API), ids=[" ".join(k) for k in API])
def test_api_matrix(users, objects, method, path, target):
    """Each role in turn, each in a savepoint rolled back after it: every role meets the same objects."""
    got = {}
    for role in ROLES:
        with contextlib.suppress(RolledBack), transaction.atomic():
            got[role] = check_operation(role, method, path, target, users, objects)
            raise RolledBack
    assert got == dict(zip(ROLES, API[(method, path, target)], strict=True)), (
        method,
        path,
        " ".join(map(str, got.values())),
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_exactly_what_the_role_may_read(users, objects, role):
    response = client_as(role, users).get("/api/v1/updates/", {"page_size": 100})
    if VISIBLE[role] is None:
        assert response.status_code in {401, 403}
        return
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {objects[key].pk for key in VISIBLE[role]}


def url_names(patterns=None, namespace=""):
    """Every named URL of the URL conf, with its namespace."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def pages() -> set[str]:
    return {
        name for name in url_names() if not name.startswith(NOT_PAGES) and not name.endswith(("-list", "-detail"))
    } | {"admin:index"}


def test_every_page_has_a_row():
    missing = sorted(pages() - {name for name, _ in PAGES})
    assert not missing, (
        f"Pages without a row in tests/security/test_authorization_matrix.py PAGES: {missing}. Add each with the "
        "kwargs of an existing object (own and foreign where it shows one) and the status each role must get, and "
        "its unknown-object kwargs to UNKNOWN_PAGES if it shows an object."
    )


def page_kwargs(kwargs, users, objects):
    resolved = {}
    for key, value in kwargs:
        if value == "department":
            value = users["pad"].profile.department_id
        elif value == "attachment":
            value = objects["draft"].attachments.get().pk
        elif value == "notification":
            value = Notification.objects.get(recipient=users["guangdong"]).pk
        elif value in objects:
            value = objects[value].pk
        resolved[key] = value
    return resolved


@pytest.mark.parametrize(("name", "kwargs"), list(PAGES), ids=[f"{n}{dict(k)}" for n, k in PAGES])
def test_page_matrix(users, objects, name, kwargs):
    assert name in pages(), f"{name} is no longer in the URL conf: remove its row from PAGES"
    url = reverse(name, kwargs=page_kwargs(kwargs, users, objects))
    got = {}
    for role in ROLES:
        if name in SLOW_PAGES and role not in SLOW_PAGES[name]:
            assert (
                PAGES[(name, kwargs)][ROLES.index(role)]
                == PAGES[("tracking:annual_summary", kwargs)][ROLES.index(role)]
            )
            got[role] = PAGES[(name, kwargs)][ROLES.index(role)]
            continue
        response = client_as(role, users).get(url)
        got[role] = response.status_code
        if response.status_code == 302 and role == "anonymous" and name not in {"set_language"}:
            assert "/login/" in response["Location"], (name, response["Location"])
    assert got == dict(zip(ROLES, PAGES[(name, kwargs)], strict=True)), (url, " ".join(map(str, got.values())))
    if name in UNKNOWN_PAGES:
        unknown = reverse(name, kwargs=UNKNOWN_PAGES[name])
        for role in ROLES[2:]:
            assert client_as(role, users).get(unknown).status_code == 404, (unknown, role)


PROGRESS_PAGES = [
    ("tracking:dashboard", {"year": 2012}),
    ("tracking:matrix", {"year": 2012}),
    ("tracking:annual_summary", {"year": 2012}),
]


@pytest.mark.parametrize(("name", "kwargs"), PROGRESS_PAGES)
def test_a_user_without_a_role_sees_no_progress_figures(users, name, kwargs):
    """The API refuses a signed-in user without a role (403 on /api/v1/stats/...); the pages that show the same
    figures do too."""
    assert name in pages(), f"{name} is no longer in the URL conf"
    assert client_as("no_role", users).get("/api/v1/stats/programs/").status_code == 403
    assert client_as("no_role", users).get(reverse(name, kwargs=kwargs)).status_code == 403
