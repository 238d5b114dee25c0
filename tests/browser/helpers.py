"""What the browser tests share: signing in through the page, screenshots as test artifacts."""

from pathlib import Path

from django.conf import settings

from tests.helpers import USER_PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def screenshot(page, name):
    """Save a full-page PNG as a test artifact and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username, password=USER_PASSWORD):
    """Sign in through the sign-in page, as a person would, and wait to leave it."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
