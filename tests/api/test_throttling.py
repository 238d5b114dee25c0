"""Rate limits: per user and per anonymous address, from settings; over the limit, 429 with Retry-After."""

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rates(**rates):
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates})


def test_a_user_over_the_limit_gets_429_with_retry_after(auth_client):
    with rates(user="3/minute", anon="1/minute"):
        assert [auth_client.get("/api/v1/plans/").status_code for _ in range(3)] == [200, 200, 200]
        response = auth_client.get("/api/v1/plans/", {"format": "csv"})
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        retry_after = int(response["Retry-After"])
        assert 0 < retry_after <= 60
        assert response.json() == {
            "detail": f"Request was throttled. Expected available in {retry_after} seconds.",
            "retry_after": retry_after,
        }

        other = APIClient()
        other.force_authenticate(UserFactory(profile__role="analyst"))
        assert other.get("/api/v1/plans/").status_code == 200  # counted per user


def test_anonymous_clients_are_limited_per_address(api_client):
    with rates(user="100/minute", anon="2/minute"):
        assert [api_client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
        response = api_client.get("/api/schema/")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert api_client.get("/api/schema/", REMOTE_ADDR="10.0.0.7").status_code == 200


def test_defaults_come_from_the_environment():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"user": "5000/hour", "anon": "100/hour"}


# --- Red-team findings 5, 6 and 7 -------------------------------------------------------------------------------


def test_x_forwarded_for_does_not_reset_the_anonymous_count(api_client):
    """DRF trusted the client's X-Forwarded-For: a random value each time was a new address."""
    with rates(user="100/minute", anon="2/minute"):
        assert [api_client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
        statuses = {api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1").status_code for n in range(20)}
        assert statuses == {429}


def test_behind_a_trusted_proxy_the_proxys_entry_identifies_the_client(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    with rates(user="100/minute", anon="2/minute"):
        forged = [
            api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.9").status_code for n in range(3)
        ]
        assert forged == [200, 200, 429]
        assert api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


def test_the_shared_cache_comes_from_cache_url():
    from planpromo.settings import cache_from_url

    assert cache_from_url("") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "planpromo_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
    assert cache_from_url("db://other_table")["LOCATION"] == "other_table"
    assert cache_from_url("redis://cache.internal:6379/2") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
    }
    assert cache_from_url("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_sign_in_failures_are_limited_per_address_across_user_names(client, api_client, settings):
    """Password spraying: one address, many user names, a few guesses each; django-axes locks name+address only."""
    settings.SIGN_IN_FAILURES_PER_ADDRESS = "5/hour"
    statuses = []
    for n in range(4):
        statuses.append(client.post("/accounts/login/", {"username": f"name{n}", "password": "guess"}).status_code)
    statuses.append(
        api_client.post("/api/v1/auth/token/", {"username": "name9", "password": "guess"}, format="json").status_code
    )
    assert statuses == [200, 200, 200, 200, 400]
    assert client.post("/accounts/login/", {"username": "name5", "password": "guess"}).status_code == 429
    response = api_client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429 and "Too many failed sign-ins from your address" in response.json()["detail"]
    # The body has what the schema documents for every 429 (the fuzzer found it missing): the wait, as the header.
    assert response.json()["retry_after"] == int(response["Retry-After"]) > 0
    assert client.post("/admin/login/", {"username": "name6", "password": "guess"}).status_code == 429
    # Another address is not affected.
    assert (
        client.post("/accounts/login/", {"username": "a", "password": "b"}, REMOTE_ADDR="10.1.1.1").status_code == 200
    )


def test_the_database_cache_does_not_cull_rate_limit_counts_under_a_busy_day(db):
    """Django's database cache deletes a third of its rows once it holds 300 (MAX_ENTRIES' default): rate-limit
    counts went with them, and the API's cached bodies (planpromo.api.conditional) fill it quickly. The shared
    cache of the settings holds far more before it culls."""
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management.commands.createcachetable import Command as CreateCacheTable

    from planpromo.settings import cache_from_url

    config = cache_from_url("")
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table("default", config["LOCATION"], dry_run=False)  # the tests' own cache is locmem
    cache = DatabaseCache(config["LOCATION"], config)
    cache.set("throttle_user_7", [1.0, 2.0, 3.0], 3600)
    for number in range(1000):
        cache.set(f"zz-{number:04}", number, 3600)
    assert cache.get("throttle_user_7") == [1.0, 2.0, 3.0]
    assert cache.get_many([f"zz-{number:04}" for number in range(1000)]) == {
        f"zz-{number:04}": number for number in range(1000)
    }
