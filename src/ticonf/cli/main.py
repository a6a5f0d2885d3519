"""`ticonf`: run the conformance suite, serve the reference server, and friends.

Exit codes of `ticonf run`: 0 conformant, 1 nonconformant, 2 usage or configuration error,
3 target unreachable, credentials rejected, or a run that could not reach a verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ticonf import __version__
from ticonf.cli import cleanup as cli_cleanup
from ticonf.cli import compare as cli_compare
from ticonf.cli import faults as cli_faults
from ticonf.cli import merge as cli_merge
from ticonf.cli import replay as cli_replay
from ticonf.cli import targets as cli_targets
from ticonf.cli import variants as cli_variants
from ticonf.client.cleanup import ledger_paths, read_manifest, remove_leftovers
from ticonf.client.config import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_TARGET,
    embedded_target,
    resolve_target,
)
from ticonf.client.preflight import auto_workers
from ticonf.client.targets_file import default_label
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode
from ticonf.core.locations import (
    ANY_RAW_GLOB,
    CATALOG_PATH,
    DRY_RUN_PLAN,
    OPENAPI_PATH,
    PREFLIGHT_ERROR,
    PYTEST_LOG,
    RAW_DIR,
    REPORT_FILES,
    REPORT_JSON,
    SUITES_DIR,
    SUMMARY_MD,
)
from ticonf.report import ReportInputError, assemble, check_gate_inputs, render_all
from ticonf.report.console import comparison_lines, summary_lines
from ticonf.report.inputs import load_report
from ticonf.report.matrix import diff_reports
from ticonf.report.model import file_hash, read_records
from ticonf.report.scrub import scrub_tree
from ticonf.run.context import new_run_id, new_seed, report_dir_for
from ticonf.run.invocation import ROOT_DIR, child_environment, suite_command
from ticonf.run.options import (
    VARIANT_HELP,
    add_cli_options,
    positive,
    positive_count,
    pytest_arguments,
    shard_text,
    variant_names,
)
from ticonf.run.progress import ProgressReporter
from ticonf.run.supervise import Ending, run_supervised

DESCRIPTION = """\
A conformance suite for the training-images API of Scenario's image-generation service.

  ticonf run                         test the embedded reference server (zero configuration)
  ticonf run --target URL --api-key KEY --api-secret SECRET
                                     test a deployment whose base URL ends in /v1
  ticonf run ... --baseline OLD/report.json --expect-fail deviations.yaml
                                     gate on regressions only, known deviations allowed
  ticonf run --targets targets.yaml  one run per named target, then their matrix
  ticonf run --shard 1/3 ... ; ticonf merge SHARD_DIR... --out DIR
                                     split a run across CI jobs, then join the reports
  ticonf diff OLD/report.json NEW/report.json
                                     compare two runs (exit 1 on a regression)
  ticonf compare DIR DIR ... --out DIR
                                     the compatibility matrix of several targets or releases
  ticonf replay REPORT_DIR [P1]      re-run a report's problems: FIXED or STILL FAILING
  ticonf serve [--port P] [--fault NAME] [--variant NAME[,NAME...]|all]
                                     run the reference server alone
  ticonf faults | ticonf variants    the fault catalog; the reference's legal variants

