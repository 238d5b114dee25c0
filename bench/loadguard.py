"""The load guard: figures measured while other work ran on the machine are queueing for CPU, not the app's. The
load average is recorded before the run, at the end of each measurement and after the run; RESULTS.md is written
only when the machine was quiet at the start (1-minute load at most BUSY_PER_CORE per core), or with --force,
which the file then says."""

from __future__ import annotations

import os
from dataclasses import dataclass

BUSY_PER_CORE = 0.5


def load_now() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


@dataclass(frozen=True)
class Decision:
    write: bool
    busy: bool
    forced: bool
    reason: str


def decide(*, load_before: list[float], cores: int, force: bool = False, no_write: bool = False) -> Decision:
    """Whether RESULTS.md may be written, from the 1-minute load average before the run."""
    per_core = load_before[0] / max(cores, 1)
    busy = per_core > BUSY_PER_CORE
    state = f"load {load_before[0]:.2f} on {cores} cores ({per_core:.2f} per core, at most {BUSY_PER_CORE} is quiet)"
    if no_write:
        return Decision(
            write=False, busy=busy, forced=False, reason=f"--no-write ({'busy' if busy else 'quiet'}: {state})"
        )
    if busy and not force:
        return Decision(write=False, busy=True, forced=False, reason=f"the machine was busy before starting: {state}")
    if busy:
        return Decision(write=True, busy=True, forced=True, reason=f"written with --force although busy: {state}")
    return Decision(write=True, busy=False, forced=False, reason=f"quiet machine: {state}")


def during(rows: list[dict]) -> dict | None:
    """The lowest, highest and mean 1-minute load sampled at the end of each measurement."""
    samples = [
        run["load"][0] for row in rows for runs in row["runs"].values() for run in runs.values() if "load" in run
    ]
    if not samples:
        return None
    return {"min": min(samples), "max": max(samples), "mean": round(sum(samples) / len(samples), 2), "n": len(samples)}
