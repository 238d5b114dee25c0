"""API tokens (red-team finding 8): a default lifetime, a per-user limit, revoked when the password changes or the
account is deactivated, and an expired token is told so."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from participants.models import ApiToken
from participants.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

from tests.helpers import USER_PASSWORD as PASSWORD  # noqa: E402


def token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_dies_when_the_password_is_changed_on_the_page(client):
    user = UserFactory(profile__role="analyst")
    _, token = api_token_create(user=user, name="script")
    assert token_client(token).get("/api/v1/plans/").status_code == 200
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-Passphrase-77", "new_password2": "a-new-Passphrase-77"},
    )
    assert response.status_code == 302
    assert token_client(token).get("/api/v1/plans/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_token_dies_when_the_password_is_set_anywhere_else():
    user = UserFactory(profile__role="analyst")
    _, token = api_token_create(user=user, name="script")
    user.set_password("another-Passphrase-88")
    user.save()
    assert token_client(token).get("/api/v1/plans/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_its_tokens():
    user = UserFactory(profile__role="analyst")
    _, token = api_token_create(user=user, name="script")
    user.first_name = "Li"
    user.save()
    assert token_client(token).get("/api/v1/plans/").status_code == 200


def test_deactivating_an_account_revokes_its_tokens():
    user = UserFactory(profile__role="analyst")
    _, token = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert token_client(token).get("/api/v1/plans/").status_code == 401


def test_tokens_have_a_default_lifetime_from_settings(api_client):
    user = UserFactory(profile__role="analyst")
    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    expiry = datetime.datetime.fromisoformat(response.json()["expiry"])
    expected = timezone.now() + settings.API_TOKEN_TTL
    assert abs((expiry - expected).total_seconds()) < 60
    assert datetime.timedelta(days=90) == settings.API_TOKEN_TTL


def test_a_user_may_hold_only_so_many_tokens(api_client, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 3
    user = UserFactory(profile__role="analyst")
    credentials = {"username": user.username, "password": PASSWORD}
    statuses = [api_client.post("/api/v1/auth/token/", credentials, format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 403]
    response = api_client.post("/api/v1/auth/token/", credentials, format="json")
    assert "3 tokens" in response.json()["detail"]
    assert ApiToken.objects.filter(user=user).count() == 3
    # An expired token does not count.
    ApiToken.objects.filter(pk=ApiToken.objects.filter(user=user).first().pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api_client.post("/api/v1/auth/token/", credentials, format="json").status_code == 200


def test_an_expired_token_is_told_it_expired():
    user = UserFactory(profile__role="analyst")
    instance, token = api_token_create(user=user, name="script")
    ApiToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = token_client(token).get("/api/v1/plans/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired: create a new one."
    assert token_client(token + "x").get("/api/v1/plans/").json()["detail"] == "Invalid token."


def test_changepassword_command_revokes(monkeypatch):
    user = UserFactory(profile__role="analyst")
    _, token = api_token_create(user=user, name="script")
    get_user_model().objects.get(pk=user.pk).set_password("x-Passphrase-99")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "x-Passphrase-99-long")
    call_command("changepassword", user.username, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert token_client(token).get("/api/v1/plans/").status_code == 401
