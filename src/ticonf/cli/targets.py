"""`ticonf run --targets FILE [--parallel N]`: the suite against every target of a file.

Each target gets its own `ticonf run` process (the single-target path of cli.py, unchanged),
with its URL and credentials in that process's environment only and its reports in
`<report-dir>/<name>/`. Separate processes keep the runs apart: one target's embedded server,
pace file, ledger or crash cannot touch another's. Then one line per target, and the exit code
of the worst run:

    2  bad input before any run (the targets file, a missing environment variable, options)
    3  else, if any target's run reached no verdict (unreachable, refused, inconclusive)
    1  else, if any target failed its gate (nonconformant)
    0  every target passed its gate
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ticonf.cli.compare import write_matrix
from ticonf.client.targets_file import TargetEntry, check_environment, environment_for, load_targets
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode
from ticonf.core.locations import REPORT_JSON
from ticonf.run.context import new_run_id, new_seed, report_dir_for
from ticonf.run.options import shard_text

# Options of `ticonf run` handed on to every target's run as they were given.
FORWARDED = (
    ("--profile", "profile"),
    ("--seed", "seed"),
    ("--max-workers", "max_workers"),
    ("--max-throttle", "max_throttle"),
    ("--model-type", "model_type"),
    ("--timeout", "timeout"),
    ("--max-rps", "max_rps"),
    ("--replays", "replays"),
    ("--flaky", "flaky"),
    ("--deadline", "deadline"),
    ("--variant", "variant"),
)
PATHS = (("--expect-fail", "expect_fail"), ("--baseline", "baseline"))
SINGLE_TARGET_OPTIONS = (
    ("--target", "target"),
    ("--api-key", "api_key"),
    ("--api-secret", "api_secret"),
    ("--label", "label"),
)


def command_run_targets(args: argparse.Namespace) -> int:
    """Validate everything, then run each target (at most --parallel at once) and report."""
    for option, name in SINGLE_TARGET_OPTIONS:
        if getattr(args, name, None):
            raise ConfigError(f"{option} names one target; with --targets each entry has its own")
    if args.dry_run:
        raise ConfigError("--dry-run lists the tests of one run; use it without --targets")
    targets = load_targets(args.targets)
    check_environment(targets, os.environ)
    for option, name in PATHS:
        if getattr(args, name, None) and not Path(getattr(args, name)).is_file():
            raise ConfigError(f"{option} {getattr(args, name)} is not a readable file")
    if args.seed is None:  # one seed for all: every target gets the same generated inputs
        args.seed = new_seed()
    root = report_dir_for(args.report_dir, new_run_id())
    directories = {t.name: root / t.name for t in targets}
    for directory in directories.values():
        if (directory / REPORT_JSON).exists():
            raise ConfigError(f"{directory} already holds a report; pass an empty --report-dir")
    print(
        f"ticonf: {len(targets)} target(s), {args.parallel} at a time, seed {args.seed}, "
        f"reports in {root}/"
    )
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        codes = list(
            pool.map(lambda t: run_one(args, t, directories[t.name], len(targets)), targets)
        )
    for target, code in zip(targets, codes, strict=True):
        print(target_line(target, directories[target.name], code))
    if len(targets) > 1:
        write_targets_matrix(list(directories.values()), root / "compare")
    return worst_exit_code(codes)


def write_targets_matrix(directories: list[Path], out_dir: Path) -> None:
    """The matrix of the targets that left a report, in `<report-dir>/compare/`; a matrix
    that cannot be made is a note, never the run's exit code (the runs decide that)."""
    reported = [d for d in directories if (d / REPORT_JSON).is_file()]
    if len(reported) < 2:
        return
    try:
        write_matrix(reported, out_dir, history=False)
    except (ConfigError, OSError) as error:
        print(f"matrix: not written ({error})")
        return
    print(f"matrix: {out_dir / 'compare.html'} (also compare.md, compare.json)")


def worst_exit_code(codes: list[int]) -> int:
    """3 if any run reached no verdict (any code but 0 and 1), else 1 if any failed, else 0."""
    if any(code not in (ExitCode.CONFORMANT, ExitCode.NONCONFORMANT) for code in codes):
        return ExitCode.INCONCLUSIVE
    if ExitCode.NONCONFORMANT in codes:
        return ExitCode.NONCONFORMANT
    return ExitCode.CONFORMANT


def run_command(args: argparse.Namespace, target: TargetEntry, report_dir: Path) -> list[str]:
    """The `ticonf run` of one target: the shared options, its label and report directory."""
    command = [sys.executable, "-m", "ticonf", "run", "--quiet", "--label", target.name]
    command += ["--report-dir", str(report_dir)]
    command += ["--workers", str(args.workers) if args.workers else "auto"]
    for option, name in FORWARDED:
        value = getattr(args, name, None)
        if value is not None and value is not False:
            command += [option, str(value)]
    for option, name in PATHS:
        if getattr(args, name, None):
            command += [option, str(Path(getattr(args, name)).resolve())]
    if args.shard:
        command += ["--shard", shard_text(args.shard)]
    if args.pytest_args:
        command += ["--", *args.pytest_args]
    return command


def run_one(args: argparse.Namespace, target: TargetEntry, report_dir: Path, total: int) -> int:
    """One target's run; its output goes to `<its report dir>/ticonf.log`."""
    report_dir.mkdir(parents=True, exist_ok=True)
    where = target.url or "the embedded reference"
    if total > 1:
        print(f"ticonf: {target.name}: testing {where}", flush=True)
    with (report_dir / "ticonf.log").open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            run_command(args, target, report_dir),
            env=environment_for(target, os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return completed.returncode


def target_line(target: TargetEntry, report_dir: Path, code: int) -> str:
    """`staging  NONCONFORMANT  2 problem(s)  exit 1  reports/…/staging/` or why there is none."""
    report = _read_report(report_dir / REPORT_JSON)
    if report is None:
        return f"  {target.name:16} NO REPORT      exit {code}  {last_error(report_dir)}"
    problems = report.get("problems")
    count = f"{len(problems)} problem(s)" if isinstance(problems, list) else "problems unknown"
    verdict = str(report.get("verdict", "?")).upper()
    return f"  {target.name:16} {verdict:14} {count:16} exit {code}  {report_dir}/"


def last_error(report_dir: Path) -> str:
    """The one line the target's run ended on (its error), from its log."""
    try:
        lines = (report_dir / "ticonf.log").read_text(encoding="utf-8").splitlines()
    except OSError:
        return f"see {report_dir}/ticonf.log"
    errors = [line for line in lines if line.startswith("ticonf:")]
    return (errors or lines or [f"see {report_dir}/ticonf.log"])[-1]


def _read_report(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None
