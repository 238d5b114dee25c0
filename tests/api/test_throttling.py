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
