"""The speed benchmark of issue 7, run by hand (never in CI); writes bench/results/benchmark.md.

    .venv/bin/python bench/run_bench.py [--skip-full] [--skip-sweep]

Measures on this machine, against the embedded reference server:
  - wall time of `ticonf run` with the quick and full profiles, on 1 and 2 workers
    (server start-up included), and the requests per second the suite sent;
  - the reference server's own capacity under a plain load loop (bench/server_capacity.py);
  - wall time of the whole fault sweep (`ticonf faults --sweep`).
The comparison with plain schemathesis lives in bench/compare_schemathesis.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results" / "benchmark.md"
TARGETS = {"quick": 20.0, "full": 180.0, "sweep": 600.0}


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICONF_", "PYTEST_"))}
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, env=env)
    return time.perf_counter() - started, result


def ticonf_run(profile: str, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        seconds, result = timed(
            [
                sys.executable,
                "-m",
                "ticonf",
                "run",
                "--profile",
                profile,
                "--workers",
                str(workers),
                "--seed",
                "1",
                "--report-dir",
                scratch,
            ]
        )
        report = json.loads((Path(scratch) / "report.json").read_text())
    return {
        "profile": profile,
        "workers": workers,
        "wall_s": seconds,
        "exit": result.returncode,
        "requests": report["run"]["requests"],
        "tests": report["run"]["tests"],
        "verdict": report["verdict"],
    }


def capacity() -> str:
    _, result = timed([sys.executable, str(HERE / "server_capacity.py"), "--seconds", "5"])
    return result.stdout.strip()


def sweep() -> tuple[float, str]:
    seconds, result = timed([sys.executable, "-m", "ticonf", "faults", "--sweep"])
    figure = next((ln for ln in result.stdout.splitlines() if ln.startswith("caught")), "?")
    return seconds, figure


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT
    ).stdout.strip()


def table(runs: list[dict]) -> list[str]:
    lines = [
        "| profile | workers | wall time (s) | target (s) | tests | requests | requests/s "
        "| verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r['profile']} | {r['workers']} | {r['wall_s']:.1f} | "
            f"< {TARGETS[r['profile']]:.0f} | {r['tests']} | {r['requests']} | "
            f"{r['requests'] / r['wall_s']:.0f} | {r['verdict']} |"
        )
    return lines


def speedups(runs: list[dict]) -> list[str]:
    by_key = {(r["profile"], r["workers"]): r["wall_s"] for r in runs}
    return [
        f"- {profile}: 2 workers are {by_key[(profile, 1)] / by_key[(profile, 2)]:.2f}x "
        "as fast as 1"
        for profile in ("quick", "full")
        if (profile, 1) in by_key and (profile, 2) in by_key
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    profiles = ["quick"] if args.skip_full else ["quick", "full"]
    runs = [ticonf_run(p, w) for p in profiles for w in (1, 2)]
    lines = [
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
        f"{commit()}, {os.cpu_count()} cores)",
        "",
        "Command: `.venv/bin/python bench/run_bench.py`",
        "",
        *table(runs),
        "",
        *speedups(runs),
        f"- {capacity()}",
    ]
    if not args.skip_sweep:
        seconds, figure = sweep()
        lines.append(
            f"- fault sweep (`ticonf faults --sweep`): {seconds:.0f} s "
            f"(target < {TARGETS['sweep']:.0f} s), {figure}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
