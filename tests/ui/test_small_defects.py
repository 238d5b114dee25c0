"""The smaller defects of the browser review: the dashboard says which figures are the period's and which the
year's, required fields are marked, the admin is the Plan Tracker's, the API docs and the favicon are served from
this origin."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def section(html, heading_id):
    """The <ul> that a heading labels."""
    return re.search(rf'<ul class="figures" aria-labelledby="{heading_id}">(.*?)</ul>', html, re.S)[1]


def test_dashboard_separates_the_period_from_the_year(signed_in):
    html = signed_in.get("/plans/2012/?period=" + str(_period("2012-Q2"))).content.decode()
    assert re.search(r'<h3 id="figures-period"[^>]*>This period \(2012-Q2\)</h3>', html)
    assert re.search(r'<h3 id="figures-year"[^>]*>The year 2012 so far</h3>', html)
    assert "due this period" in section(html, "figures-period") and "received" in section(html, "figures-period")
    assert "overdue" not in section(html, "figures-period")
    assert "overdue in 2012 so far" in section(html, "figures-year")
    assert ">Overdue in 2012</th>" in html  # the programs table's column counts the year too
    chinese = signed_in.get("/plans/2012/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "本期（2012年第四季度）" in chinese and "2012年至今" in chinese


def _period(label):
    from programs.models import ReportingPeriod

    return ReportingPeriod.objects.get(plan__year=2012, label=label).pk


def test_required_fields_are_marked(signed_in):
    html = signed_in.get("/accounts/password/").content.decode()
    assert "Fields marked * are required." in html
    assert html.count("field--required") == 3  # old password, new password, its confirmation


def test_admin_is_branded(client):
    html = client.get("/admin/login/").content.decode()
    assert "Plan Tracker administration" in html and "Django administration" not in html
    assert "Django site admin" not in html
    assert 'rel="icon" href="/static/img/favicon.svg"' in html


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/img/favicon.svg"


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_everything_from_this_origin(client, url):
    html = client.get(url).content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(ref.startswith("/") and not ref.startswith("//") for ref in references), references
    assert 'rel="icon"' in html


@pytest.mark.parametrize(
    "url",
    ["/plans/2012/", "/plans/2012/matrix/", "/notifications/", "/reports/"],
)
def test_pages_use_no_character_that_needs_an_emoji_font(signed_in, url):
    """The header's bell and a period's lock were emoji (🔔, 🔒): without a colour emoji font, as on this machine's
    Chromium and many intranet PCs, they showed as empty boxes. The page draws its icons itself."""
    html = signed_in.get(url, follow=True).content.decode()
    assert [c for c in html if ord(c) > 0xFFFF] == []
    assert 'class="icon"' in html  # the bell, drawn as SVG
