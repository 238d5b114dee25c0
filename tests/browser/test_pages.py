"""The progress pages in a real browser: dashboard (charts drawn), participation matrix (filtered by htmx, with the
URL kept), work item and annual summary; every reference same-origin, no console error (the CSP is enforced);
screenshots of the dashboard, the matrix and the work item page."""

import os
import re
from urllib.parse import urlsplit

import pytest

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.browser.helpers import login, screenshot
from tests.factories import UserFactory, bulk_reports

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)

PAGES = ["/plans/2012/", "/plans/2012/matrix/", "/plans/2012/items/II.3/", "/reports/2012/summary/"]


@pytest.fixture
def person(plan):
    """An analyst, with a year of reports to look at."""
    bulk_reports(
        items=list(WorkItem.objects.with_structure().filter(program__plan__year=2012)),
        periods=list(ReportingPeriod.objects.filter(plan__year=2012, kind="quarter")),
        offices=list(ProvincialOffice.objects.all()),
        share=0.7,
    )
    return UserFactory(username="progress-analyst", profile__role="analyst")


def same_origin_only(page, origin):
    references = page.evaluate(
        """() => [...document.querySelectorAll('[src], [href], [action], [srcset]')].map(
               e => e.src || e.href || e.action || e.getAttribute('srcset'))"""
    )
    assert references
    return [ref for ref in references if urlsplit(ref)[:2] != origin]


def test_progress_pages_load_only_from_their_own_origin(page, person, live_server):
    origin = urlsplit(live_server.url)[:2]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, person.username)
    for url in PAGES:
        page.goto(url, wait_until="networkidle")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert same_origin_only(page, origin) == [], url
    assert [r for r in requested if urlsplit(r)[:2] != origin] == []
    assert page.console_errors == []


def test_dashboard_matrix_and_work_item(page, person):
    login(page, person.username)

    # Dashboard: ten programs with a progress bar and its figure in words, three charts drawn.
    page.goto("/plans/2012/", wait_until="networkidle")
    expect(page.locator(".progress-table tbody tr")).to_have_count(10)
    expect(page.locator(".progress-table .progress__text").first).to_have_text(re.compile(r"^\d+%$"))
    for canvas in page.locator("canvas[data-chart]").all():
        expect(canvas).to_have_attribute("data-chart-rendered", "true")
    assert screenshot(page, "dashboard").stat().st_size > 10_000

    # The period selector works without JavaScript's help: a plain GET form.
    page.get_by_label("Reporting period").select_option(label=page.locator("#period-period option").first.inner_text())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"/plans/2012/?period={ReportingPeriod.objects.get(label='2012-Q1').pk}")

    # Matrix: 32 offices × 34 items, a legend; filtering by program swaps the table in place (htmx) and keeps the
    # filter in the URL.
    page.goto("/plans/2012/matrix/", wait_until="networkidle")
    expect(page.locator("#matrix tbody tr")).to_have_count(32)
    expect(page.locator("#matrix .matrix__items th")).to_have_count(34)
    expect(page.get_by_text("Legend")).to_be_visible()
    guangdong = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Guangdong", exact=True))
    expect(guangdong.locator("td a").first).to_have_accessible_name(re.compile(r"^Guangdong, [IVX]+\.\d+: .+"))
    assert screenshot(page, "matrix").stat().st_size > 10_000
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Program", exact=True).select_option("3")
    expect(page.locator("#matrix .matrix__items th")).to_have_count(
        WorkItem.objects.filter(program__plan__year=2012, program__number=3).count()
    )
    expect(page).to_have_url(re.compile(r"/plans/2012/matrix/\?.*program=3"))
    assert page.evaluate("window.notReloaded") is True  # swapped, not reloaded

    # The headers stay in view when the table scrolls (sticky).
    page.locator("#matrix").evaluate("e => e.scrollTo(0, 400)")
    header = page.locator("#matrix .matrix__programs th").first
    top = header.bounding_box()["y"]
    wrap = page.locator("#matrix").bounding_box()["y"]
    assert abs(top - wrap) < 40

    # Work item: every participating office with its report of the period, linked.
    page.goto("/plans/2012/items/II.3/", wait_until="networkidle")
    reports = page.get_by_role("table", name="Reports of the period")
    expect(reports.locator("tbody tr")).to_have_count(5 + 1)  # five listed offices, one department
    expect(page.get_by_role("heading", name="Timeline of reports")).to_be_visible()
    assert screenshot(page, "workitem-progress").stat().st_size > 10_000

    # The summary, with its PDF link.
    page.goto("/reports/2012/summary/")
    expect(page.get_by_role("link", name="Download as PDF")).to_have_attribute("href", "/reports/2012/summary.pdf")
    assert page.console_errors == []


def test_matrix_in_chinese(page, person):
    login(page, person.username)
    page.goto("/plans/2012/matrix/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("参与矩阵")
    expect(page.get_by_role("rowheader", name="广东", exact=True)).to_be_visible()
    assert page.console_errors == []
