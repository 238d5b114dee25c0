"""The header's bell in a real browser: a reviewer returns a report in the review queue, and the office's bell
count goes from nothing to 1; the notification opens the report's form and is then read."""

import os
import re

import pytest

from tests.browser.helpers import login
from tests.helpers import PASSWORD
from tracking import services
from tracking.demo import demo_accounts_ensure
from tracking.models import Report

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_bell_count_changes_when_a_reviewer_returns_a_report(page, plan):
    _, users = demo_accounts_ensure(password=PASSWORD)
    from tests.helpers import FIELDS, item, period

    report = services.report_create(user=users["guangdong"], work_item=item("I.1"), period=period(), fields=FIELDS)
    services.report_submit(report=report, user=users["guangdong"])

    login(page, "guangdong", PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    sign_out(page)

    login(page, "pad", PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")  # told of the submission
    page.goto("/review/")
    row = page.locator(f"#review-{report.pk}")
    row.get_by_text("Return…").click()
    row.get_by_label(re.compile("What must change")).fill("Name the twelve enterprises.")
    row.get_by_role("button", name="Return with comment").click()
    expect(row.locator(".badge--state")).to_have_text(re.compile("Returned"))
    assert Report.objects.get().state == "returned"
    sign_out(page)

    login(page, "guangdong", PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")  # the bell rang
    page.get_by_role("link", name=re.compile("Notifications")).click()
    notice = page.get_by_test_id("notification")
    expect(notice).to_contain_text("Report I.1 · Guangdong · 2012-Q1 was returned")
    expect(notice).to_contain_text("Name the twelve enterprises.")
    notice.get_by_role("button", name="Open").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/edit/$"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)  # opening it marked it read
    assert page.console_errors == []
