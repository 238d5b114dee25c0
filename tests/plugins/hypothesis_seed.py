"""Hypothesis randomised, with one seed per run that the run prints, and a fixed database of failures.

- Every run draws a seed (or takes HYPOTHESIS_SEED), prints it in the header and the closing summary, and gives
  each property test its own seed derived from it and the test's name: a run is reproduced by running it again
  with HYPOTHESIS_SEED=<the printed seed>.
- tests/hypothesis-db/ is Hypothesis' example database, committed: the failing examples kept there are replayed
  first by every run. CI only reads it; a developer run records new failures there (commit them with the fix).
- Tests call `seed_for(name)` for property tests Hypothesis runs from inside a test (state machines, the fuzzing).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase

SEED = int(os.environ.get("HYPOTHESIS_SEED") or secrets.randbits(32))
DATABASE_DIR = Path(__file__).resolve().parent.parent / "hypothesis-db"
_database = DirectoryBasedExampleDatabase(DATABASE_DIR)

settings.register_profile(
    "planpromo",
    database=ReadOnlyDatabase(_database) if os.environ.get("CI", "").lower() == "true" else _database,
    deadline=None,  # requests through the whole app on a shared machine: timing is not under test
    print_blob=True,  # a failure prints @reproduce_failure(...) as well as its example
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("planpromo")


def seed_for(name: str) -> int:
    """The seed of one property test in this run: the run's seed and the test's name."""
    return int.from_bytes(hashlib.sha256(f"{SEED}:{name}".encode()).digest()[:8], "big")


def pytest_report_header(config):
    return f"hypothesis: seed {SEED} (rerun with HYPOTHESIS_SEED={SEED}), failures database {DATABASE_DIR}"


def pytest_collection_modifyitems(items):
    for item in items:
        function = getattr(item, "function", None)
        if hypothesis.is_hypothesis_test(function) and getattr(function, "_hypothesis_internal_use_seed", None) is None:
            hypothesis.seed(seed_for(f"{item.module.__name__}.{function.__qualname__}"))(function)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"hypothesis seed of this run: {SEED} (rerun with HYPOTHESIS_SEED={SEED})")