Configuration may also come from TICONF_TARGET, TICONF_API_KEY and TICONF_API_SECRET
(or TICONF_API_SECRET_FILE). Exit codes: 0 conformant, 1 nonconformant, 2 usage error,
3 target unreachable, credentials rejected, or no verdict reached.
"""


class UsageFailure(Exception):
    """A mistake in how ticonf was called; reported in one line, exit 2."""


def _workers(value: str) -> int:
    if value == "auto":
        return 0  # chosen from the cores and the target's round trip (preflight.auto_workers)
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise argparse.ArgumentTypeError(f"--workers takes 'auto' or a number >= 1, not {value!r}")


def _add_run(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run the conformance suite and write reports",
        description="Run the conformance suite against a target (default: the embedded "
        "reference server) and write report.json, report.html, summary.md and junit.xml under "
        "the report directory. The exit code is the CI gate: 0 passed, 1 failed, 3 no verdict.",
    )
    add_cli_options(run)
    run.add_argument(
        "--targets",
        metavar="FILE",
        help="YAML file of named targets (targets: [{name, url, key_env, secret_env}]): run "
        "each, reports in <report-dir>/<name>/",
    )
    run.add_argument(
        "--parallel",
        type=positive_count,
        default=1,
        metavar="N",
        help="with --targets: test N targets at once (default 1)",
    )
    run.add_argument(
        "--workers",
        type=_workers,
        default="auto",
        help="parallel workers: auto (default: from the cores and the target's round trip) or N",
    )
    run.add_argument(
        "--max-workers",
        type=_workers,
        default=None,
        help="cap of --workers auto (default 6: about 1 GiB of memory in all)",
    )
    run.add_argument(
        "--deadline",
        type=positive,
        help="end the run after this many seconds with a partial report (verdict inconclusive)",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="show pytest's output live")
    run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line (on a terminal it updates in place; in CI logs a line every 10 s)",
    )
    run.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARGS",
        help="extra pytest arguments after --, e.g. `-- -k pairs` for the Replace Pairs tests",
    )
    run.set_defaults(handler=command_run)


def _add_diff(commands: Any) -> None:
    diff = commands.add_parser(
        "diff",
        help="compare two report.json files",
        description="Print how the requirements of NEW moved since OLD: regressions (passed "
        "in OLD, fail in NEW), newly passing ones and other changes. Exit 1 when there is a "
        "regression, 0 otherwise, 2 when a file cannot be read.",
    )
    diff.add_argument("old", metavar="OLD", help="the baseline report.json")
    diff.add_argument("new", metavar="NEW", help="the report.json to check")
    diff.set_defaults(handler=command_diff)


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the reference server alone",
        description="Serve the in-memory reference implementation on loopback, optionally "
        "with one fault from the fault catalog (see `ticonf faults`) and with legal variants "
        "(see `ticonf variants`).",
        epilog=cli_variants.variants_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--fault", help="name of a fault to inject")
    serve.add_argument(
        "--variant",
        type=variant_names,
        metavar="NAME[,NAME...]",
        help=VARIANT_HELP + "; with --fault, the fault acts on top of them",
    )
    serve.add_argument("--api-key", default=None, help="accepted API key (default ticonf)")
    serve.add_argument("--api-secret", default=None, help="accepted secret (default ticonf-secret)")
    serve.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="ms added before each answer"
    )
    serve.add_argument(
        "--rate-limit", type=positive, metavar="RPS", help="answer 429 beyond RPS requests/s"
    )
    serve.set_defaults(handler=command_serve)


def version_text() -> str:
    """The suite version and the hashes every report records, to tell which suite ran."""
    return (
        f"ticonf {__version__}\n"
        f"spec    {file_hash(OPENAPI_PATH)}  (openapi.yaml)\n"
        f"catalog {file_hash(CATALOG_PATH)}  (requirements.yaml)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticonf", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for add in COMMANDS:
        add(commands)
    return parser


# -- ticonf run ----------------------------------------------------------------------------


def pytest_command(args: argparse.Namespace, run_id: str, report_dir: Path) -> list[str]:
    """The suites' pytest with every run option given, then the extra pytest arguments."""
    return suite_command(
        run_id=run_id,
        report_dir=report_dir,
        profile=args.profile,
        seed=args.seed,
        workers=args.workers,
        extra=[*pytest_arguments(args), *args.pytest_args],
    )


def run_environment(args: argparse.Namespace) -> dict[str, str]:
    """Credentials travel to pytest through its environment, never its command line."""
    return child_environment(
        {
            name: value
            for name, value in (
                (ENV_TARGET, args.target),
                (ENV_API_KEY, args.api_key),
                (ENV_API_SECRET, args.api_secret),
            )
            if value
        }
    )


def run_secrets(args: argparse.Namespace) -> tuple[str, ...]:
    """The credentials of this run, which no file it writes may contain."""
    target = resolve_target(args.target, args.api_key, args.api_secret)
    if target is None:
        target = embedded_target("http://127.0.0.1/v1", args.api_key, args.api_secret)
    return target.secrets()


