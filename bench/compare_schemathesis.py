"""Which faults of the catalog does plain schemathesis catch, next to ticonf? Run by hand.

    .venv/bin/python bench/compare_schemathesis.py [--jobs 2] [--max-examples 100] [--seed 1]
        [--fault NAME ...] [--from-sweep reports/sweep-.../sweep.json] [--render-only]

Plain schemathesis is used as a user alone would use it: `schemathesis run` on
spec/openapi.yaml against the faulty server's URL, HTTP Basic credentials, all checks, every
phase including the stateful one, a fixed seed and a max-examples budget of the same order as
ticonf's quick profile. It gets nothing else: no fixture endpoints, no hooks, no config file.

Plain schemathesis fails the clean reference too (an Allow-header remark, see the results),
so a fault counts as caught by schemathesis when its run reports a failure (code and
operation) that the clean reference's run with the same seed does not. ticonf's column comes
from the sweep (`ticonf faults --sweep`, full selection) run by this script, or read from a
sweep.json with --from-sweep. Writes bench/results/comparison.md; the runs' own files stay in
bench/tmp/compare/ (not tracked), from which --render-only rewrites the table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.faults import Fault, all_faults, get_fault
from ticonf.faults.sweep import SweepOptions, sweep, write_results
from ticonf.reference.server import running_server

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "comparison.md"
WORK_DIR = BENCH_DIR / "tmp" / "compare"
SPEC = "spec/openapi.yaml"
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
PHASES = "examples,coverage,fuzzing,stateful"
RUN_TIMEOUT_S = 600

Signature = tuple[str, str]  # (failure code and title, operation)


@dataclass
class StRun:
    """One schemathesis run against one server."""

    name: str
    exit_code: int = -1
    failures: set[Signature] = field(default_factory=set)
    seconds: float = 0.0
    note: str = ""


def schemathesis_args(url: str, report_dir: Path, max_examples: int, seed: int) -> list[str]:
    """The CLI call, as a user would type it (the URL and the report place aside)."""
    return [
        SCHEMATHESIS,
        "run",
        SPEC,
        "--url",
        url,
        "--auth",
        f"{DEFAULT_API_KEY}:{DEFAULT_API_SECRET}",
        "--checks",
        "all",
        "--phases",
        PHASES,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report_dir / "schemathesis.json"),
    ]


def read_failures(report: Path) -> set[Signature]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        (f"{failure['code']} {failure['title']}", operation)
        for failure in document.get("failures", [])
        for operation in failure.get("operations", [])
    }


def run_schemathesis(fault: str | None, max_examples: int, seed: int) -> StRun:
    report_dir = WORK_DIR / (fault or "clean")
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "schemathesis.json").unlink(missing_ok=True)
    note = ""
    with running_server(fault) as server:
        command = schemathesis_args(server.base_url, report_dir, max_examples, seed)
        with (report_dir / "schemathesis.log").open("w", encoding="utf-8") as log:
            try:
                subprocess.run(
                    command,
                    cwd=PROJECT_DIR,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=False,
                    timeout=RUN_TIMEOUT_S,
                )
            except subprocess.TimeoutExpired:
                note = f"stopped after {RUN_TIMEOUT_S} s"
    run = load_schemathesis(fault)
    run.note = note or run.note
    return run


def load_schemathesis(fault: str | None) -> StRun:
    """A finished schemathesis run, from the JSON report it wrote."""
    report_dir = WORK_DIR / (fault or "clean")
    run = StRun(name=fault or "(clean reference)")
    report = report_dir / "schemathesis.json"
    if not report.exists():
        run.note = f"no JSON report; see {report_dir / 'schemathesis.log'}"
        return run
    document = json.loads(report.read_text(encoding="utf-8"))
    run.exit_code = document.get("exit_code", -1)
    run.seconds = round(document.get("running_time", 0.0), 1)
    run.failures = read_failures(report)
    return run


def in_parallel(jobs: int, tasks: list[Callable[[], StRun]]) -> list[StRun]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(task) for task in tasks]
        results = []
        for future in futures:
            result = future.result()
            print(f"  schemathesis {result.name}: exit {result.exit_code}", flush=True)
            results.append(result)
        return results


@dataclass
class TiconfRun:
    caught: bool
    seconds: float


def run_ticonf(faults: list[Fault], jobs: int) -> Path:
    root = WORK_DIR / "ticonf-sweep"
    result = sweep(faults, root, jobs=jobs, options=SweepOptions(selection="full"))
    write_results(result, root)
    print(f"  ticonf: {result.figure()}, clean reference ok: {result.clean.ok}", flush=True)
    return root / "sweep.json"


def load_ticonf(sweep_json: Path) -> dict[str, TiconfRun]:
    """Each fault's verdict from a sweep.json, with the suite's own running time."""
    document = json.loads(sweep_json.read_text(encoding="utf-8"))
    runs = {}
    for outcome in [document["clean"], *document["faults"]]:
        report = Path(outcome["report_dir"]) / "report.json"
        duration = outcome["seconds"]
        if report.exists():
            duration = json.loads(report.read_text(encoding="utf-8"))["run"]["duration_s"]
        runs[outcome["name"]] = TiconfRun(outcome["ok"], duration)
    return runs


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    return completed.stdout.strip() or "unknown"


def describe(signatures: set[Signature]) -> str:
    return "; ".join(f"{code} on {operation}" for code, operation in sorted(signatures))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def render(
    faults: list[Fault],
    clean: StRun,
    runs: list[StRun],
    ticonf: dict[str, TiconfRun],
    meta: dict[str, Any],
) -> str:
    new = {run.name: run.failures - clean.failures for run in runs}
    st_caught = sum(bool(new[f.name]) for f in faults)
    tc_caught = sum(ticonf[f.name].caught for f in faults if f.name in ticonf)
    command = " ".join(schemathesis_args("http://127.0.0.1:PORT/v1", Path("DIR"), 0, 0))
    command = command.replace(SCHEMATHESIS, "schemathesis")
    command = command.replace("--max-examples 0", f"--max-examples {meta['max_examples']}")
    command = command.replace("--seed 0", f"--seed {meta['seed']}")
    st_mean = mean([run.seconds for run in [clean, *runs]])
    tc_mean = mean([run.seconds for run in ticonf.values()])
    notes = [f"- schemathesis on {run.name}: {run.note}" for run in [clean, *runs] if run.note]
    lines = [
        "# ticonf and plain schemathesis on the fault catalog",
        "",
        f"- commit {meta['commit']}, {meta['date']}, wall time {meta['wall_s'] / 60:.1f} min "
        f"on 2 cores ({meta['jobs']} runs at a time)",
        f"- produced by: `.venv/bin/python bench/compare_schemathesis.py --jobs {meta['jobs']} "
        f"--max-examples {meta['max_examples']} --seed {meta['seed']}`",
        f"- schemathesis, per server: `{command}`",
        "- ticonf, per server: the suite as `ticonf faults --sweep --selection full` runs it "
        "(profile quick, one pytest worker, no shrinking)",
        f"- time per server, each tool's own running time: ticonf {tc_mean:.0f} s on average, "
        f"plain schemathesis {st_mean:.0f} s",
        "- caught by ticonf: every requirement the fault violates failed (and the verdict is "
        "nonconformant unless the fault violates SHOULD requirements only)",
        f"- caught by plain schemathesis: its run reports a failure (code and operation) that "
        f"its run against the clean reference does not; that run exits {clean.exit_code} with: "
        f"{describe(clean.failures) or 'no failure'}",
        *notes,
        "",
        f"**ticonf caught {tc_caught} of {len(faults)} faults; plain schemathesis caught "
        f"{st_caught} of {len(faults)}.**",
        "",
        "| fault | violates | caught by ticonf | caught by plain schemathesis | "
        "schemathesis' new failures |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fault in faults:
        tc = "yes" if fault.name in ticonf and ticonf[fault.name].caught else "no"
        st = "yes" if new[fault.name] else "no"
        lines.append(
            f"| {fault.name} | {', '.join(fault.violates)} | {tc} | {st} | "
            f"{describe(new[fault.name]) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault", dest="faults", nargs="+", action="extend")
    parser.add_argument("--from-sweep", help="read ticonf's results from this sweep.json")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the table from the last run's files"
    )
    args = parser.parse_args()
    faults = [get_fault(name) for name in args.faults] if args.faults else all_faults()
    meta_path = WORK_DIR / "meta.json"
    if args.render_only:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        clean, *runs = [load_schemathesis(None), *(load_schemathesis(f.name) for f in faults)]
    else:
        started = time.monotonic()
        tasks = [lambda: run_schemathesis(None, args.max_examples, args.seed)]
        tasks += [
            (lambda name: lambda: run_schemathesis(name, args.max_examples, args.seed))(f.name)
            for f in faults
        ]
        clean, *runs = in_parallel(args.jobs, tasks)
        sweep_json = args.from_sweep or str(run_ticonf(faults, args.jobs))
        meta = {
            "commit": git_commit(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "wall_s": time.monotonic() - started,
            "jobs": args.jobs,
            "max_examples": args.max_examples,
            "seed": args.seed,
            "sweep_json": sweep_json,
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    ticonf = load_ticonf(Path(meta["sweep_json"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(render(faults, clean, runs, ticonf, meta), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
