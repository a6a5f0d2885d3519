"""The plain-text lines `ticonf run` and `ticonf diff` print at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ticonf.core.records import Comparison
from ticonf.core.vocabulary import DeviationState, Level, Status
from ticonf.report.problems import headline
from ticonf.report.text import one_line

MAX_LISTED = 25


def _listed(lines: list[str], what: str) -> list[str]:
    if len(lines) <= MAX_LISTED:
        return lines
    return [
        *lines[:MAX_LISTED],
        f"  ... and {len(lines) - MAX_LISTED} more {what} (see report.html)",
    ]


def counts_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    for level in Level:
        row = report["counts"][level]
        figures = ", ".join(f"{row[s]} {s}" for s in Status if row[s])
        lines.append(f"  {level:6} {figures or 'none'}")
    return lines


def requirement_lines(report: dict[str, Any]) -> list[str]:
    failed = [r for r in report["requirements"] if r["status"] == Status.FAILED]
    known = [r for r in report["requirements"] if r["status"] == Status.EXPECTED_FAILURE]
    lines = _listed(
        [f"  FAILED {r['id']} {r['level']}: {one_line(r['statement'], 100)}" for r in failed],
        "failing requirements",
    )
    lines += _listed(
        [
            f"  KNOWN  {r['id']} {r['level']}: {one_line(r['expected_failure']['reason'], 100)}"
            for r in known
        ],
        "known deviations",
    )
    passing = [
        r["id"]
        for r in report["requirements"]
        if (r.get("expected_failure") or {}).get("state") == DeviationState.NOW_PASSING
    ]
    if passing:
        lines.append(
            f"  known deviation(s) now passing, remove them from the file: {', '.join(passing)}"
        )
    return lines


def problem_lines(report: dict[str, Any]) -> list[str]:
    """ "N problems violate M requirements", then one line per problem with its replay state."""
    problems = report.get("problems")
    if not problems:
        return []
    lines = [f"problems: {headline(problems)}"]
    lines += _listed(
        [
            f"  {p['id']} [{p['confirmation']['status']}] {one_line(p['title'], 110)} "
            f"({', '.join(p['requirements'])})"
            for p in problems
        ],
        "problems",
    )
    return lines


def error_lines(report: dict[str, Any]) -> list[str]:
    errors = report["errors"]
    lines = [
        f"  run error in {e['test'] or 'the run'} ({e['kind']}): {one_line(e['message'], 140)}"
        for e in errors[:5]
    ]
    if len(errors) > 5:
        lines.append(f"  ... and {len(errors) - 5} more run errors (see report.html)")
    return lines


def comparison_lines(comparison: Comparison) -> list[str]:
    base = comparison["baseline"]
    lines = [f"compared with baseline {base['run_id']} ({base['verdict']}, {base['started_at']}):"]
    lines += [f"  note: {w}" for w in comparison["warnings"]]
    for changes, title, what in (
        (comparison["regressions"], "REGRESSION", "regressions"),
        (comparison["newly_passing"], "NOW PASSING", "newly passing"),
    ):
        lines += _listed(
            [
                f"  {title} {r['id']} {r['level']}: {r['before'] or 'absent'} -> {r['now']}"
                for r in changes
            ],
            what,
        )
    lines.append(
        f"  {len(comparison['regressions'])} regression(s), {len(comparison['newly_passing'])} "
        f"newly passing, {len(comparison['still_failing'])} still failing, "
        f"{len(comparison['other_changes'])} other change(s)"
    )
    return lines


def summary_lines(report: dict[str, Any], written: list[Path]) -> list[str]:
    """The end of `ticonf run`: verdict, counts, failing requirements, gate, report paths."""
    run = report["run"]
    lines = [
        f"verdict: {report['verdict'].upper()}  ({run['tests']} tests, {run['requests']} requests, "
        f"{run['duration_s']:.1f} s, seed {run['seed']})",
        f"  {one_line(report['verdict_reason'], 300)}",
        *counts_lines(report),
        *requirement_lines(report),
        *problem_lines(report),
        *error_lines(report),
    ]
    if report.get("comparison"):
        lines += comparison_lines(report["comparison"])
    gate = report.get("gate")
    if gate:
        state = "passed" if gate["passed"] else "FAILED"
        lines.append(f"gate: {state} (exit {gate['exit_code']}): {one_line(gate['reason'], 300)}")
    lines.append("reports:")
    lines += [f"  {path}" for path in written]
    return lines
