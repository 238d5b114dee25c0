"""The production configuration: `check --deploy` is clean, and the security headers are on every response,
the admin's included, with a Content Security Policy that the admin runs under unchanged."""

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.factories import UserFactory
from tests.production import ProductionClient, manage, production_env

ONE_YEAR = 365 * 24 * 60 * 60
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A production process with its static files collected, as `make serve` leaves them."""
    var_dir = tmp_path_factory.mktemp("production")
    env = production_env(var_dir)
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    with ProductionClient(env) as client:
        yield client


def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY=""), "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr


def assert_security_headers(headers):
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_healthz_carries_the_security_headers_in_production(production):
    response = production.get("/healthz")

    assert response.status == 200
    assert response.json() == {"status": "ok"}
    assert_security_headers(response.headers)


def test_admin_sign_in_page_carries_the_security_headers_in_production(production):
    response = production.get("/admin/login/")

    assert response.status == 200
    assert_security_headers(response.headers)
    assert_no_inline_code(response.body)
    # The CSRF cookie (and the session's, once signed in) only travels over https.
    assert "; Secure" in response.cookies["csrftoken"]


def test_admin_static_files_are_served_by_whitenoise_in_production(production):
    page = production.get("/admin/login/").body
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page).group(1)

    response = production.get(stylesheet)

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=315360000" in response.headers["Cache-Control"]  # hashed names are cached for good


def test_http_is_redirected_to_https_except_for_the_probes(production):
    page = production.get("/admin/login/", secure=False)
    probe = production.get("/healthz", secure=False)

    assert (page.status, page.headers["Location"]) == (301, "https://planpromo.example.org/admin/login/")
    assert probe.status == 200


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


def assert_no_inline_code(html):
    """What the policy would block: scripts without src (JSON data blocks are not run), on* handlers,
    javascript: URLs and inline styles."""
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_HANDLER.findall(html) == []
    assert "javascript:" not in html
    assert INLINE_STYLE.findall(html) == []


@pytest.fixture
def enforced_csp():
    with override_settings(SECURE_CSP=settings.CONTENT_SECURITY_POLICY, SECURE_CSP_REPORT_ONLY={}):
        yield


def admin_pages(user):
    """The admin index and, for every registered model, its list and (where adding is allowed) its add page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_add")


def test_every_admin_page_works_under_the_content_security_policy(client, db, enforced_csp):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    pages = list(admin_pages(superuser))

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == EXPECTED_CSP, url
        assert_no_inline_code(response.content.decode()), url
    assert len(pages) > 10


def test_admin_change_pages_work_under_the_content_security_policy(client, db, enforced_csp):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    checked = 0
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert response.status_code == 200, model
        assert_no_inline_code(response.content.decode())
        checked += 1
    assert checked >= 5  # the 2012 plan fills the plan models


def test_debug_settings_report_the_policy_without_enforcing_it(client, db):
    # The suite runs on the development settings: the policy is only reported, so Django's debug pages show.
    response = client.get("/healthz")

    assert response["Content-Security-Policy-Report-Only"] == EXPECTED_CSP
    assert "Content-Security-Policy" not in response
