"""The date picker of the plan pages (tracking/pages/includes/as_of.html) in Chromium, at 1366 and 390 px, in
English and in Chinese: choosing a date shows the banner and the past figures, "Back to today" leaves them; the
compare view is reached from the picker. Screenshots: test-artifacts/screenshots/as-of/<language>-<width>-*.png."""

import datetime
import os

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from tests.browser.helpers import SCREENSHOTS
from tracking import services
from tracking.demo import demo_accounts_ensure
from tracking.models import Obligation

if os.environ.get("CI") != "true":
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

BANNER = {
    "en": "Showing the plan as it stood on 2012-06-30 (end of day).",
    "zh-hans": "当前显示的是截至 2012-06-30（当日结束时）的计划情况。",
}
BACK = {"en": "Back to today", "zh-hans": "返回今天"}
LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}


@pytest.fixture
def world(plan):
    """Guangdong's report on I.1 for 2012-Q1, submitted on 20 June 2012: received as of 30 June."""
    _, users = demo_accounts_ensure(password="as-of-picker-password")
    obligation = Obligation.objects.select_related("work_item", "period").get(
        work_item__program__plan__year=2012,
        work_item__program__number=1,
        work_item__number=1,
        period__label="2012-Q1",
        office__short_name="Guangdong",
    )
    with time_machine.travel(datetime.datetime(2012, 6, 20, 2, tzinfo=datetime.UTC), tick=False):
        report = services.report_create(
            user=users["guangdong"],
            work_item=obligation.work_item,
            period=obligation.period,
            fields={"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted."},
        )
        services.report_submit(report=report, user=users["guangdong"])
    return users


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_date_picker_shows_the_past(browser, live_server, world, language, width):
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALES[language], viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(world["analyst"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    folder = SCREENSHOTS / "as-of"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.goto("/plans/2012/completeness/", wait_until="networkidle")
        assert page.get_by_test_id("as-of-banner").count() == 0
        page.locator("#as-of-date").fill("2012-06-30")
        page.get_by_test_id("as-of-form").locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "as_of=2012-06-30" in url)
        banner = page.get_by_test_id("as-of-banner")
        assert banner.is_visible()
        assert BANNER[language] in banner.inner_text()
        # The page does not scroll sideways with the banner and the picker.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(folder / f"{language}-{width}-completeness.png"), full_page=True)
        # The period filter keeps the date.
        page.locator("#completeness-program").select_option("1")
        page.locator("form.filter-form:not(.as-of-form) button[type=submit]").click()
        page.wait_for_url(lambda url: "program=1" in url)
        assert "as_of=2012-06-30" in page.url and banner.is_visible()
        page.get_by_role("link", name=BACK[language]).first.click()
        page.wait_for_url(lambda url: "as_of" not in url)
        assert page.get_by_test_id("as-of-banner").count() == 0 and "program=1" in page.url

        # Before the report was written: the compare view from there to today lists it.
        page.goto("/plans/2012/?as_of=2012-06-10", wait_until="networkidle")
        assert "2012-06-10" in page.get_by_test_id("as-of-banner").inner_text()
        page.screenshot(path=str(folder / f"{language}-{width}-dashboard.png"), full_page=True)
        page.get_by_test_id("as-of-form").get_by_role("link").click()  # "Compare two dates"
        page.wait_for_url(lambda url: "/compare/" in url and "as_of=2012-06-10" in url)
        rows = page.get_by_test_id("compare-changes").locator("tbody tr")
        assert rows.count() == 1
        assert "I.1" in rows.first.inner_text()
        assert rows.first.get_by_role("link").count() == 1  # to the report
        page.screenshot(path=str(folder / f"{language}-{width}-compare.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
