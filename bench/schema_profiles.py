"""How long the schema half takes with each profile, against the embedded reference. By hand.

    .venv/bin/python bench/schema_profiles.py [--profiles quick full] [--runs 1] [--workers 2]
        [--seed 1]

Each run is `pytest suites/schema -n WORKERS --profile P --seed S` in a subprocess, the way
a user runs it (the embedded reference is started by the plugin). The wall time includes
startup, collection, the reference server and the reports. The per-test durations and request
counts come from the run's records. Other work on the machine slows every figure, so the
load average before and after each run is printed next to it. Nothing here is asserted;
results go to bench/results/schema_profiles.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "tmp" / "schema_profiles"
RESULTS = BENCH_DIR / "results" / "schema_profiles.md"


@dataclass
class Run:
    profile: str
    seed: int
    workers: int
    exit_code: int = -1
    wall_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    tests: dict[str, tuple[float, int]] = field(default_factory=dict)  # nodeid: (s, requests)

    @property
    def requests(self) -> int:
        return sum(count for _, count in self.tests.values())

    @property
    def slowest(self) -> tuple[str, float]:
        nodeid, (seconds, _) = max(self.tests.items(), key=lambda item: item[1][0])
        return nodeid.split("::", 1)[1], seconds


def run_once(profile: str, seed: int, workers: int) -> Run:
    report_dir = WORK_DIR / f"{profile}-{seed}-{int(time.time())}"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "suites/schema",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        str(workers),
        "--profile",
        profile,
        "--seed",
        str(seed),
        "--report-dir",
        str(report_dir),
    ]
    run = Run(profile, seed, workers, load_before=os.getloadavg()[0])
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    run.wall_s = time.perf_counter() - started
    run.load_after = os.getloadavg()[0]
    run.exit_code = done.returncode
    for path in sorted((report_dir / "raw").glob("records-*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            run.tests[record["nodeid"]] = (record.get("duration", 0.0), record.get("requests", 0))
    if done.returncode != 0:
        print(done.stdout[-2000:], file=sys.stderr)
    return run


def table(runs: list[Run]) -> str:
    lines = [
        "| profile | seed | workers | exit | wall (s) | tests | requests | slowest test (s) "
        "| load before/after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        name, seconds = run.slowest if run.tests else ("-", 0.0)
        lines.append(
            f"| {run.profile} | {run.seed} | {run.workers} | {run.exit_code} | {run.wall_s:.1f} "
            f"| {len(run.tests)} | {run.requests} | {name} ({seconds:.1f}) "
            f"| {run.load_before:.1f} / {run.load_after:.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", nargs="+", default=["quick", "full"])
    parser.add_argument("--runs", type=int, default=1, help="runs per profile")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="seed of the first run (+1 each)")
    options = parser.parse_args()
    runs = []
    for profile in options.profiles:
        for index in range(options.runs):
            run = run_once(profile, options.seed + index, options.workers)
            print(f"{profile} seed {run.seed}: {run.wall_s:.1f} s, exit {run.exit_code}")
            runs.append(run)
    report = f"# Schema half: wall time by profile\n\n{table(runs)}\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    return 0 if all(run.exit_code == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
