"""The environment of the test run, set before pytest-django imports the settings (loaded with
`-p tests.plugins.testenv`, pyproject addopts).

- CACHE_URL=locmem://: each test process counts rate limits in its own memory, cleared around every test
  (tests/conftest.py); the shared database cache of production is tested where it matters, across the worker
  processes of a real gunicorn (tests/security/test_live_hardening.py) and in the production-settings processes
  (tests/production.py strips these variables).
- DJANGO_TASKS_BACKEND=immediate: background tasks run at once, in the caller.
"""

import os

os.environ.setdefault("CACHE_URL", "locmem://")
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")
