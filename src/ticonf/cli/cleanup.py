"""`ticonf cleanup`: remove what a killed run left on the target."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ticonf.client.cleanup import read_manifest, remove_leftovers
from ticonf.client.config import ENV_API_KEY, ENV_API_SECRET, resolve_target
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode


def add_parser(commands: Any) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="delete what a killed run left behind",
        description="Read the resource ledger of an earlier run (reports/<run-id>/raw/) and "
        "delete every model and asset it created that is still there. Nothing else is touched. "
        "Credentials come from the options or the environment, as for `ticonf run`.",
    )
    cleanup.add_argument("--run-id", help="the run to clean up (its reports/<run-id>/ folder)")
    cleanup.add_argument("--report-dir", help="the run's report directory, if not reports/<id>")
    cleanup.add_argument("--target", help="base URL (default: the one the run recorded)")
    cleanup.add_argument("--api-key", help=f"API key (env {ENV_API_KEY})")
    cleanup.add_argument("--api-secret", help=f"API secret (env {ENV_API_SECRET})")
    cleanup.set_defaults(handler=command_cleanup)


def run_directory(args: argparse.Namespace) -> Path:
    if args.report_dir:
        return Path(args.report_dir)
    if args.run_id:
        return Path("reports") / args.run_id
    raise ConfigError("cleanup needs --run-id ID or --report-dir DIR")


def command_cleanup(args: argparse.Namespace) -> int:
    report_dir = run_directory(args)
    manifest = read_manifest(report_dir)
    if manifest.get("embedded_reference") and not args.target:
        print("nothing to clean: that run tested the embedded reference server, now gone")
        return 0
    target = resolve_target(args.target or manifest["target"], args.api_key, args.api_secret)
    assert target is not None
    result = remove_leftovers(target, report_dir)
    print(f"deleted {result.deleted} resource(s) of run {manifest.get('run_id')}")
    if result.failed:
        print(f"could not delete {len(result.failed)}: {', '.join(result.failed)}")
        return ExitCode.INCONCLUSIVE  # the target's trouble, not a verdict: never 1
    return ExitCode.CONFORMANT
