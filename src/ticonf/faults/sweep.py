"""The fault sweep: run the conformance suite against the clean reference and every fault.

A fault is *caught* when every requirement the fault's catalog entry names has status failed
and the verdict is nonconformant. For a fault that violates only SHOULD requirements no MUST
fails, so the verdict is conformant (or inconclusive when a targeted run checked no MUST at
all) and only the failures count. A run with errors of its own never counts as caught: a
fault that breaks the run instead of failing a requirement proves nothing about the suite.
The clean reference *passes* when its verdict is conformant and no requirement failed.

Each run is what `ticonf run --target URL` does: a reference server (with the fault) in its own
process, and pytest on suites/ in a subprocess writing report.json. Runs go `jobs` at a time,
each with one pytest worker: on two cores that beats one run with two workers, whose
collection and start-up do not parallelise.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ticonf.client.config import ENV_API_KEY, ENV_API_SECRET, ENV_API_SECRET_FILE, ENV_TARGET
from ticonf.core.catalog import load_catalog
from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.core.locations import PREFLIGHT_ERROR, PYTEST_LOG, RAW_DIR, REPORT_JSON
from ticonf.core.vocabulary import FAILING, Level, Verdict
from ticonf.faults import Fault
from ticonf.faults.sweep_plugin import ENV_REQUIREMENTS
from ticonf.reference.server import start_server
from ticonf.run.invocation import ROOT_DIR, child_environment, suite_command

CLEAN = "(clean reference)"
SELECTIONS = ("full", "targeted")
RUN_TIMEOUT_S = 900


@dataclass(frozen=True)
class SweepOptions:
    """How each run is made: the suite's profile and seed, and which tests run."""

    profile: str = "quick"
    seed: int | None = None
    selection: str = "full"
    timeout_s: float = RUN_TIMEOUT_S


@dataclass
class Outcome:
    """One run of the sweep, judged."""

    name: str
    expected: tuple[str, ...]
    failed: tuple[str, ...] = ()
    verdict: str = "none"
    ok: bool = False
    seconds: float = 0.0
    note: str = ""
    report_dir: str = ""
    tests: int = 0
    caught_by: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(r for r in self.expected if r not in self.failed)


@dataclass
class SweepResult:
    clean: Outcome
    faults: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    options: SweepOptions = field(default_factory=SweepOptions)

    @property
    def caught(self) -> int:
        return sum(outcome.ok for outcome in self.faults)

    @property
    def success(self) -> bool:
        return self.clean.ok and self.caught == len(self.faults)

    def figure(self) -> str:
        return f"caught {self.caught} of {len(self.faults)} faults"

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure(),
            "success": self.success,
            "wall_s": round(self.wall_s, 1),
            "options": asdict(self.options),
            "clean": asdict(self.clean),
            "faults": [asdict(outcome) for outcome in self.faults],
        }


# -- one run -------------------------------------------------------------------------------


def pytest_command(report_dir: Path, run_id: str, options: SweepOptions) -> list[str]:
    """The pytest invocation of `ticonf run --workers 1`, plus the sweep's plugin."""
    return suite_command(
        run_id=run_id,
        report_dir=report_dir,
        profile=options.profile,
        seed=options.seed,
        workers=1,
        # The sweep judges the failed requirements; confirming problems by replay is the
        # report's business and would cost every faulty run a few more seconds.
        extra=["-p", "ticonf.faults.sweep_plugin", "--replays", "0"],
    )


def run_environment(base_url: str, requirements: Iterable[str]) -> dict[str, str]:
    """The reference's credentials, never a secret file of the user's."""
    return child_environment(
        {
            ENV_TARGET: base_url,
            ENV_API_KEY: DEFAULT_API_KEY,
            ENV_API_SECRET: DEFAULT_API_SECRET,
            ENV_API_SECRET_FILE: None,
            ENV_REQUIREMENTS: ",".join(requirements),
        }
    )


