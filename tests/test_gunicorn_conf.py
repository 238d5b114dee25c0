"""planpromo/gunicorn_conf.py: the master loads and warms the application before it forks the workers, so that a new
(or replaced) worker answers its first request warm, and it must do so without a database connection, which the
forked workers would otherwise share."""

import subprocess
import sys

from django.urls import get_resolver

from planpromo import gunicorn_conf
from tests.production import BASE_DIR


def test_the_application_is_preloaded():
    assert gunicorn_conf.preload_app is True


def test_the_warm_up_reads_no_database_and_populates_the_urls():
    # pytest-django refuses database access in a test without the `db` fixture: the warm-up would fail here.
    gunicorn_conf.when_ready(server=None)
    assert get_resolver()._populated


def test_a_fresh_process_is_warm_after_the_hook():
    """In a process of its own (as the master is): the URL modules are imported by the hook, not by a request."""
    code = (
        "import django, sys; django.setup();"
        "from planpromo import gunicorn_conf; gunicorn_conf.when_ready(None);"
        "from django.db import connections;"
        "assert all(c.connection is None for c in connections.all(initialized_only=True));"
        "assert 'tracking.api.views' in sys.modules and 'planpromo.api.urls' in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
