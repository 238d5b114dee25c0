"""Red-team finding 12 (informational): an unknown API URL answers in JSON, one rule for users without a role,
the language cookie only over https in production, a deadlock is retried once then explained."""

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

from tests.factories import UserFactory
from tests.production import ProductionClient, production_env

pytestmark = pytest.mark.django_db


def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("url", ["/offices/", "/departments/", "/reports/", "/my-work/", "/review/", "/"])
def test_a_signed_in_user_without_a_role_gets_403_on_pages_as_in_the_api(client, url):
    user = UserFactory(profile=None)
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.get("/api/v1/offices/").status_code == 403


def test_a_user_without_a_role_may_still_change_the_password_and_sign_out(client):
    client.force_login(UserFactory(profile=None))
    assert client.get("/accounts/password/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_the_language_cookie_is_secure_and_http_only_in_production(tmp_path):
    with ProductionClient(production_env(tmp_path)) as production:
        response = production.request(
            "POST", "/i18n/setlang/", data="language=zh-hans", content_type="application/x-www-form-urlencoded"
        )
    cookie = response.cookies["django_language"]
    assert "; Secure" in cookie and "; HttpOnly" in cookie


class DeadlockOnce:
    """A view whose first call fails as PostgreSQL reports a deadlock (SQLSTATE 40P01)."""

    def __init__(self, times):
        self.times, self.calls = times, 0

    def __call__(self, request):
        from django.http import HttpResponse

        self.calls += 1
        if self.calls <= self.times:
            cause = Exception("deadlock detected")
            cause.sqlstate = "40P01"
            raise OperationalError("deadlock detected") from cause
        return HttpResponse("done")


deadlock_once, deadlock_always = DeadlockOnce(1), DeadlockOnce(99)
urlpatterns = [path("once/", deadlock_once), path("always/", deadlock_always)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_deadlock_is_retried_once_then_explained(client):
    client.force_login(UserFactory(profile__role="analyst"))
    response = client.get("/once/")
    assert (response.status_code, response.content, deadlock_once.calls) == (200, b"done", 2)
    response = client.get("/always/")
    assert response.status_code == 503 and deadlock_always.calls == 2
    assert "busy with a conflicting change" in response.content.decode()
    assert "cannot be reached" not in response.content.decode()
