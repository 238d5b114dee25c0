import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the default cache, which outlives a test; user ids repeat after each rollback."""
    cache.clear()
    yield
    cache.clear()
