"""Reports of a run: one record (report.json) rendered for CI, vendors and release managers.

    raw/records-*.ndjson --model--> report.json --+--> report.html  (html.py, people)
       + pytest session           (+ gate.py)     +--> summary.md   (markdown.py, CI job page)
       + --expect-fail, --baseline                +--> junit.xml    (junit.py, CI test view)
                                                  +--> problems/P<n>.sh (scripts.py)
    failures --problems.py--> problems --replay.py (on the target)--> confirmed | flaky
    raw/exchanges-*.ndjson --> coverage (coverage.py), report.har (har.py)

spec/report-format.md documents report.json; spec/report.schema.json validates it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ticonf.client.politeness import Politeness
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE
from ticonf.core.locations import (
    JUNIT_XML,
    REPORT_FILES,
    REPORT_HAR,
    REPORT_HTML,
    REPORT_JSON,
    SUMMARY_MD,
)
from ticonf.core.records import Record
from ticonf.core.vocabulary import ErrorKind
from ticonf.report.coverage import coverage, read_exchange_log
from ticonf.report.gate import compare, decide
from ticonf.report.har import har
from ticonf.report.html import render_html
from ticonf.report.inputs import ReportInputError, load_deviations, load_report
from ticonf.report.junit import render_junit
from ticonf.report.markdown import render_summary
from ticonf.report.model import build_report, read_records
from ticonf.report.problems import group_problems
from ticonf.report.replay import DEFAULT_ATTEMPTS, DEFAULT_FLAKY_POLICY, confirm_all
from ticonf.report.scripts import write_scripts
from ticonf.report.scrub import scrub, scrub_tree
from ticonf.run.context import RunContext

REPLAY_DEFAULTS = {
    "attempts": 0,
    "flaky_policy": DEFAULT_FLAKY_POLICY,
    "model_type": DEFAULT_MODEL_TYPE,
}


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
    records: Sequence[Record],
    *,
    session: dict[str, Any] | None = None,
    expect_fail: str | Path | None = None,
    baseline: str | Path | None = None,
    replay: dict[str, Any] | None = None,
    confirm: Callable[[dict[str, Any]], None] | None = None,
    exchanges: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The complete report.json document: results, problems, verdict, comparison and gate.

    `replay` is the replay settings (attempts, flaky_policy, model_type); `confirm` replays
    the problems (in place) before the gate is decided; `exchanges` is the run's exchange log,
    for the coverage section. A gate input that became unreadable since the start is a run
    error, not a crash.
    """
    trouble: list[dict[str, str]] = []
    deviations, old = {}, None
    try:
        deviations = load_deviations(expect_fail) if expect_fail else {}
        old = load_report(baseline, "the baseline") if baseline else None
    except ReportInputError as error:
        trouble.append({"test": "", "kind": ErrorKind.SESSION, "message": str(error)})
    session = {**(session or {}), "errors": trouble}
    report = build_report(meta, records, session=session, deviations=deviations)
    levels = {r["id"]: r["level"] for r in report["requirements"]}
    report["problems"] = group_problems(records, levels, deviations)
    report["replay"] = {**REPLAY_DEFAULTS, **(replay or {})}
    if confirm is not None:
        confirm(report)
    if exchanges is not None:
        report["coverage"] = coverage(exchanges)
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
        REPORT_JSON: lambda: json.dumps(report, indent=2, ensure_ascii=False) + "\n",
        REPORT_HTML: lambda: render_html(report),
        SUMMARY_MD: lambda: render_summary(report),
        JUNIT_XML: lambda: render_junit(report),
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
    politeness: Politeness,
    session: dict[str, Any] | None = None,
    expect_fail: str | Path | None = None,
    baseline: str | Path | None = None,
    replays: int = DEFAULT_ATTEMPTS,
    flaky: str = DEFAULT_FLAKY_POLICY,
) -> dict[str, Any]:
    """Fold the raw records of a run into its reports; returns the report.json document.

    Before the gate is decided, each problem's minimal example is replayed `replays` times on
    the target (still running: the embedded reference stops after this), see replay.py, at
    the pace of the run (`politeness`, the run state's).
    """
    secrets = ctx.target.secrets()
    ctx.report_dir.mkdir(parents=True, exist_ok=True)
    scrub_tree(ctx.report_dir, secrets)
    records = read_records(ctx.raw_dir)
    exchanges = read_exchange_log(ctx.raw_dir)

    def confirm(report: dict[str, Any]) -> None:
        confirm_all(
            report,
            ctx.target,
            ctx.report_dir,
            attempts=replays,
            timeout=ctx.timeout,
            politeness=politeness,
        )

    settings = {"attempts": max(replays, 0), "flaky_policy": flaky, "model_type": ctx.model_type}
    report = assemble(
        ctx.metadata(),
        records,
        session=session,
        expect_fail=expect_fail,
        baseline=baseline,
        replay=settings,
        confirm=confirm,
        exchanges=exchanges,
    )
    try:
        write_scripts(report, ctx.report_dir)
    except Exception as error:
        report["replay"]["scripts_error"] = f"{type(error).__name__}: {error}"
    report = scrub(report, secrets)
    render_all(report, ctx.report_dir)
    (ctx.report_dir / REPORT_HAR).write_text(
        json.dumps(scrub(har(exchanges, report["run"]), secrets), indent=1, ensure_ascii=False),
        encoding="utf-8",
    )
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
