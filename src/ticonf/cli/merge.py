"""`ticonf merge`: one report from the report directories of several shards."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ticonf.core.locations import REPORT_FILES
from ticonf.report.console import summary_lines
from ticonf.report.merge import merge_shards


def add_parser(commands: Any) -> None:
    merge = commands.add_parser(
        "merge",
        help="merge the reports of shards into one",
        description="Build one set of reports from the report directories of the shards of a "
        "run (`ticonf run --shard 1/N ... --shard N/N`, same target and --seed). Exit code as "
        "for `ticonf run` without a baseline: 0 conformant, 1 nonconformant, 3 inconclusive.",
    )
    merge.add_argument("shards", nargs="+", metavar="SHARD_DIR", help="a shard's --report-dir")
    merge.add_argument("--out", required=True, help="where to write the merged reports")
    merge.set_defaults(handler=command_merge)


def command_merge(args: argparse.Namespace) -> int:
    out_dir = Path(args.out)
    report = merge_shards([Path(d) for d in args.shards], out_dir)
    written = [out_dir / name for name in REPORT_FILES]
    for line in summary_lines(report, written):
        print(line)
    return report["gate"]["exit_code"]
