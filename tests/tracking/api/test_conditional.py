"""Conditional GETs on the API (planpromo.conditional, planpromo.api.conditional, tracking.api.conditional) and
the plan structure served from the shared cache: every GET in the schema sends an ETag and answers a repeat with
304; a change to the data changes the tag (and the next read shows it); the 304 costs at most two queries; the
headers keep one user's body from another's."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from participants.models import Department, ProvincialOffice
from programs.models import ReportingPeriod, WorkItem, WorkItemOffice
from tests.factories import bulk_reports
from tracking import services
from tracking.models import Attachment, Notification, Report

pytestmark = pytest.mark.django_db

# GETs that are not data (a file download kept out of caches with `no-store`, a generated blank template).
NOT_CONDITIONAL = {"/api/v1/updates/{id}/attachments/{attachment_id}/", "/api/v1/updates/template/"}


@pytest.fixture
def data(accounts):
    items = WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 4])
    bulk_reports(items=list(items), periods=list(ReportingPeriod.objects.filter(plan__year=2012)), seed=3)
    report = Report.objects.filter(state="accepted").first()
    Attachment.objects.create(
        report=report, file="attachments/x.pdf", name="x.pdf", size=3, content_type="application/pdf"
    )
    Notification.objects.create(recipient=accounts["admin"], kind="report_returned", key="k", url="/", report=report)
    return accounts


def get_paths():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [path for path, item in schema["paths"].items() if "get" in item and path not in NOT_CONDITIONAL]


def concrete(client, path) -> str:
    """The path with its ids filled in from the list above it (the first row)."""
    while "{" in path:
        name = re.search(r"\{(\w+)\}", path).group(1)
        listing = path[: path.index("{" + name + "}")]
        body = client.get(listing).json()
        rows = body["results"] if isinstance(body, dict) else body
        if name == "attachment_id":
            rows = [row for row in client.get(listing.rsplit("/", 2)[0] + "/").json().get("attachments", [])]
        assert rows, f"no row at {listing} to fill {name} of {path}"
        path = path.replace("{" + name + "}", str(rows[0]["id"]))
    return path


def test_every_get_of_the_schema_sends_an_etag_and_answers_a_repeat_with_304(data, client_for):
    client = client_for("admin")
    paths = get_paths()
    assert "/api/v1/updates/" in paths and "/api/v1/stats/work-items/" in paths and len(paths) >= 20
    for path in paths:
        url = concrete(client, path)
        first = client.get(url)
        assert first.status_code == 200, (url, first.content[:200])
        etag = first.headers.get("ETag")
        assert etag, url
        assert {"Accept-Language", "Authorization", "Cookie"} <= {name.strip() for name in first["Vary"].split(",")}, (
            url
        )
        assert "private" in first["Cache-Control"], url
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again.content == b"" and again["ETag"] == etag, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/updates/?page_size=100",
        "/api/v1/obligations/?state=missing,draft",
        "/api/v1/target-values/",
        "/api/v1/stats/programs/?year=2012",
        "/api/v1/work-items/?year=2012",
        "/api/v1/offices/",
    ],
)
def test_a_304_runs_at_most_two_queries(data, client_for, django_assert_max_num_queries, url):
    client = client_for("guangdong")
    etag = client.get(url)["ETag"]
    # The tag's aggregate (lists, statistics) or nothing (the structure: its version is in the cache); the user's
    # profile, read once per request for the role.
    with django_assert_max_num_queries(2):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_a_change_to_a_report_changes_the_lists_tags(data, client_for):
    client = client_for("admin")
    urls = ["/api/v1/updates/", "/api/v1/obligations/", "/api/v1/target-values/", "/api/v1/stats/offices/"]
    tags = {url: client.get(url)["ETag"] for url in urls}
    report = Report.objects.filter(state="draft", office__isnull=False).first()
    services.report_update(
        report=report, user=data["admin"], version=report.version, fields={"summary": "Changed."}, target_values=None
    )
    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=tags[url])
        assert response.status_code == 200, url
        assert response["ETag"] != tags[url], url
    detail = client.get(f"/api/v1/updates/{report.pk}/")
    assert detail["ETag"] == f'"{report.pk}-{report.version + 1}"'  # the If-Match tag, unchanged in form
    assert detail.json()["summary"] == "Changed."
    assert client.get(f"/api/v1/updates/{report.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


def test_tags_differ_by_user_scope_language_and_format(data, client_for):
    guangdong, hunan = client_for("guangdong"), client_for("hunan")
    url = "/api/v1/updates/"
    assert guangdong.get(url)["ETag"] != hunan.get(url)["ETag"]
    english = guangdong.get("/api/v1/work-items/")["ETag"]
    assert guangdong.get("/api/v1/work-items/", HTTP_ACCEPT_LANGUAGE="zh-hans")["ETag"] != english
    assert guangdong.get("/api/v1/work-items/?lang=zh-hans")["ETag"] != english
    assert guangdong.get("/api/v1/work-items/?format=csv")["ETag"] != english
    # One user's tag does not let another skip the body when their scopes differ.
    tag = guangdong.get(url)["ETag"]
    assert hunan.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_a_bad_request_stays_a_4xx_whatever_the_precondition(data, client_for):
    client = client_for("analyst")
    assert client.get("/api/v1/plans/?year=abc", HTTP_IF_NONE_MATCH="*").status_code == 400
    assert client.get("/api/v1/updates/?ofice=1", HTTP_IF_NONE_MATCH="*").status_code == 400
    assert client.get("/api/v1/stats/programs/?year=abc", HTTP_IF_NONE_MATCH="*").status_code == 400
    assert client.get("/api/v1/work-items/999999/", HTTP_IF_NONE_MATCH="*").status_code == 404
    assert Client().get("/api/v1/work-items/", HTTP_IF_NONE_MATCH="*").status_code in (401, 403)


def titles(client) -> dict:
    return {
        row["id"]: row["title"] for row in client.get("/api/v1/work-items/?year=2012&page_size=500").json()["results"]
    }


def test_the_cached_structure_shows_a_save_at_the_next_read(data, client_for):
    client = client_for("analyst")
    item = WorkItem.objects.filter(program__plan__year=2012).first()
    before = client.get("/api/v1/work-items/?year=2012&page_size=500")
    assert titles(client)[item.pk] == item.title  # cached now
    item.title = "A new title"
    item.save()
    assert titles(client)[item.pk] == "A new title"
    assert (
        client.get("/api/v1/work-items/?year=2012&page_size=500", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    )


def test_the_cached_structure_shows_load_plan_at_the_next_read(data, client_for):
    client = client_for("analyst")
    item = WorkItem.objects.filter(program__plan__year=2012).first()
    right = item.title
    WorkItem.objects.filter(pk=item.pk).update(title="Wrong")  # a write no signal sees (as a script's)
    assert titles(client)[item.pk] == "Wrong"  # read and cached
    call_command("load_plan", verbosity=0)  # puts the fixture's title back
    assert titles(client)[item.pk] == right


def test_the_cached_structure_shows_an_admin_edit_at_the_next_read(data, client_for):
    client = client_for("analyst")
    office = ProvincialOffice.objects.get(short_name="Guangdong")
    assert {row["id"]: row["name"] for row in client.get("/api/v1/offices/").json()["results"]}[
        office.pk
    ] == office.name
    admin = Client()
    admin.force_login(data["admin"])
    page = admin.get(f"/admin/participants/provincialoffice/{office.pk}/change/")
    form = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    form["name"] = "Guangdong Provincial IP Administration"
    response = admin.post(f"/admin/participants/provincialoffice/{office.pk}/change/", form)
    assert response.status_code == 302, response.content[:500]
    names = {row["id"]: row["name"] for row in client.get("/api/v1/offices/").json()["results"]}
    assert names[office.pk] == "Guangdong Provincial IP Administration"
    department = Department.objects.first()
    client.get(f"/api/v1/departments/{department.pk}/")
    department.aliases.create(spelling="Another spelling", reason="test")
    assert "Another spelling" in client.get(f"/api/v1/departments/{department.pk}/").json()["aliases"]


def test_the_cached_structure_shows_sync_obligations_at_the_next_read(data, client_for):
    client = client_for("analyst")
    item = WorkItem.objects.filter(program__plan__year=2012, office_scope="conditional").first()
    url = f"/api/v1/work-items/{item.pk}/"
    offices = {row["id"] for row in client.get(url).json()["offices"]}
    hunan = ProvincialOffice.objects.get(short_name="Hunan")
    assert hunan.pk not in offices
    WorkItemOffice.objects.bulk_create([WorkItemOffice(work_item=item, office=hunan)])  # no signal
    obligations = client.get(f"/api/v1/obligations/?work_item={item.pk}&office={hunan.pk}").json()["count"]
    assert obligations == 0
    call_command("sync_obligations", verbosity=0)
    assert hunan.pk in {row["id"] for row in client.get(url).json()["offices"]}
    assert client.get(f"/api/v1/obligations/?work_item={item.pk}&office={hunan.pk}").json()["count"] > 0


class CountingCache:
    """The shared cache, with the keys read through it counted."""

    def __init__(self, inner):
        self.inner, self.reads = inner, []

    def get(self, key, *args, **kwargs):
        self.reads.append(key)
        return self.inner.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    "url", ["/api/v1/updates/?year=2012", "/api/v1/obligations/?year=2012", "/api/v1/work-items/?year=2012"]
)
def test_a_request_reads_the_structure_version_once(data, client_for, monkeypatch, url):
    """Its tag, its period ids and its body's structure name one version, read once from the shared cache (a
    query each time with the database cache: two or three per list before)."""
    from django.core.cache import cache

    from planpromo import conditional

    client = client_for("analyst")
    client.get(url)  # the version exists, the lists' memos are warm
    counting = CountingCache(cache)
    monkeypatch.setattr(conditional, "cache", counting)
    assert client.get(url).status_code == 200
    key = conditional.VERSION_KEY.format(name=conditional.PLAN_STRUCTURE)
    assert counting.reads.count(key) == 1, counting.reads


def test_a_request_sees_its_own_bump_and_the_next_request_sees_another_process_bump(db):
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    from planpromo.conditional import PLAN_STRUCTURE, VERSION_KEY, bump_version, version

    request_started.send(sender=None)
    first = version(PLAN_STRUCTURE)
    cache.set(VERSION_KEY.format(name=PLAN_STRUCTURE), "set-by-another-worker", timeout=None)
    assert version(PLAN_STRUCTURE) == first  # one version for the whole request
    bump_version(PLAN_STRUCTURE)
    bumped = version(PLAN_STRUCTURE)
    assert bumped not in (first, "set-by-another-worker")  # its own change, at once
    request_finished.send(sender=None)
    cache.set(VERSION_KEY.format(name=PLAN_STRUCTURE), "set-by-another-worker", timeout=None)
    assert version(PLAN_STRUCTURE) == "set-by-another-worker"
    request_started.send(sender=None)
    assert version(PLAN_STRUCTURE) == "set-by-another-worker"
    request_finished.send(sender=None)
