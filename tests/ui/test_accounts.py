"""Sign in, sign out, change password, and the sign-in requirement's exemptions."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

from tests.helpers import USER_PASSWORD as PASSWORD  # noqa: E402


def test_sign_in_page_is_public_and_labelled(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert "<title>Sign in · Plan Tracker</title>" in html


def test_sign_in_returns_to_next(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "/offices/"})
    assert response.status_code == 302
    assert response.url == "/offices/"
    assert client.get("/offices/").status_code == 200


def test_sign_in_with_a_wrong_password_shows_the_error_in_place(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert f'value="{user.username}"' in html  # what was typed is kept


def test_signed_in_user_skips_the_sign_in_page(signed_in_client):
    response = signed_in_client.get("/accounts/login/")
    assert response.status_code == 302
    assert response.url == "/"


def test_sign_out_is_a_post_and_ends_the_session(signed_in_client):
    assert signed_in_client.get("/accounts/logout/").status_code == 405
    response = signed_in_client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You have signed out." in response.content.decode()
    assert signed_in_client.get("/offices/").status_code == 302


def test_change_password(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
        follow=True,
    )
    assert response.redirect_chain[0] == ("/", 302)
    assert "Your password has been changed." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
    assert signed_in_client.get("/offices/").status_code == 200  # the session survives the change


def test_change_password_errors_are_shown_by_the_field(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_old_password_error"' in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_htmx_request_gets_hx_redirect_instead_of_a_302(client):
    response = client.get(
        "/offices/Guangdong/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/plans/2012/items/II.3/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/plans/2012/items/II.3/"
    assert response.content == b""


def test_admin_keeps_its_own_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_api_answers_401_not_a_redirect(client):
    response = client.get("/api/v1/plans/")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_probes_need_no_sign_in(client, url):
    assert client.get(url).status_code in (200, 503)


def test_staff_sign_in_goes_to_the_plan(client):
    staff = UserFactory(is_staff=True)
    response = client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302), ("/plans/2012/", 302)]
    assert get_user_model().objects.filter(pk=staff.pk, last_login__isnull=False).exists()
