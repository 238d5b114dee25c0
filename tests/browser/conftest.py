"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium, never a browser that
Playwright downloads) against pytest-django's live_server, which serves the static files from the finders.

Fixtures: `browser` (one Chromium per session), `page` (a fresh context per test, English, base URL of the live
server), `accounts` (the demo accounts, after the plan); helpers in tests/browser/helpers.py: `login(page, username,
password)`, `screenshot(page, name)` (PNG under test-artifacts/screenshots/).
Without the browser (or the playwright package) the tests skip, except in CI (CI=true), where they fail.
"""

import os

import pytest
from django.core.management import call_command

from tests.browser.helpers import screenshot
from tests.helpers import compile_catalogues

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make there are still
# synchronous, so Django's guard against ORM calls from async code does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    compile_catalogues()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def plan(transactional_db):
    """The live server sees only committed data, so these tests run as TransactionTestCase, which empties every
    table afterwards, the plan too: load it again for each test (the same command the session loads it with)."""
    call_command("load_plan", verbosity=0)


@pytest.fixture
def accounts(plan, accounts):
    """tests/conftest.py's demo accounts, created after the plan is loaded again."""
    return accounts


@pytest.fixture
def page(browser, live_server, plan, request, settings):
    # Enforce the production Content Security Policy (debug only reports it), so that an inline script or style
    # is blocked here as it would be in production, and shows up in console_errors.
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if policy:
        settings.SECURE_CSP = policy
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