def prepare_report_dir(args: argparse.Namespace, run_id: str) -> Path:
    """The report directory, refused when it already holds a run (records would mix)."""
    report_dir = report_dir_for(args.report_dir, run_id)
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageFailure(f"--report-dir {report_dir} is a file, not a directory")
    if (report_dir / REPORT_JSON).exists() or any((report_dir / RAW_DIR).glob(ANY_RAW_GLOB)):
        raise UsageFailure(
            f"{report_dir} already holds the reports of a run; pass an empty --report-dir"
        )
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / PYTEST_LOG).touch()  # unwritable: the user's to fix, before any test
    except OSError as error:
        raise UsageFailure(f"cannot write in --report-dir {report_dir}: {error.strerror}") from None
    return report_dir


def command_run(args: argparse.Namespace) -> int:
    if args.targets:
        return cli_targets.command_run_targets(args)
    secrets = run_secrets(args)
    if not SUITES_DIR.is_dir():
        raise UsageFailure(f"the suites are not at {SUITES_DIR}: reinstall ticonf")
    check_inputs(args.expect_fail, args.baseline)
    run_id = args.run_id = new_run_id()
    args.started = time.time()
    args.seed = args.seed if args.seed is not None else new_seed()
    if args.dry_run:
        return dry_run(args, run_id)
    report_dir = prepare_report_dir(args, run_id)
    if not args.workers:
        args.workers = choose_run_workers(args)
    where = args.target or os.environ.get(ENV_TARGET) or "the embedded reference server"
    print(
        f"ticonf: testing {where} (profile {args.profile}, {args.workers} worker(s), "
        f"seed {args.seed})"
    )
    log_path = report_dir / PYTEST_LOG
    with log_path.open("w", encoding="utf-8") as log, live_progress(args, report_dir):
        ending = run_supervised(
            pytest_command(args, run_id, report_dir),
            args.deadline,
            cwd=ROOT_DIR,
            env=run_environment(args),
            stdout=None if args.verbose else log,
            stderr=subprocess.STDOUT if not args.verbose else None,
        )
    return after_tests(args, report_dir, ending, log_path, secrets)


def live_progress(args: argparse.Namespace, report_dir: Path) -> contextlib.AbstractContextManager:
    """The progress line, unless --quiet (or --verbose, which shows pytest's own). It goes to
    stdout with the summary that follows it: stderr holds nothing but one-line errors."""
    if args.quiet or args.verbose:
        return contextlib.nullcontext()
    return ProgressReporter(report_dir / RAW_DIR, sys.stdout)


def after_tests(
    args: argparse.Namespace,
    report_dir: Path,
    ending: Ending,
    log_path: Path,
    secrets: tuple[str, ...],
) -> int:
    """Cleanup, the stopped run's report, scrubbing and the gate, each guarded.

    The target may be gone and the disk may be full by now: neither is the server's failure
    nor the user's mistake, so they end in one line and exit 3, never a traceback or exit 1.
    Leftovers that could not be deleted stay in the ledger for `ticonf cleanup`.
    """
    try:
        remove_run_leftovers(args, report_dir)
    except OSError as error:
        print(f"cleanup: stopped ({describe_os_error(error)})", file=sys.stderr)
    try:
        if ending.stopped_because:
            rewrite_stopped_report(report_dir, ending, args)
        scrub_tree(report_dir, secrets)
    except OSError as error:
        print(f"ticonf: cannot write the reports in {report_dir}: {describe_os_error(error)}",
              file=sys.stderr)  # fmt: skip
        return ExitCode.INCONCLUSIVE
    return finish_run(report_dir, ending.returncode, log_path)


def describe_os_error(error: OSError) -> str:
    """An OSError in a few words: 'No space left on device: /path'."""
    what = error.strerror or type(error).__name__
    return f"{what}: {error.filename}" if error.filename else what


def choose_run_workers(args: argparse.Namespace) -> int:
    """--workers auto: from the cores and the target's round trip (preflight.auto_workers)."""
    target = resolve_target(args.target, args.api_key, args.api_secret)
    workers, round_trip = auto_workers(
        target, args.embedded_latency, args.max_workers, args.profile
    )
    if round_trip is not None and round_trip >= 0.005:
        print(f"ticonf: round trip {round_trip * 1000:.0f} ms, so {workers} workers")
    return workers


