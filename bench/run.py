"""`make bench`: the app under gunicorn as in production, on PostgreSQL, driven by wrk over loopback, against its
limits measured in the same run. The pipeline, one module per step:

1. bench/loadguard.py: the load average before the run; RESULTS.md is written only if the machine was quiet.
2. bench/site.py: a throwaway cluster with `generate_data --scale large` (or as asked), the product, its raw-SQL
   limit (bench/rawapp.py), the constant Django view and the task worker under gunicorn.
3. bench/measure.py: every read checked against its limit (bench/limits.py), then measured by wrk at 1 and 16
   clients; the pages, a 304, the annual summary PDF, the submission scenario, the constant view.
4. With --growth: the same reads of the same year over a bigger database (40 plan-years, 200,000 reports).
5. bench/compare.py and bench/report.py: the regressions against the previous bench/results.json, RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import compare, loadguard, measure, report, site, wrk
from bench.console import log


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server (`make serve`'s WORKERS)")
    parser.add_argument("--scale", default="large", help="generate_data's --scale (small, large)")
    parser.add_argument("--reports", type=int, help="generate_data's --reports (default: the scale's)")
    parser.add_argument("--years", type=int, help="generate_data's --years (default: the scale's)")
    parser.add_argument("--growth", action="store_true", help="also measure the reads over a bigger database")
    parser.add_argument("--growth-years", type=int, default=40)
    parser.add_argument("--growth-reports", type=int, default=200_000)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    parser.add_argument("--force", action="store_true", help="write RESULTS.md even if the machine was busy")
    parser.add_argument(
        "--database-url",
        help="a database already generated at the scale (for trying changes): no cluster, no generator",
    )
    return parser.parse_args(argv)


def generator_of(args) -> list[str]:
    extra = [f"--{name}={value}" for name in ("reports", "years") if (value := getattr(args, name)) is not None]
    return ["--scale", args.scale, *extra]


def machine() -> dict:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def measure_everything(opened: site.Site, wrk_bin: str, seconds: float) -> list[dict]:
    rows = [measure.measure_read(opened, read, wrk_bin, seconds) for read in measure.reads(opened.config)]
    rows.append(measure.measure_not_modified(opened, wrk_bin, seconds))
    rows.append(measure.measure_pdf(opened, wrk_bin, seconds))
    rows.append(measure.measure_submission(opened, wrk_bin, seconds))
    rows.append(measure.measure_constant(opened, wrk_bin, seconds))
    return rows


def growth_run(args, wrk_bin: str, year: int) -> dict:
    """The reads of the same plan year, at 1 client, over `generate_data --years N --reports M`."""
    generator = ["--scale", "large", f"--years={args.growth_years}", f"--reports={args.growth_reports}"]
    log(f"growth run: {' '.join(generator)}")
    with site.opened(generator=generator, workers=args.workers, year=year) as opened:
        rows = [
            measure.measure_read(opened, r, wrk_bin, args.duration, clients=(1,)) for r in measure.reads(opened.config)
        ]
        return {"data": opened.data, "year": opened.config["year"], "rows": rows}


def result_of(args, opened: site.Site, rows: list[dict], load_before: list[float], started: float) -> dict:
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "load_during": loadguard.during(rows),
        "load_after": loadguard.load_now(),
        "workers": args.workers,
        "duration": args.duration,
        "year": opened.config["year"],
        "data": opened.data,
        "postgres": subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip(),
        "total_seconds": round(time.monotonic() - started),
        "rows": rows,
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    started, load_before = time.monotonic(), loadguard.load_now()
    guard = loadguard.decide(
        load_before=load_before, cores=os.cpu_count() or 1, force=args.force, no_write=args.no_write
    )
    if guard.busy:
        log(f"⚠ the machine is busy, the figures will be queueing for CPU: {guard.reason}")
    wrk_bin = wrk.ensure()
    generator = None if args.database_url else generator_of(args)
    with site.opened(generator=generator, workers=args.workers, database_url=args.database_url) as opened:
        rows = measure_everything(opened, wrk_bin, args.duration)
        result = result_of(args, opened, rows, load_before, started)
    if args.growth:
        grown = growth_run(args, wrk_bin, result["year"])
        result["growth"] = {"data": grown["data"], "rows": compare.growth(result, grown)}
    previous = report.previous()
    result["previous_date"] = previous and previous["date"]
    result["regressions"] = compare.regressions(result, previous)
    result["guard"] = guard.__dict__ | {"load_after": loadguard.load_now()}
    result["total_seconds"] = round(time.monotonic() - started)
    print(report.write(result, to_results=guard.write))
    log(f"{'wrote' if guard.write else 'did not write'} bench/RESULTS.md: {guard.reason}")
    return result


if __name__ == "__main__":
    main()
