"""Conditional GETs on the progress pages (tracking.views.conditional): the dashboard, the matrix and the
completeness page send an ETag and answer a repeat with 304 in a few queries; whatever changes the body (a report,
the language, the user and their scope, the bell's count, the htmx table, the CSRF secret, Django messages) makes
the page answer in full."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import Client

from programs.models import ReportingPeriod, WorkItem
from tests.factories import bulk_reports
from tracking.models import Notification, Report

pytestmark = pytest.mark.django_db

PAGES = ["/plans/2012/", "/plans/2012/matrix/", "/plans/2012/completeness/", "/plans/2012/matrix/?as_of=2012-06-30"]


@pytest.fixture
def data(accounts):
    items = WorkItem.objects.with_structure().filter(program__plan__year=2012, program__number__in=[1, 4])
    bulk_reports(items=list(items), periods=list(ReportingPeriod.objects.filter(plan__year=2012)), seed=5)
    return accounts


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def first_tag(client, url, **headers) -> str:
    client.get(url, **headers)  # the first page of a session sets the CSRF cookie
    response = client.get(url, **headers)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"] and "Cookie" in response["Vary"]
    return response["ETag"]


@pytest.mark.parametrize("url", PAGES)
def test_a_repeat_of_a_page_is_a_304_in_five_queries(data, url, django_assert_max_num_queries):
    client = signed_in(data["admin"])
    tag = first_tag(client, url)
    # The session, its user, the user's profile (the role), the reports' latest change, the bell's count.
    with django_assert_max_num_queries(5):
        response = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304
    assert response["ETag"] == tag and response.content == b""


@pytest.mark.parametrize("url", PAGES)
def test_a_change_the_page_shows_makes_it_answer_in_full(data, url):
    client = signed_in(data["admin"])
    tag = first_tag(client, url)

    report = Report.objects.filter(period__plan__year=2012).order_by("pk").first()
    report.summary += " Revised."
    report.save()  # a report changed (its updated_at moves)
    response = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag
    tag = response["ETag"]

    Notification.objects.create(recipient=data["admin"], kind="report_returned", key="k", url="/", report=report)
    response = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag  # the bell shows one more
    assert b'data-testid="unread-count">1<' in response.content
    tag = response["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=tag, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response["ETag"] != tag
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304


def test_another_user_or_scope_gets_the_page_in_full(data):
    url = "/plans/2012/matrix/"
    tags = {name: first_tag(signed_in(data[name]), url) for name in ("admin", "guangdong", "hunan", "analyst")}
    assert len(set(tags.values())) == 4
    hunan = signed_in(data["hunan"])
    hunan.get(url)
    assert hunan.get(url, HTTP_IF_NONE_MATCH=tags["guangdong"]).status_code == 200
    assert hunan.get(url, HTTP_IF_NONE_MATCH=tags["hunan"]).status_code != 304  # another session: another CSRF secret


def test_the_htmx_table_and_the_page_have_their_own_tags(data):
    client = signed_in(data["admin"])
    url = "/plans/2012/matrix/"
    page = first_tag(client, url)
    response = client.get(url, HTTP_IF_NONE_MATCH=page, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["ETag"] != page
    assert b"<html" not in response.content  # the table alone
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], HTTP_HX_REQUEST="true").status_code == 304


def test_no_304_without_a_csrf_cookie_nor_with_messages_to_show(data):
    client = signed_in(data["admin"])
    url = "/plans/2012/completeness/"
    tag = first_tag(client, url)
    cookieless = signed_in(data["admin"])
    response = cookieless.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200  # its page sets a CSRF cookie the cached one's token does not match

    # A message waiting (as a form's redirect leaves it): the page shows it, with no tag to repeat it by.
    storage = CookieStorage(HttpRequest())
    storage.add(constants.SUCCESS, "Report submitted.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and not response.has_header("ETag")
    assert b"Report submitted." in response.content
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304  # shown once; the same page as before


def test_the_completeness_files_are_not_conditional(data):
    client = signed_in(data["admin"])
    client.get("/plans/2012/completeness/")
    response = client.get("/plans/2012/completeness/?format=csv")
    assert response.status_code == 200 and not response.has_header("ETag")
