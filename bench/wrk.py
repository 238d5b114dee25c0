"""wrk, the load generator: installed with apt-get when missing, run with one of the bench's Lua scripts (get.lua,
submit.lua), whose done() prints one JSON line of figures that parse() reads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.console import fail, log
from bench.loadguard import load_now


def ensure() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: apt-get install -y wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def parse(stdout: str) -> dict | None:
    """The figures of wrk's output (the `@@{...}` line of the script's done()), with req/s; None without one."""
    line = next((line for line in stdout.splitlines() if line.startswith("@@")), None)
    if line is None:
        return None
    figures = json.loads(line[2:])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6) if figures["duration_us"] else 0.0
    return figures


def run(wrk_bin: str, url: str, *, clients: int, seconds: float, headers: dict, script: Path, env=None) -> dict:
    """One measurement: its figures, and the load average at its end."""
    threads = clients if script.name == "submit.lua" else min(clients, 2)
    command = [wrk_bin, "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "BENCH_THREADS": str(threads)},
    )
    figures = parse(result.stdout)
    if figures is None:
        fail(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    figures["load"] = load_now()
    return figures
