"""What every step of the bench shares: the repository's root and the log lines."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


class BenchFailed(SystemExit):
    """The bench cannot go on (a server died, a read answered an error): its message says why."""


def log(message: str):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fail(message: str):
    raise BenchFailed(message)


if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