class _Runs:
    """The pytest processes of a sweep in flight, so that an interrupt can stop them all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def stop_all(self) -> None:
        self.stopping.set()
        with self.lock:
            for process in self.active:
                _kill_group(process)


RUNS = _Runs()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _run_pytest(command: list[str], env: dict[str, str], log: Path, timeout: float) -> str:
    """Run pytest in its own process group; '' when it ended, a note when it had to be killed."""
    with log.open("w", encoding="utf-8") as out, RUNS.lock:
        if RUNS.stopping.is_set():
            return "the sweep was interrupted"
        process = subprocess.Popen(
            command,
            cwd=ROOT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNS.active.add(process)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.wait()
        return f"the run took longer than {timeout:.0f} s and was stopped"
    finally:
        with RUNS.lock:
            RUNS.active.discard(process)
    return "the sweep was interrupted" if RUNS.stopping.is_set() else ""


def run_suite(
    fault: str | None, report_dir: Path, options: SweepOptions, requirements: Iterable[str] = ()
) -> tuple[dict[str, Any] | None, str]:
    """The report of one suite run against the reference with `fault`, or None and why not."""
    clear_run_files(report_dir)
    run_id = f"sweep-{fault or 'clean'}"
    selected = requirements if options.selection == "targeted" else ()
    server = start_server(fault)
    try:
        note = _run_pytest(
            pytest_command(report_dir, run_id, options),
            run_environment(server.base_url, selected),
            report_dir / PYTEST_LOG,
            options.timeout_s,
        )
    finally:
        server.stop()
    report_path = report_dir / REPORT_JSON
    if note or not report_path.exists():
        return None, note or _no_report_note(report_dir)
    return json.loads(report_path.read_text(encoding="utf-8")), ""


def clear_run_files(report_dir: Path) -> None:
    """Forget an earlier sweep's run in this directory: its records would mix with the new."""
    report_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(report_dir / RAW_DIR, ignore_errors=True)
    for name in (REPORT_JSON, PREFLIGHT_ERROR):
        (report_dir / name).unlink(missing_ok=True)


def _no_report_note(report_dir: Path) -> str:
    preflight = report_dir / PREFLIGHT_ERROR
    if preflight.exists():
        return preflight.read_text(encoding="utf-8").strip()
    return f"the run wrote no report; see {report_dir / 'pytest.log'}"


# -- judging -------------------------------------------------------------------------------


def failed_requirements(report: dict[str, Any]) -> tuple[str, ...]:
    return tuple(r["id"] for r in report["requirements"] if r["status"] in FAILING)


def catching_tests(report: dict[str, Any], requirements: Iterable[str]) -> tuple[str, ...]:
    """The tests that failed one of `requirements`, by short name (file and test)."""
    wanted = set(requirements)
    tests = {
        failure["test"].removeprefix("suites/")
        for req in report["requirements"]
        if req["id"] in wanted
        for failure in req.get("failures", [])
    }
    return tuple(sorted(tests))


def first_error(report: dict[str, Any]) -> str:
    errors = report.get("errors") or []
    if not errors:
        return ""
    error = errors[0]
    message = " ".join(str(error.get("message", "")).split())
    return f"run error in {error.get('test', '?')}: {message[:200]}"


def judge_fault(fault: Fault, report: dict[str, Any] | None, note: str) -> Outcome:
    outcome = Outcome(name=fault.name, expected=fault.violates, note=note)
    if report is None:
        return outcome
    outcome.failed = failed_requirements(report)
    outcome.verdict = report["verdict"]
    outcome.tests = report["run"].get("tests", 0)
    outcome.caught_by = catching_tests(report, fault.violates)
    broken = bool(report.get("errors"))
    if should_only(fault.violates):
        # No MUST fails, so the verdict is conformant, or inconclusive when a targeted run
        # checked no MUST requirement at all: only the run's own errors disqualify it.
        outcome.ok = not outcome.missing and not broken
    else:
        outcome.ok = not outcome.missing and outcome.verdict == Verdict.NONCONFORMANT
    if broken:
        outcome.note = first_error(report)
    elif outcome.missing:
        outcome.note = "not failed: " + ", ".join(outcome.missing)
    elif not outcome.ok:
        outcome.note = f"verdict {outcome.verdict}"
    return outcome


def should_only(requirements: Iterable[str]) -> bool:
    levels = {req_id: req.level for req_id, req in load_catalog().items()}
    return all(levels.get(r) == Level.SHOULD for r in requirements)


def judge_clean(report: dict[str, Any] | None, note: str) -> Outcome:
    outcome = Outcome(name=CLEAN, expected=(), note=note)
    if report is None:
        return outcome
    outcome.failed = failed_requirements(report)
    outcome.verdict = report["verdict"]
    outcome.tests = report["run"].get("tests", 0)
    outcome.ok = outcome.verdict == Verdict.CONFORMANT and not outcome.failed
    if outcome.verdict == Verdict.INCONCLUSIVE:
        outcome.note = first_error(report)
    elif outcome.failed:
        outcome.note = "the correct server failed: " + ", ".join(outcome.failed)
    return outcome


