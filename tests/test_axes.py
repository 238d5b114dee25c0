"""Lock-out after repeated failed sign-ins (django-axes): per user name and address, with a clear message, on the
admin's sign-in page and on the API's token endpoint alike."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.helpers import USER_PASSWORD as PASSWORD

ATTACKER = "192.0.2.10"  # documentation addresses (RFC 5737): only ever a REMOTE_ADDR in a test request
COLLEAGUE = "198.51.100.20"


@pytest.fixture
def staff(db):
    return UserFactory(username="reporter", is_staff=True)


def admin_sign_in(client, username, password, address, user_agent="test"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=user_agent,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_out_that_user_from_that_address(staff):
    client = Client()
    # A different browser each time does not reset the count: the lock is on user name and address only.
    failures = [admin_sign_in(client, "reporter", "wrong", ATTACKER, user_agent=f"agent {n}") for n in range(5)]

    assert [response.status_code for response in failures] == [200, 200, 200, 200, 429]
    assert "Please enter the correct username and password" in failures[0].content.decode()
    lock_out_message = "Too many failed sign-ins for this account from your address: signing in is locked for 15"
    assert lock_out_message in failures[4].content.decode()
    assert failures[4]["Retry-After"] == "900"

    right_password = admin_sign_in(client, "reporter", PASSWORD, ATTACKER)

    assert right_password.status_code == 429
    assert not signed_in(client)


def test_a_lock_out_leaves_other_addresses_and_other_users_alone(staff):
    other = UserFactory(username="analyst", is_staff=True)
    for _ in range(5):
        admin_sign_in(Client(), "reporter", "wrong", ATTACKER)

    from_elsewhere, same_address_other_user = Client(), Client()
    elsewhere = admin_sign_in(from_elsewhere, "reporter", PASSWORD, COLLEAGUE)
    other_user = admin_sign_in(same_address_other_user, other.username, PASSWORD, ATTACKER)

    assert (elsewhere.status_code, elsewhere["Location"]) == (302, "/admin/")
    assert signed_in(from_elsewhere)
    assert (other_user.status_code, other_user["Location"]) == (302, "/admin/")


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(staff):
    client = Client()
    for _ in range(4):
        admin_sign_in(client, "reporter", "wrong", ATTACKER)

    assert admin_sign_in(client, "reporter", PASSWORD, ATTACKER).status_code == 302
    client.logout()
    # The success reset the count: four more failures are not yet a lock-out.
    assert [admin_sign_in(Client(), "reporter", "wrong", ATTACKER).status_code for _ in range(4)] == [200] * 4


def test_the_api_token_endpoint_locks_out_with_a_json_429(api_client, staff):
    def token(password, address):
        return api_client.post(
            "/api/v1/auth/token/", {"username": "reporter", "password": password}, format="json", REMOTE_ADDR=address
        )

    failures = [token("wrong", ATTACKER) for _ in range(5)]
    refused = token(PASSWORD, ATTACKER)
    elsewhere = token(PASSWORD, COLLEAGUE)

    assert [response.status_code for response in failures] == [400, 400, 400, 400, 429]
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many failed sign-ins for this account from your address: signing in is locked for 15 minutes. "
        "Wait, then try again with the right password, or ask an administrator to unlock the account.",
        "code": "locked_out",
        "retry_after_minutes": 15,
    }
    assert "token" not in refused.json()
    assert elsewhere.status_code == 200
    assert elsewhere.json()["token"]