DRY_RUN_CALLS = """\
Each test would, on its own scratch resources only:
  create its model(s)        POST /models {"name": "ticonf-<run-id>-model-...", "type": ...}
  create assets if it needs  POST /assets {"name": "ticonf-<run-id>-asset-....png", ...}
  call the operations        POST   /models/{its model}/training-images
                             PUT    /models/{its model}/training-images/pairs
                             PUT    /models/{its model}/training-images/{its image}
                             DELETE /models/{its model}/training-images/{its image}
  observe state              GET    /models/{its model}
  delete what it created     DELETE /models/{its model}, DELETE /assets {"assetIds": [...]}
A pre-flight check first creates, reads and deletes one model named ticonf-<run-id>-preflight."""


def dry_run(args: argparse.Namespace, run_id: str) -> int:
    """Collect the tests and print the plan: nothing is sent to the target."""
    with tempfile.TemporaryDirectory(prefix="ticonf-dry-run-") as scratch:
        args.workers = 1
        command = [*pytest_command(args, run_id, Path(scratch)), "--collect-only"]
        completed = subprocess.run(
            command, cwd=ROOT_DIR, env=run_environment(args), capture_output=True, text=True
        )
        plan_path = Path(scratch) / DRY_RUN_PLAN
        if completed.returncode != 0 or not plan_path.exists():
            raise UsageFailure(f"the tests could not be collected: {completed.stdout[-300:]}")
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
    where = args.target or os.environ.get(ENV_TARGET) or "the embedded reference server"
    requirements = sorted({r for entry in plan for r in entry["requirements"]})
    print(
        f"ticonf dry run (nothing sent): {len(plan)} tests against {where}, profile "
        f"{args.profile}, seed {args.seed}, checking {len(requirements)} requirements"
    )
    for entry in plan:
        print(f"  {entry['test']}  [{', '.join(entry['requirements'])}]")
    print(DRY_RUN_CALLS)
    return ExitCode.CONFORMANT


def remove_run_leftovers(args: argparse.Namespace, report_dir: Path) -> None:
    """Whatever the tests could not delete themselves goes now (never for the embedded server,
    which is gone with its data)."""
    target = resolve_target(args.target, args.api_key, args.api_secret)
    if target is None or not ledger_paths(report_dir):
        return
    result = remove_leftovers(target, report_dir)
    if result.deleted or result.failed:
        print(
            f"cleanup: deleted {result.deleted} leftover resource(s)"
            + (
                f", could not delete {len(result.failed)} (later: ticonf cleanup "
                f"--report-dir {report_dir})"
                if result.failed
                else ""
            )
        )


def metadata_from_options(args: argparse.Namespace, report_dir: Path) -> dict[str, Any]:
    target = resolve_target(args.target, args.api_key, args.api_secret)
    return {
        "run_id": args.run_id,
        "target": target.base_url if target else "(embedded reference, not started)",
        "embedded_reference": target is None,
        "profile": args.profile,
        "seed": args.seed,
        "workers": args.workers if args.workers > 1 else 0,
        "started": args.started,
        "shard": shard_text(args.shard) if args.shard else None,
        "label": args.label or default_label(target.base_url if target else "", target is None),
    }


def rewrite_stopped_report(report_dir: Path, ending: Ending, args: argparse.Namespace) -> None:
    """A stopped run's report says why it stopped: a partial report, verdict inconclusive.
    A run stopped before pytest wrote its manifest is described from ticonf's own options."""
    try:
        meta = read_manifest(report_dir)
    except ConfigError:
        meta = metadata_from_options(args, report_dir)
    why = f"the run was stopped: {ending.stopped_because}"
    if ending.killed:
        why += " (pytest did not finish within the grace period and was killed)"
    session = {"exit_status": 2, "problems": [{"test": "", "message": why}]}
    report = assemble(
        meta,
        read_records(report_dir / RAW_DIR),
        session=session,
        expect_fail=args.expect_fail,
        baseline=args.baseline,
    )
    render_all(report, report_dir)


def check_inputs(expect_fail: str | None, baseline: str | None) -> None:
    """Refuse a bad --expect-fail or --baseline file before a long run, in one line."""
    try:
        check_gate_inputs(expect_fail, baseline)
    except ReportInputError as error:
        raise UsageFailure(str(error)) from None