# -- the sweep -----------------------------------------------------------------------------


def _timed(
    name: str, root: Path, run: Callable[[Path], Outcome], progress: Callable[[Outcome], None]
) -> Outcome:
    started = time.monotonic()
    report_dir = root / name.strip("()").replace(" ", "-")
    try:
        outcome = run(report_dir)
    except Exception as error:  # a server that would not start: report it, keep sweeping
        outcome = Outcome(name=name, expected=(), note=f"{type(error).__name__}: {error}")
    outcome.seconds = round(time.monotonic() - started, 1)
    outcome.report_dir = str(report_dir)
    if not RUNS.stopping.is_set():
        progress(outcome)
    return outcome


def sweep(
    faults: list[Fault],
    root: Path,
    *,
    jobs: int = 2,
    options: SweepOptions | None = None,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> SweepResult:
    """Run the clean reference and every fault, `jobs` runs at a time; reports under `root`."""
    options = options or SweepOptions()
    started = time.monotonic()

    def clean(report_dir: Path) -> Outcome:
        full = SweepOptions(**{**asdict(options), "selection": "full"})
        return judge_clean(*run_suite(None, report_dir, full))

    def faulty(fault: Fault) -> Callable[[Path], Outcome]:
        def run(report_dir: Path) -> Outcome:
            report, note = run_suite(fault.name, report_dir, options, fault.violates)
            return judge_fault(fault, report, note)

        return run

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        clean_future = pool.submit(_timed, CLEAN, root, clean, progress)
        futures = [pool.submit(_timed, f.name, root, faulty(f), progress) for f in faults]
        result = SweepResult(clean=clean_future.result(), faults=[f.result() for f in futures])
    except BaseException:
        RUNS.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)  # each run stops its server on the way out
        raise
    pool.shutdown()
    for fault, outcome in zip(faults, result.faults, strict=True):
        outcome.expected = fault.violates
    result.wall_s = time.monotonic() - started
    result.options = options
    return result


# -- rendering -----------------------------------------------------------------------------


def outcome_row(outcome: Outcome, clean: bool = False) -> list[str]:
    mark = ("passes" if outcome.ok else "FAILS") if clean else ("yes" if outcome.ok else "NO")
    expected = ", ".join(outcome.expected) or "-"
    failed = ", ".join(outcome.failed) or "-"
    return [outcome.name, expected, mark, seconds(outcome), short_list(outcome.caught_by), failed]


def short_list(tests: tuple[str, ...], shown: int = 1) -> str:
    if not tests:
        return "-"
    more = f" (+{len(tests) - shown})" if len(tests) > shown else ""
    return ", ".join(t.split("::")[-1] for t in tests[:shown]) + more


def seconds(outcome: Outcome) -> str:
    return f"{outcome.seconds:.0f} s"


HEADERS = ["fault", "expected to fail", "caught", "time", "caught by (first test)", "failed"]


def render_table(result: SweepResult) -> str:
    """The detection table as aligned plain text, followed by notes and the figure."""
    rows = [outcome_row(result.clean, clean=True)] + [outcome_row(o) for o in result.faults]
    widths = [max(len(r[i]) for r in [HEADERS, *rows]) for i in range(len(HEADERS) - 1)]
    lines = []
    for row in [HEADERS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    notes = [o for o in [result.clean, *result.faults] if o.note and not o.ok]
    if notes:
        lines.append("")
        lines += [f"{o.name}: {o.note}" for o in notes]
    lines.append("")
    clean = "passes" if result.clean.ok else "FAILS"
    lines.append(f"{result.figure()}; the clean reference {clean}; wall time {result.wall_s:.0f} s")
    return "\n".join(lines)


def render_markdown(result: SweepResult) -> str:
    rows = [outcome_row(result.clean, clean=True)] + [outcome_row(o) for o in result.faults]
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + " --- |" * len(HEADERS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n{result.figure()}, wall time {result.wall_s:.0f} s\n"


def write_results(result: SweepResult, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "sweep.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    (root / "sweep.md").write_text(render_markdown(result))
