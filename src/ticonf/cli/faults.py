"""`ticonf faults`: list the fault catalog, or sweep it (`--sweep`) and print what was caught.

Exit codes: 0 when listing, or when the sweep caught every fault and the clean reference
passed; 1 when the sweep missed a fault or the clean reference failed; 2 for a usage error
(such as an unknown fault name).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ticonf.faults import Fault, all_faults, get_fault
from ticonf.run.options import positive_count
from ticonf.run.profiles import PROFILES

DEFAULT_JOBS = 2


def add_parser(commands: Any) -> None:
    """Register `ticonf faults` on the CLI's sub-command parser."""
    parser = commands.add_parser(
        "faults",
        help="list the fault catalog, or prove the suite catches every fault (--sweep)",
        description="List the reference server's fault catalog. With --sweep, run the "
        "conformance suite against the clean reference and against every fault (or the "
        "ones named with --fault) and print which faults the suite caught. Exit 0 when "
        "every fault was caught and the clean reference passed, 1 otherwise, 2 on a usage "
        "error.",
    )
    parser.add_argument("--sweep", action="store_true", help="run the suite against each fault")
    parser.add_argument(
        "--fault",
        dest="faults",
        metavar="NAME",
        nargs="+",
        action="extend",
        help="only these faults (repeatable)",
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=positive_count,
        default=DEFAULT_JOBS,
        help=f"suite runs at a time, one pytest worker each (default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--selection",
        choices=("full", "targeted"),
        default="full",
        help="full: the whole suite against each fault (default); targeted: only the tests "
        "that check the fault's violated requirements",
    )
    parser.add_argument(
        "--profile", choices=PROFILES, default="quick", help="the suite's profile (default quick)"
    )
    parser.add_argument("--seed", type=int, help="the suite's seed for every run")
    parser.add_argument(
        "--report-dir", help="where each run's reports go (default reports/sweep-<time>/)"
    )
    parser.set_defaults(handler=command_faults)


def selected_faults(names: list[str] | None) -> list[Fault]:
    """The named faults (a ConfigError for an unknown one), or the whole catalog."""
    if not names:
        return all_faults()
    return [get_fault(name) for name in dict.fromkeys(names)]


def list_catalog(faults: list[Fault]) -> None:
    width = max(len(f.name) for f in faults)
    reqs = max(len(", ".join(f.violates)) for f in faults)
    for f in faults:
        print(f"{f.name.ljust(width)}  {', '.join(f.violates).ljust(reqs)}  {f.summary}")
    print(f"{len(faults)} faults")


def command_faults(args: argparse.Namespace) -> int:
    faults = selected_faults(args.faults)
    if not args.sweep:
        list_catalog(faults)
        return 0
    from ticonf.faults.sweep import SweepOptions, render_table, sweep, write_results

    root = Path(args.report_dir or Path("reports") / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}")
    root = root.resolve()
    options = SweepOptions(profile=args.profile, seed=args.seed, selection=args.selection)
    print(
        f"ticonf: sweeping {len(faults)} fault(s) and the clean reference, {args.jobs} at a "
        f"time ({args.selection} selection, profile {args.profile}); reports in {root}/",
        flush=True,
    )

    def progress(outcome: Any) -> None:
        mark = "ok" if outcome.ok else "MISSED" if outcome.expected else "FAILED"
        print(f"  {mark:6} {outcome.name} ({outcome.seconds:.0f} s)", file=sys.stderr, flush=True)

    result = sweep(faults, root, jobs=args.jobs, options=options, progress=progress)
    write_results(result, root)
    print(render_table(result))
    return 0 if result.success else 1
