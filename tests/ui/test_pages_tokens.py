"""The personal API tokens page (/account/tokens/): create, list, revoke; the token shown once, never stored in
clear; another user's token out of reach; a token acts with its user's rights."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from participants import services
from participants.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/tokens/"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_page_lists_only_the_users_tokens(signed_in_client, user):
    services.api_token_create(user=user, name="R scripts", expires_in_days=30)
    services.api_token_create(user=UserFactory(), name="someone else's")
    response = signed_in_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "R scripts" in html and "someone else" not in html
    assert re.search(r"<title>API tokens · Plan Tracker</title>", html)
    assert 'aria-label="Breadcrumbs"' in html
    # Every field has its label.
    assert '<label for="id_name">' in html and '<label for="id_expires_in_days">' in html
    assert f'<a href="{URL}" aria-current="true">API tokens</a>' in html


def test_create_shows_the_token_once_and_stores_only_its_hash(signed_in_client, user):
    response = signed_in_client.post(URL, {"name": "Excel", "expires_in_days": "7"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" class="token-value" type="text" value="([^"]+)"', response.content.decode())[1]
    stored = ApiToken.objects.get(user=user)
    assert stored.name == "Excel" and stored.expiry is not None
    assert token.startswith(stored.token_key) and token not in {stored.digest, stored.token_key}
    # Shown once: the next visit lists the token by its prefix only.
    html = signed_in_client.get(URL).content.decode()
    assert token not in html and stored.token_key in html
    # The token reads the API with the user's rights (an analyst's: read, never write).
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/plans/").status_code == 200
    assert api.post("/api/v1/updates/", {}, format="json").status_code == 403


def test_create_keeps_what_was_typed_on_an_error(signed_in_client):
    response = signed_in_client.post(URL, {"name": "Too long", "expires_in_days": "9999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Too long"' in html and 'aria-invalid="true"' in html
    assert not ApiToken.objects.exists()


def test_revoke_own_token_and_not_anothers(signed_in_client, user):
    mine, token = services.api_token_create(user=user, name="mine")
    other, _ = services.api_token_create(user=UserFactory(), name="other")
    assert signed_in_client.post(f"{URL}revoke/", {"key": other.token_key}).status_code == 404
    response = signed_in_client.post(f"{URL}revoke/", {"key": mine.token_key})
    assert response.status_code == 302 and response.url == URL
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["other"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/plans/").status_code == 401


def test_expired_token_is_marked(signed_in_client, user):
    import datetime

    from django.utils import timezone

    instance, _ = services.api_token_create(user=user, name="old", expires_in_days=1)
    ApiToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - datetime.timedelta(days=1))
    html = signed_in_client.get(URL).content.decode()
    assert "expired" in html


def test_tokens_page_in_chinese(signed_in_client):
    html = signed_in_client.get(URL, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "创建令牌" in html and "有效期（天）" in html


def test_query_count(signed_in_client, user, django_assert_num_queries):
    # session, user, the user's profile (the role rule and the navigation), the user's tokens, the bell's unread count
    services.api_token_create(user=user, name="one")
    with django_assert_num_queries(5):
        signed_in_client.get(URL)
    for n in range(5):
        services.api_token_create(user=user, name=f"more {n}")
    with django_assert_num_queries(5):
        signed_in_client.get(URL)
