"""`ticonf replay REPORT_DIR [PROBLEM]`: is a reported problem still there?

Each problem of a report is replayed once (report/replay.py: its minimal example on fresh
scratch resources, deleted afterwards) against the report's target, or --target, with the
credentials `ticonf run` would use. It prints FIXED or STILL FAILING per problem, and exits
1 when one is still failing, 3 when a replay could not tell (the sequence went another way,
no answer), else 0. Problems the record cannot replay are listed and change nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ticonf.client.config import ENV_API_KEY, ENV_API_SECRET, resolve_target
from ticonf.client.provisioning import Ledger
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode
from ticonf.core.locations import RAW_DIR, REPORT_JSON
from ticonf.report.inputs import ReportInputError, load_report
from ticonf.report.replay import LEDGER_NAME, NotReplayable, plan_of, run_plan

# FIXED is the gate passing, STILL FAILING failing, unsure no verdict: the gate's codes.
EXIT_FIXED, EXIT_STILL_FAILING = ExitCode.CONFORMANT, ExitCode.NONCONFORMANT
EXIT_USAGE, EXIT_UNSURE = ExitCode.USAGE, ExitCode.INCONCLUSIVE


def add_parser(commands: Any) -> None:
    replay = commands.add_parser(
        "replay",
        help="replay the problems of a report: FIXED or STILL FAILING",
        description="Replay each problem of an earlier run (or only PROBLEM, e.g. P1) on fresh "
        "scratch resources and say whether it is FIXED or STILL FAILING (exit 0 / 1; 3 when a "
        "replay could not tell). Credentials come from the options or the environment, as "
        "for `ticonf run`; the target is the report's unless --target says otherwise.",
    )
    replay.add_argument("report_dir", metavar="REPORT_DIR", help="the run's report directory")
    replay.add_argument("problem", metavar="PROBLEM", nargs="?", help="one problem, e.g. P1")
    replay.add_argument("--target", help="base URL (default: the one the report tested)")
    replay.add_argument("--api-key", help=f"API key (env {ENV_API_KEY})")
    replay.add_argument("--api-secret", help=f"API secret (env {ENV_API_SECRET})")
    replay.add_argument("--timeout", type=float, default=30.0, help="seconds per request (30)")
    replay.set_defaults(handler=command_replay)


def _report(report_dir: Path) -> dict[str, Any]:
    try:
        return load_report(report_dir / REPORT_JSON, "the report")
    except ReportInputError as error:
        raise ConfigError(str(error)) from None


def _chosen(report: dict[str, Any], wanted: str | None) -> list[dict[str, Any]]:
    problems = report.get("problems")
    if problems is None:
        raise ConfigError("that report.json has no problems section (made by an older ticonf)")
    if wanted is None:
        return problems
    chosen = [p for p in problems if p["id"].lower() == wanted.lower()]
    if not chosen:
        known = ", ".join(p["id"] for p in problems) or "none"
        raise ConfigError(f"no problem {wanted!r} in that report (its problems: {known})")
    return chosen


def command_replay(args: argparse.Namespace) -> int:
    report_dir = Path(args.report_dir)
    report = _report(report_dir)
    problems = _chosen(report, args.problem)
    run = report["run"]
    if not args.target and run.get("embedded_reference"):
        raise ConfigError(
            "that run tested the embedded reference server, which is gone: give --target URL"
        )
    target = resolve_target(args.target or run["target"], args.api_key, args.api_secret)
    assert target is not None
    ledger = Ledger(report_dir / RAW_DIR / LEDGER_NAME)
    print(f"ticonf replay: {len(problems)} problem(s) of run {run['run_id']}, {target.base_url}")
    outcomes = [_replay_one(p, report, report_dir, target, ledger, args.timeout) for p in problems]
    if EXIT_STILL_FAILING in outcomes:
        return EXIT_STILL_FAILING
    return EXIT_UNSURE if EXIT_UNSURE in outcomes else EXIT_FIXED


def _replay_one(problem, report, report_dir, target, ledger, timeout) -> int | None:
    name = f"{problem['id']} ({', '.join(problem['requirements'])})"
    try:
        plan = plan_of(problem, report["run"], report_dir / RAW_DIR, report.get("replay"))
    except NotReplayable as why:
        print(f"  NOT REPLAYABLE {name}: {why}")
        return None
    attempt = run_plan(plan, target, ledger, timeout=timeout)
    received = f"{attempt.status} {(attempt.body or '')[:200]}".strip()
    if attempt.reproduced:
        print(f"  STILL FAILING {name}: {problem['title']}")
        print(f"    expected: {plan.oracle['expected']}\n    received: {received}")
        return EXIT_STILL_FAILING
    if attempt.fixed:
        print(f"  FIXED {name}: {problem['title']}")
        print(f"    received: {received}")
        return EXIT_FIXED
    print(f"  INCONCLUSIVE {name}: {attempt.note}")
    return EXIT_UNSURE
