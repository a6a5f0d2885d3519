"""The compatibility matrix: several report.json documents side by side (`ticonf compare`).

Columns are targets (their labels), in the order given: several vendors or regions of one run,
or one target over time (release after release), where the same table reads as a history and
a cell that changed since the previous column is marked. Rows are requirements, grouped by
operation, MUST before SHOULD. Below them, the observed choices of every target side by side:
where conformant targets chose differently, a client relying on one choice breaks on another.

    report.json of each target --load_columns--> columns --build_matrix--> compare.json
                                                                 +--> compare.html (render_html)
                                                                 +--> compare.md   (render_markdown)

`ticonf diff OLD NEW` is the two-column case: `transition(old, new)` is the comparison between
neighbouring columns here and the whole of what diff prints. spec/compare-format.md documents
compare.json; spec/compare.schema.json validates it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ticonf.client.targets_file import label_in
from ticonf.core.locations import REPORT_HTML, REPORT_JSON, SPEC_DIR
from ticonf.core.operations import OPERATION_NAMES
from ticonf.core.records import Comparison
from ticonf.core.vocabulary import FAILING, Level, Status, Verdict
from ticonf.report.choices import observed_choices
from ticonf.report.gate import compare as gate_compare
from ticonf.report.inputs import ReportInputError, load_report
from ticonf.report.model import iso_time
from ticonf.report.text import one_line, show_value

FORMAT_VERSION = 1
COMPARE_SCHEMA_PATH = SPEC_DIR / "compare.schema.json"
ABSENT = "absent"  # the requirement is not in that report's catalog (only with --force)
OPERATION_ORDER = ("all", *OPERATION_NAMES)
LEVEL_ORDER = {level: rank for rank, level in enumerate(Level)}
SAME_SUITE = (("suite_version", "ticonf versions"), ("catalog_sha256", "requirement catalogs"))
CELL_WORDS = {
    Status.PASSED: "passed",
    Status.FAILED: "failed",
    Status.EXPECTED_FAILURE: "expected failure",
    Status.ERROR: "error",
    Status.SKIPPED: "not run",
    Status.UNTESTED: "not run",
    ABSENT: "absent",
}


class CompareInputError(ReportInputError):
    """Reports that cannot be compared (exit 2, one line)."""


@dataclass(frozen=True)
class Column:
    """One target of the matrix: its label, its report directory and its report.json."""

    label: str
    directory: Path
    report: dict[str, Any]


# -- loading -------------------------------------------------------------------------------


def load_column(given: str | Path, label: str | None = None) -> Column:
    """A report directory (or its report.json) as a column; unreadable: CompareInputError."""
    path = Path(given)
    if not path.exists():
        raise CompareInputError(f"the report directory {path} does not exist")
    file = path / REPORT_JSON if path.is_dir() else path
    try:
        report = load_report(file, "the report")
    except ReportInputError as error:
        raise CompareInputError(str(error)) from None
    return Column(label or label_in(report), file.parent, report)


def load_columns(
    given: Sequence[str | Path], *, labels: list[str] | None = None, force: bool = False
) -> tuple[list[Column], list[str]]:
    """The columns in the order given, and the warnings of the comparison.

    Reports of different ticonf versions or catalogs are refused unless `force` (then they
    are a warning): the same requirement ID may mean another check. A label used twice is
    refused: a column must say which target it is.
    """
    if labels is not None and len(labels) != len(given):
        raise CompareInputError(
            f"--labels names {len(labels)} target(s) for {len(given)} report(s)"
        )
    columns = [
        load_column(path, labels[index] if labels else None) for index, path in enumerate(given)
    ]
    check_labels(columns)
    return columns, check_same_suite(columns, force)


def check_labels(columns: list[Column]) -> None:
    seen: dict[str, Column] = {}
    for column in columns:
        if column.label in seen:
            raise CompareInputError(
                f"the label {column.label!r} names both {seen[column.label].directory} and "
                f"{column.directory}; run with distinct --label values or pass --labels A,B,..."
            )
        seen[column.label] = column


def check_same_suite(columns: list[Column], force: bool) -> list[str]:
    """Refuse (or, with force, note) reports that another suite made."""
    warnings = []
    for key, what in SAME_SUITE:
        values = {column.report["run"].get(key) for column in columns}
        if len(values) > 1:
            each = ", ".join(f"{c.label}: {short(c.report['run'].get(key))}" for c in columns)
            if not force:
                raise CompareInputError(
                    f"the reports were made by different {what} ({each}); the same requirement "
                    "may mean another check: rerun them with one ticonf, or pass --force"
                )
            warnings.append(f"the reports were made by different {what} ({each})")
    if len({column.report["run"].get("spec_sha256") for column in columns}) > 1:
        warnings.append("the reports were made with different openapi.yaml files")
    return warnings


def short(value: Any) -> str:
    text = str(value)
    return text[:15] if text.startswith("sha256:") else text


def transition(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """How the requirements moved from one report to the next (what `ticonf diff` prints)."""
    return gate_compare(old, new)


def diff_reports(
    old_path: str | Path, new_path: str | Path
) -> tuple[dict[str, Any], dict[str, Any], Comparison]:
    """`ticonf diff`: the two reports (read as the matrix reads them) and their transition."""
    old = load_report(old_path, "OLD")
    new = load_report(new_path, "NEW")
    return old, new, transition(old, new)


# -- the matrix ----------------------------------------------------------------------------


def reads_as_history(columns: list[Column]) -> bool:
    """Reports of one target (one base URL) over time: a history, else targets side by side."""
    return len(columns) > 1 and len({c.report["run"].get("target") for c in columns}) == 1


def build_matrix(
    columns: list[Column],
    out_dir: Path,
    warnings: list[str] | None = None,
    history: bool | None = None,
) -> dict[str, Any]:
    """The compare.json document; links are relative to `out_dir`, where it is written.

    `history` (default: the reports all tested one base URL) makes the renderings mark the
    cells that changed since the previous column; compare.json always records them.
    """
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": iso_time(time.time()),
        "mode": "history"
        if (reads_as_history(columns) if history is None else history)
        else "targets",
        "warnings": list(warnings or []),
        "targets": [target_entry(column, out_dir) for column in columns],
        "requirements": requirement_rows(columns, out_dir),
        "choices": choice_rows(columns),
        "observations": observation_rows(columns),
        "changes": [change_entry(before, after) for before, after in itertools.pairwise(columns)],
    }


def target_entry(column: Column, out_dir: Path) -> dict[str, Any]:
    report, run = column.report, column.report["run"]
    problems = report.get("problems")
    html = column.directory / REPORT_HTML
    failing = [
        r["id"]
        for r in report["requirements"]
        if r["level"] == Level.MUST and r["status"] == Status.FAILED
    ]
    return {
        "label": column.label,
        "report_dir": relative(column.directory, out_dir),
        "report_html": relative(html, out_dir) if html.is_file() else None,
        "run_id": run["run_id"],
        "target": run["target"],
        "embedded_reference": bool(run.get("embedded_reference")),
        "profile": run.get("profile"),
        "shard": run.get("shard"),
        "started_at": run.get("started_at"),
        "suite_version": run.get("suite_version"),
        "catalog_sha256": run.get("catalog_sha256"),
        "verdict": report["verdict"],
        "verdict_reason": report["verdict_reason"],
        "exit_code": (report.get("gate") or {}).get("exit_code"),
        "problems": len(problems) if isinstance(problems, list) else None,
        "must_failed": failing,
    }


def relative(path: Path, out_dir: Path) -> str:
    """`path` as seen from `out_dir` (forward slashes: it is a link)."""
    return Path(os.path.relpath(path.resolve(), out_dir.resolve())).as_posix()


def _row_order(requirement: dict[str, Any]) -> tuple[int, int, str]:
    operation = requirement.get("operation", "")
    rank = OPERATION_ORDER.index(operation) if operation in OPERATION_ORDER else 99
    return rank, LEVEL_ORDER.get(requirement["level"], 9), requirement["id"]


def requirement_rows(columns: list[Column], out_dir: Path) -> list[dict[str, Any]]:
    """One row per requirement of any report: its cell in each column."""
    described: dict[str, dict[str, Any]] = {}
    for column in columns:
        for requirement in column.report["requirements"]:
            described.setdefault(requirement["id"], requirement)
    rows = []
    for requirement in sorted(described.values(), key=_row_order):
        cells = [cell(column, requirement["id"], out_dir) for column in columns]
        for before, after in itertools.pairwise(cells):
            after["changed"] = after["status"] != before["status"]
        rows.append(
            {
                "id": requirement["id"],
                "level": requirement["level"],
                "operation": requirement.get("operation", ""),
                "statement": requirement.get("statement", ""),
                "cells": cells,
                "differs": len({c["status"] for c in cells}) > 1,
            }
        )
    return rows


def cell(column: Column, requirement_id: str, out_dir: Path) -> dict[str, Any]:
    """The status of one requirement on one target and where its evidence is."""
    found = [r for r in column.report["requirements"] if r["id"] == requirement_id]
    status = found[0]["status"] if found else ABSENT
    problems = [
        p["id"]
        for p in column.report.get("problems") or []
        if requirement_id in (p.get("requirements") or [])
    ]
    page = relative(column.directory / REPORT_HTML, out_dir)
    if problems:
        anchor = problems[0]
    elif status in FAILING:
        anchor = f"fail-{requirement_id}"
    else:
        anchor = f"req-{requirement_id}"
    link = f"{page}#{anchor}" if status != ABSENT else None
    return {"status": status, "problems": problems, "link": link, "changed": False}


def choices_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A report's observed choices; an older report has only raw observations, or none."""
    listed = report.get("observed_choices")
    if isinstance(listed, list):
        return [c for c in listed if isinstance(c, dict) and "topic" in c and "choice" in c]
    try:
        return observed_choices(report.get("observations") or [])
    except (KeyError, TypeError, AttributeError, ValueError):
        return []


