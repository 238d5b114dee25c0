"""Fixtures for tests against pytest-django's live server: real HTTP clients in threads, each with its own session
and token, against a threaded server whose requests each have their own database connection.

The live server sees only committed data, so these tests run as TransactionTestCase, which empties every table
afterwards: the plan is loaded again for each test, by the same command the session loads it with.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection


def wants_postgres() -> bool:
    return os.environ.get("PLANPROMO_TEST_DB", "sqlite").lower() in {"postgres", "postgresql", "pg"}


@pytest.fixture
def require_postgres(transactional_db):
    """These tests need PostgreSQL (row locks, a server that serves concurrent connections). The SQLite pass skips
    them; a PostgreSQL pass that is not on PostgreSQL fails, and so does a CI run without a PostgreSQL pass set up
    (CI runs both passes: `make test`)."""
    if connection.vendor == "postgresql":
        return
    if wants_postgres():
        pytest.fail(f"PLANPROMO_TEST_DB=postgres, but the database is {connection.vendor}", pytrace=False)
    if os.environ.get("CI") == "true" and not _postgres_binaries():
        pytest.fail("CI needs PostgreSQL for the concurrency tests: apt-get install postgresql", pytrace=False)
    pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass (PLANPROMO_TEST_DB=postgres)")


def _postgres_binaries() -> bool:
    from tests.plugins.pgcluster import _find_binary

    return bool(_find_binary("initdb") and _find_binary("pg_ctl"))


@pytest.fixture
def live(transactional_db, live_server, settings, tmp_path):
    """The live server with the plan loaded, uploads under the test's MEDIA_ROOT (tests/conftest.py), no throttling
    and no lock-out (both are tested on their own; here they would only add noise to the counts)."""
    settings.AXES_ENABLED = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    cache.clear()
    call_command("load_plan", verbosity=0)
    yield live_server
    cache.clear()


def pytest_terminal_summary(terminalreporter):
    """The figures of the concurrency tests, for the closing note of a CI run."""
    from tests.concurrency.test_live_concurrency import FIGURES

    if FIGURES:
        terminalreporter.write_sep("-", "concurrency against the live server")
        for name, figures in FIGURES.items():
            terminalreporter.write_line(f"{name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
