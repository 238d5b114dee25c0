"""API tokens and sessions that must stop working: expired and revoked tokens, and every way in of a deactivated
user, are refused (401 at the API, back to sign-in on the pages), next to a token that still works."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from participants.models import ApiToken
from participants.services import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/updates/"


@pytest.fixture
def analyst():
    return UserFactory(profile__role="analyst")


def with_token(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def assert_refused(response):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_valid_token_reads(analyst):
    _, token = api_token_create(user=analyst, name="scripts", expires_in_days=30)
    assert with_token(token).get(URL).status_code == 200


def test_an_expired_token_is_refused(analyst):
    instance, token = api_token_create(user=analyst, name="scripts", expires_in_days=1)
    assert with_token(token).get(URL).status_code == 200
    ApiToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert_refused(with_token(token).get(URL))


def test_a_revoked_token_is_refused(analyst):
    instance, token = api_token_create(user=analyst, name="scripts")
    _, other = api_token_create(user=analyst, name="other")
    api_token_revoke(token=instance, user=analyst)
    assert_refused(with_token(token).get(URL))
    assert with_token(other).get(URL).status_code == 200  # only that token


def test_the_tokens_of_a_deactivated_user_are_refused(analyst):
    _, token = api_token_create(user=analyst, name="scripts")
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    assert_refused(with_token(token).get(URL))
    assert_refused(with_token(token).get("/api/v1/stats/programs/"))


def test_the_sessions_of_a_deactivated_user_end(analyst):
    browser, api = Client(), APIClient()
    browser.force_login(analyst)
    api.force_login(analyst)
    page = reverse("tracking:report_list")
    assert browser.get(page).status_code == 200 and api.get(URL).status_code == 200
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    response = browser.get(page)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert api.get(URL).status_code in {401, 403}  # no longer signed in: the session's user is anonymous


def token_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    table = ApiToken._meta.db_table
    return [query["sql"] for query in captured.captured_queries if f'"{table}"' in query["sql"]]


def test_a_token_is_checked_in_one_query(analyst):
    """knox also read every other token of the user on every request, to delete the expired ones: a query more
    per API call, for tokens that cannot authenticate anyway."""
    _, token = api_token_create(user=analyst, name="scripts")
    for name in ("laptop", "server"):
        api_token_create(user=analyst, name=name)
    client = with_token(token)
    client.get(URL)  # notes the token's first use (a write, once in LAST_USED_PRECISION)
    [lookup] = token_queries(client)
    assert lookup.lstrip().upper().startswith("SELECT")


def test_an_expired_token_stays_listed_as_expired_while_another_is_used(analyst):
    """The token list marks an expired token until the user's next token is created (api_token_create deletes
    the expired ones): using another token does not make it vanish behind the user's back."""
    old, _ = api_token_create(user=analyst, name="old script", expires_in_days=1)
    _, token = api_token_create(user=analyst, name="scripts")
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    client = with_token(token)
    assert client.get(URL).status_code == 200
    listed = {row["name"]: row["expired"] for row in client.get("/api/v1/auth/tokens/").json()}
    assert listed == {"old script": True, "scripts": False}