def choice_rows(columns: list[Column]) -> list[dict[str, Any]]:
    """Each open point any target showed, with every target's choice (null: not observed)."""
    by_column = [{c["topic"]: c for c in choices_of(column.report)} for column in columns]
    topics: dict[str, str] = {}
    for choices in by_column:
        for topic, choice in choices.items():
            topics.setdefault(topic, str(choice.get("label", topic)))
    return [
        side_by_side(
            {"topic": topic, "label": label},
            [str(choices[topic]["choice"]) if topic in choices else None for choices in by_column],
            columns,
        )
        for topic, label in topics.items()
    ]


def observation_text(values: list[Any]) -> str:
    """The values a report observed for one raw topic, most frequent first."""
    shown = [show_value(v.get("value")) for v in values if isinstance(v, dict)]
    return one_line("; ".join(shown), 200)


def observation_rows(columns: list[Column]) -> list[dict[str, Any]]:
    """The raw observations outside the choices table, side by side."""
    chosen = {row_topic for column in columns for row_topic in topics_chosen(column.report)}
    by_column = []
    for column in columns:
        topics = {}
        for entry in column.report.get("observations") or []:
            if isinstance(entry, dict) and isinstance(entry.get("topic"), str):
                topics[entry["topic"]] = observation_text(entry.get("values") or [])
        by_column.append(topics)
    every = sorted({t for topics in by_column for t in topics} - chosen)
    return [
        side_by_side({"topic": topic}, [topics.get(topic) for topics in by_column], columns)
        for topic in every
    ]


