"""Tokens managed by API: create with a name and a lifetime (within the default), list one's own with the last use,
revoke; the same list as the tokens page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from participants.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def analyst(db):
    from participants.choices import Role

    user = UserFactory(username="ana", password=PASSWORD)
    user.profile.role = Role.ANALYST
    user.profile.save()
    return user


def obtain(**body):
    return APIClient().post("/api/v1/auth/token/", {"username": "ana", "password": PASSWORD, **body}, format="json")


def test_the_token_response_is_the_documented_one_and_lives_what_was_asked(analyst, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(days=30)
    response = obtain(name="weekly export", expires_in_days=7)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "id", "name", "created", "expiry", "last_used", "expired"}
    assert body["token"].startswith(body["id"]) and body["name"] == "weekly export" and body["last_used"] is None
    life = parse_datetime(body["expiry"]) - parse_datetime(body["created"])
    assert abs(life - datetime.timedelta(days=7)) < datetime.timedelta(minutes=1)
    # Longer than the default lifetime: refused, nothing created.
    refused = obtain(name="forever", expires_in_days=31)
    assert refused.status_code == 400 and refused.json()["expires_in_days"] == ["At most 30 days."]
    assert ApiToken.objects.filter(user=analyst).count() == 1
    as_csv = APIClient().post("/api/v1/auth/token/?format=csv", {"username": "ana", "password": PASSWORD})
    assert as_csv.status_code == 404  # no file formats here (DRF: an unknown format is not found)


def test_list_own_tokens_with_last_use_and_revoke(analyst, client):
    token = obtain(name="script").json()
    other = UserFactory()
    from participants.services import api_token_create

    foreign, _ = api_token_create(user=other, name="theirs")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    listed = api.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["id"], row["name"], row["expired"]) == (token["id"], "script", False)
    assert parse_datetime(row["last_used"]) > timezone.now() - datetime.timedelta(minutes=1)
    # The tokens page shows the same list.
    client.force_login(analyst)
    page = client.get("/account/tokens/").content.decode()
    assert token["id"] in page and foreign.token_key not in page
    # Another user's token is not found; the analyst revokes their own (an analyst may manage their tokens).
    assert api.delete(f"/api/v1/auth/tokens/{foreign.token_key}/").status_code == 404
    assert ApiToken.objects.filter(pk=foreign.pk).exists()
    assert api.delete(f"/api/v1/auth/tokens/{token['id']}/").status_code == 204
    assert not ApiToken.objects.filter(user=analyst).exists()
    assert api.get("/api/v1/auth/tokens/").status_code == 401  # the token revoked itself


def test_last_use_is_written_once_per_few_minutes_not_per_request(analyst, time_machine):
    token = obtain().json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def writes():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/auth/tokens/").status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    assert len(writes()) == 1  # the first use
    assert writes() == []
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=6))
    assert len(writes()) == 1
