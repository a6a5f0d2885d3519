"""Reports of a run: one record (report.json) rendered for CI, vendors and release managers.

    raw/records-*.ndjson --model--> report.json --+--> report.html  (html.py, people)
       + pytest session           (+ gate.py)     +--> summary.md   (markdown.py, CI job page)
       + --expect-fail, --baseline                +--> junit.xml    (junit.py, CI test view)

spec/report-format.md documents report.json; spec/report.schema.json validates it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ticonf.context import RunContext
from ticonf.report.gate import compare, decide
from ticonf.report.html import render_html
from ticonf.report.inputs import ReportInputError, load_deviations, load_report
from ticonf.report.junit import render_junit
from ticonf.report.markdown import render_summary
from ticonf.report.model import build_report, read_records
from ticonf.report.scrub import scrub, scrub_tree

REPORT_FILES = ("report.json", "report.html", "summary.md", "junit.xml")


def session_outcome(session: Any, exitstatus: int) -> dict[str, Any]:
    """What pytest itself knows about a finished session: its exit status and every failed
    or errored report (a crashed worker or a collection error leaves no record of its own)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", {}) or {}
    problems = [
        {"test": getattr(rep, "nodeid", ""), "message": getattr(rep, "longreprtext", "")}
        for category in ("failed", "error")
        for rep in stats.get(category, [])
    ]
    return {"exit_status": int(exitstatus), "problems": problems}


def check_gate_inputs(expect_fail: str | Path | None, baseline: str | Path | None) -> None:
    """Raise ReportInputError (one line) when a --expect-fail or --baseline file is unusable."""
    if expect_fail:
        load_deviations(expect_fail)
    if baseline:
        load_report(baseline, "the baseline")


def assemble(
    meta: dict[str, Any],
    records: list[dict[str, Any]],
    *,
    session: dict[str, Any] | None = None,
    expect_fail: str | Path | None = None,
    baseline: str | Path | None = None,
) -> dict[str, Any]:
    """The complete report.json document: results, verdict, comparison and gate.

    A gate input that became unreadable since the start is a run error, not a crash.
    """
    trouble: list[dict[str, str]] = []
    deviations, old = {}, None
    try:
        deviations = load_deviations(expect_fail) if expect_fail else {}
        old = load_report(baseline, "the baseline") if baseline else None
    except ReportInputError as error:
        trouble.append({"test": "", "kind": "session", "message": str(error)})
    session = {**(session or {}), "errors": trouble}
    report = build_report(meta, records, session=session, deviations=deviations)
    report["comparison"] = compare(old, report) if old else None
    report["gate"] = {
        **decide(report, report["comparison"]),
        "expect_fail_file": str(expect_fail) if expect_fail else None,
        "baseline_file": str(baseline) if baseline else None,
    }
    return report


def render_all(report: dict[str, Any], directory: Path) -> list[Path]:
    """Write the four report files (report.json first); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        "report.json": lambda: json.dumps(report, indent=2, ensure_ascii=False) + "\n",
        "report.html": lambda: render_html(report),
        "summary.md": lambda: render_summary(report),
        "junit.xml": lambda: render_junit(report),
    }
    written = []
    for name in REPORT_FILES:
        path = directory / name
        path.write_text(contents[name](), encoding="utf-8")
        written.append(path)
    return written


def write_reports(
    ctx: RunContext,
    *,
    session: dict[str, Any] | None = None,
    expect_fail: str | Path | None = None,
    baseline: str | Path | None = None,
) -> dict[str, Any]:
    """Fold the raw records of a run into its reports; returns the report.json document."""
    secrets = ctx.target.secrets()
    ctx.report_dir.mkdir(parents=True, exist_ok=True)
    scrub_tree(ctx.report_dir, secrets)
    records = read_records(ctx.raw_dir)
    report = assemble(
        ctx.metadata(), records, session=session, expect_fail=expect_fail, baseline=baseline
    )
    report = scrub(report, secrets)
    render_all(report, ctx.report_dir)
    return report


__all__ = [
    "REPORT_FILES",
    "ReportInputError",
    "assemble",
    "check_gate_inputs",
    "render_all",
    "session_outcome",
    "write_reports",
]