def finish_run(report_dir: Path, returncode: int, log_path: Path) -> int:
    """The exit code of the run: its CI gate, or why there is none."""
    report_path = report_dir / REPORT_JSON
    preflight_path = report_dir / PREFLIGHT_ERROR
    if preflight_path.exists():
        print(f"ticonf: {preflight_path.read_text().strip()}", file=sys.stderr)
        return ExitCode.INCONCLUSIVE
    if returncode == pytest.ExitCode.USAGE_ERROR:
        print(f"ticonf: {usage_error_line(log_path)}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        report = load_report(report_path, "the run's report")
    except ReportInputError as error:
        print(
            f"ticonf: the run ended without a usable report ({error}); see {log_path}",
            file=sys.stderr,
        )
        return ExitCode.INCONCLUSIVE
    print_summary(report, report_dir)
    append_step_summary(report_dir / SUMMARY_MD)
    return report["gate"]["exit_code"]


def append_step_summary(summary: Path) -> None:
    """In a GitHub Actions job, the run's summary.md goes to the job's summary page too."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target or not summary.is_file():
        return
    try:
        with open(target, "a", encoding="utf-8") as page:
            page.write(summary.read_text(encoding="utf-8") + "\n")
    except OSError as error:
        print(f"ticonf: could not append to GITHUB_STEP_SUMMARY: {describe_os_error(error)}")


def usage_error_line(log_path: Path) -> str:
    for line in log_path.read_text(encoding="utf-8").splitlines():
        if "error:" in line.lower():
            return line.split("error:", 1)[-1].strip()
    return f"pytest refused the arguments; see {log_path}"


def print_summary(report: dict[str, Any], report_dir: Path) -> None:
    """Verdict, counts, failing requirements, gate and the paths of the reports written."""
    written = [report_dir / name for name in (*REPORT_FILES, PYTEST_LOG)]
    for line in summary_lines(report, [p for p in written if p.exists()]):
        print(line)


# -- ticonf diff ---------------------------------------------------------------------------


def command_diff(args: argparse.Namespace) -> int:
    """The baseline comparison alone: exit 1 on a regression, else 0."""
    try:
        _, new, comparison = diff_reports(args.old, args.new)  # the matrix's two-column case
    except ReportInputError as error:
        raise UsageFailure(str(error)) from None
    print(f"NEW: run {new['run']['run_id']} ({new['verdict']}, {new['run']['started_at']})")
    for line in comparison_lines(comparison):
        print(line)
    return ExitCode.NONCONFORMANT if comparison["regressions"] else ExitCode.CONFORMANT


# -- ticonf serve --------------------------------------------------------------------------


def command_serve(args: argparse.Namespace) -> int:
    from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
    from ticonf.faults import build_service
    from ticonf.reference.server import serve
    from ticonf.reference.variants import parse_variants

    service = build_service(
        args.fault,
        args.api_key or DEFAULT_API_KEY,
        args.api_secret or DEFAULT_API_SECRET,
        parse_variants(args.variant),
    )
    try:
        serve(service, args.host, args.port, latency_ms=args.latency, rate_limit=args.rate_limit)
    except OSError as error:
        raise UsageFailure(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    return 0


COMMANDS: list[Callable[[Any], None]] = [
    _add_run,
    _add_serve,
    _add_diff,
    cli_faults.add_parser,
    cli_variants.add_parser,
    cli_cleanup.add_parser,
    cli_merge.add_parser,
    cli_replay.add_parser,
    cli_compare.add_parser,
]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, UsageFailure) as error:
        print(f"ticonf: {error}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("ticonf: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # e.g. `ticonf run --dry-run | head`
        return ExitCode.CONFORMANT
    except OSError as error:
        print(f"ticonf: {describe_os_error(error)}", file=sys.stderr)
        return ExitCode.INCONCLUSIVE
    except Exception as error:
        return internal_error(error)


def internal_error(error: Exception) -> int:
    """ticonf's own bug: one line, the traceback in a file, exit 3 (no verdict)."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="ticonf-crash-", suffix=".txt", delete=False
    ) as file:
        traceback.print_exception(error, file=file)
    print(
        f"ticonf: internal error ({type(error).__name__}: {error}); no verdict. The traceback "
        f"is in {file.name}: please report it",
        file=sys.stderr,
    )
    return ExitCode.INCONCLUSIVE


if __name__ == "__main__":
    sys.exit(main())
