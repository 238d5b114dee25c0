import os

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.helpers import PASSWORD
from tracking.demo import demo_accounts_ensure

# pytest-django's live server listens with Django's backlog of 10 connections: 32 clients connecting at once (the
# concurrency tests) overflow it and get their connections reset. A bigger backlog, set before the server starts.
WSGIServer.request_queue_size = 128

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the 2012 plan from fixtures/, loaded once per session by the real command."""
    with django_db_blocker.unblock():
        call_command("load_plan", verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing strength is not under test; PBKDF2 would spend seconds per test creating accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttle counts live in the cache, which outlives a test while user ids repeat after each rollback.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request in Chinese leaves its language active in the test's thread (LocaleMiddleware activates it, nothing
    resets it), and the plan's translated fields are looked up in the active language (`label="2012-Q4"` becomes
    `label_zh_hans=...`): start and end each test in English, so no test depends on the one before."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test's uploads in a folder of its own, never in the project's media: the folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def accounts(db):
    """The demo accounts: admin, pad, pdd (department staff), guangdong, hunan, tianjin (office reporters), analyst;
    their password is tests.helpers.PASSWORD."""
    _, users = demo_accounts_ensure(password=PASSWORD)
    return users


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    """A signed-in analyst: reads everything published, writes nothing."""
    return UserFactory(profile__role="analyst")


@pytest.fixture
def auth_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