def topics_chosen(report: dict[str, Any]) -> set[str]:
    return {choice["topic"] for choice in choices_of(report)}


def side_by_side(row: dict[str, Any], values: list[str | None], columns: list[Column]) -> dict:
    """A row of values by target; does it differ, and between conformant targets only?"""
    seen = [(v, c) for v, c in zip(values, columns, strict=True) if v is not None]
    differs = len({v for v, _ in seen}) > 1
    conformant = {
        v
        for v, c in seen
        if c.report["verdict"] not in (Verdict.NONCONFORMANT, Verdict.INCONCLUSIVE)
    }
    changed = [False] + [
        before is not None and after is not None and before != after
        for before, after in itertools.pairwise(values)
    ]
    return {
        **row,
        "values": values,
        "changed": changed,
        "differs": differs,
        "conformant_difference": len(conformant) > 1,
    }


def change_entry(before: Column, after: Column) -> dict[str, Any]:
    """What moved from one column to the next (a history's step, or a diff)."""
    moved = transition(before.report, after.report)
    return {
        "from": before.label,
        "to": after.label,
        "regressions": [entry["id"] for entry in moved["regressions"]],
        "newly_passing": [entry["id"] for entry in moved["newly_passing"]],
        "other_changes": [entry["id"] for entry in moved["other_changes"]],
        "warnings": moved["warnings"],
    }


# -- compare.json --------------------------------------------------------------------------


@functools.cache
def compare_schema() -> dict[str, Any]:
    return json.loads(COMPARE_SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_problems(document: Any) -> list[str]:
    """Where `document` departs from spec/compare.schema.json, one line each (empty: valid)."""
    validator = jsonschema.Draft202012Validator(compare_schema())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message[:160]}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def cell_word(status: str) -> str:
    return CELL_WORDS.get(status, status)
