"""`ticonf compare DIR [DIR ...] --out DIR`: the compatibility matrix of several reports."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ticonf.client.targets_file import check_label
from ticonf.core.errors import ConfigError
from ticonf.core.exit_codes import ExitCode
from ticonf.report.inputs import ReportInputError
from ticonf.report.matrix import build_matrix, load_columns
from ticonf.report.matrix_render import render_compare_html, render_compare_markdown

COMPARE_FILES = ("compare.json", "compare.html", "compare.md")


def add_parser(commands: Any) -> None:
    compare = commands.add_parser(
        "compare",
        help="put the reports of several targets (or releases) side by side",
        description="Write the compatibility matrix of several runs to --out: requirements as "
        "rows, targets (their labels, `ticonf run --label`) as columns in the order given, "
        "the targets' verdicts and problems, and their observed choices side by side. "
        "compare.html (people), compare.md (a CI job summary) and compare.json "
        "(spec/compare-format.md). Reports of one target over time read as a history. "
        "Exit 0 when the matrix is written, 2 for reports it cannot read or compare.",
    )
    compare.add_argument(
        "reports", nargs="+", metavar="DIR", help="a report directory (or its report.json)"
    )
    compare.add_argument("--out", required=True, help="where to write the matrix")
    compare.add_argument(
        "--labels",
        metavar="A,B,...",
        help="column names, one per DIR, instead of the labels the reports carry",
    )
    compare.add_argument(
        "--force",
        action="store_true",
        help="compare reports of different ticonf versions or catalogs anyway (with a warning)",
    )
    compare.add_argument(
        "--history",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read the columns as releases of one target: mark what changed since the "
        "previous column (default: when every report tested the same URL)",
    )
    compare.set_defaults(handler=command_compare)


def parse_labels(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [check_label(label.strip()) for label in text.split(",")]


def write_matrix(
    reports: Sequence[str | Path],
    out_dir: Path,
    *,
    labels: list[str] | None = None,
    force: bool = False,
    history: bool | None = None,
) -> dict[str, Any]:
    """Read the reports and write the three matrix files; any bad input is a ConfigError."""
    try:
        columns, warnings = load_columns(reports, labels=labels, force=force)
    except ReportInputError as error:
        raise ConfigError(str(error)) from None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot write in --out {out_dir}: {error.strerror}") from None
    document = build_matrix(columns, out_dir, warnings, history)
    contents = {
        "compare.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        "compare.html": render_compare_html(document),
        "compare.md": render_compare_markdown(document),
    }
    for name in COMPARE_FILES:
        (out_dir / name).write_text(contents[name], encoding="utf-8")
    return document


def command_compare(args: argparse.Namespace) -> int:
    out_dir = Path(args.out)
    document = write_matrix(
        args.reports,
        out_dir,
        labels=parse_labels(args.labels),
        force=args.force,
        history=args.history,
    )
    for line in summary_lines(document):
        print(line)
    print("matrix:")
    for name in COMPARE_FILES:
        print(f"  {out_dir / name}")
    return ExitCode.CONFORMANT


def summary_lines(document: dict[str, Any]) -> list[str]:
    """One line per target, then how many requirements and choices differ."""
    lines = [f"  note: {warning}" for warning in document["warnings"]]
    for target in document["targets"]:
        problems = target["problems"]
        count = "problems unknown" if problems is None else f"{problems} problem(s)"
        lines.append(f"  {target['label']:20} {target['verdict'].upper():14} {count}")
    rows = document["requirements"]
    differing = sum(1 for row in rows if row["differs"])
    choices = document["choices"]
    conformant = sum(1 for row in choices if row["conformant_difference"])
    lines.append(
        f"  {differing} of {len(rows)} requirements differ; {sum(r['differs'] for r in choices)} "
        f"of {len(choices)} observed choices differ ({conformant} between conformant targets)"
    )
    return lines
