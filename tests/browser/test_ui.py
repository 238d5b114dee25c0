"""The site in a real browser: signing in and out, changing the password, the language switch, the keyboard,
same-origin assets, and screenshots of the main pages."""

import os
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import login, screenshot
from tests.factories import UserFactory
from tests.helpers import USER_PASSWORD as PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)

PAGES = [
    "/plans/2012/",
    "/plans/2012/programs/2/",
    "/plans/2012/items/II.3/",
    "/offices/",
    "/offices/Guangdong/",
    "/departments/",
    "/accounts/password/",
]


@pytest.fixture
def person(plan):
    return UserFactory(username="guangdong-staff")


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_it(page, person):
    page.goto("/offices/Guangdong/")
    expect(page).to_have_url("/accounts/login/?next=/offices/Guangdong/")
    expect(page).to_have_title("Sign in · Plan Tracker")

    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value(person.username)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/offices/Guangdong/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guangdong Intellectual Property Office")
    expect(page.get_by_text(f"Signed in as {person.username}")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/login/")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    page.goto("/offices/")
    expect(page).to_have_url("/accounts/login/?next=/offices/")
    assert page.console_errors == []


def test_change_password(page, person):
    login(page, person.username)
    page.get_by_role("link", name="Change password").click()
    expect(page).to_have_title("Change password · Plan Tracker")

    page.get_by_label("Old password").fill("not it")
    page.get_by_label("New password:", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("New password confirmation").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("Old password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_old_password_error")).to_be_visible()

    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password:", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("New password confirmation").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    page.get_by_role("button", name="Sign out").click()
    login(page, person.username, "a-new-long-passphrase")
    expect(page).to_have_url("/plans/2012/")


def test_language_switch_shows_chinese_labels_and_names(page, person):
    login(page, person.username)
    page.goto("/offices/Guangdong/")
    page.get_by_role("button", name="简体中文").click()

    expect(page).to_have_url("/offices/Guangdong/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("广东省知识产权局")
    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("link", name="知识产权局")).to_be_visible()
    expect(navigation.get_by_role("link", name="部门")).to_be_visible()
    expect(page.get_by_role("columnheader", name="责任部门")).to_be_visible()
    expect(page.get_by_role("link", name="专利管理司").first).to_be_visible()

    page.goto("/plans/2012/items/II.3/")
    expect(page.get_by_role("heading", name="参与的知识产权局")).to_be_visible()
    offices = page.get_by_role("list", name="参与的知识产权局")
    expect(offices.get_by_role("link")).to_have_text(["北京", "天津", "上海", "广东", "重庆"])
    expect(page.get_by_role("navigation", name="页面路径")).to_contain_text("2012年计划")
    screenshot(page, "workitem-zh-hans")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Participating offices")).to_be_visible()


def focus_outline(locator):
    """The focused element's outline as [style, width in px]."""
    style, width = locator.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    return style, float(width.removesuffix("px"))


def test_keyboard_alone_signs_in_with_visible_focus(page, person):
    page.goto("/accounts/login/")

    # The user name field has the focus from the start (autofocus), shown by a 3px outline.
    username = page.get_by_label("Username")
    expect(username).to_be_focused()
    style, width = focus_outline(username)
    assert style != "none" and width >= 2

    page.keyboard.type(person.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    sign_in = page.get_by_role("button", name="Sign in")
    expect(sign_in).to_be_focused()
    style, width = focus_outline(sign_in)
    assert style != "none" and width >= 2
    page.keyboard.press("Enter")
    expect(page).to_have_url("/plans/2012/")

    # On every page the first Tab reaches a visible "skip to main content" link.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10

    # The navigation comes next, with the same visible focus.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Offices":
            break
    offices = page.get_by_role("navigation", name="Main").get_by_role("link", name="Offices")
    expect(offices).to_be_focused()
    style, width = focus_outline(offices)
    assert style != "none" and width >= 2
    page.keyboard.press("Enter")
    expect(page).to_have_url("/offices/")

    # The skip link moves the focus past the header, to the page's content.
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_every_page_loads_only_from_its_own_origin(page, person, live_server):
    origin = urlsplit(live_server.url)[:2]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, person.username)
    for url in PAGES:
        page.goto(url, wait_until="networkidle")
        references = page.evaluate(
            """() => [...document.querySelectorAll('[src], [href], [action], [srcset]')].map(
                   e => e.src || e.href || e.action || e.getAttribute('srcset'))"""
        )
        assert references, url
        foreign = [ref for ref in references if urlsplit(ref)[:2] != origin]
        assert foreign == [], (url, foreign)
        # The style sheet applied: the header is the brand blue.
        colour = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert colour == "rgb(11, 79, 138)", url
    foreign_requests = [request for request in requested if urlsplit(request)[:2] != origin]
    assert foreign_requests == []
    assert page.console_errors == []


def test_screenshots_of_the_plan_overview_and_a_work_item(page, person):
    login(page, person.username)

    page.goto("/plans/2012/", wait_until="networkidle")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2012")
    expect(page.locator(".progress-table tbody tr")).to_have_count(10)  # the programs
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_have_attribute("data-chart-rendered", "true")  # Chart.js loaded and drew the chart
    assert page.evaluate("typeof window.htmx") == "object"
    assert screenshot(page, "plan-overview").stat().st_size > 10_000

    page.get_by_role("link", name="Patent Utilization Promotion").click()
    expect(page).to_have_url("/plans/2012/programs/2/")
    page.get_by_role("link", name="Explore the setup of a patent utilization system").click()
    expect(page).to_have_url("/plans/2012/items/II.3/")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(breadcrumbs.get_by_role("link")).to_have_text(["Plan 2012", "II Patent Utilization Promotion"])
    expect(breadcrumbs.locator("[aria-current=page]")).to_have_text("II.3")
    assert screenshot(page, "workitem").stat().st_size > 10_000
    assert page.console_errors == []


def test_the_content_security_policy_is_enforced_here(page, person, settings):
    """The other tests' `console_errors == []` would catch an inline script or style: prove it would."""
    if not getattr(settings, "SECURE_CSP", None):
        pytest.skip("no Content Security Policy configured")
    login(page, person.username)
    page.goto("/offices/")
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';
                   document.body.append(s); }"""
    )
    assert page.evaluate("window.inlineRan === undefined")
    assert any("Content Security Policy" in error for error in page.console_errors), page.console_errors
