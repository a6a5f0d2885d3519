"""Reports of a run: one record (report.json) rendered for CI, vendors and release managers."""

from __future__ import annotations

import json
from typing import Any

from ticonf.context import RunContext
from ticonf.report.junit import render_junit
from ticonf.report.model import build_report, read_records


def run_metadata(ctx: RunContext) -> dict[str, Any]:
    return {
        "run_id": ctx.run_id,
        "target": ctx.target.base_url,
        "embedded_reference": ctx.embedded,
        "profile": ctx.profile,
        "seed": ctx.seed,
        "workers": ctx.workers,
        "started": ctx.started,
    }


def write_reports(ctx: RunContext) -> dict[str, Any]:
    """Fold the raw records of a run into its reports; returns the report.json document."""
    report = build_report(run_metadata(ctx), read_records(ctx.raw_dir))
    ctx.report_dir.mkdir(parents=True, exist_ok=True)
    (ctx.report_dir / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (ctx.report_dir / "junit.xml").write_text(render_junit(report), encoding="utf-8")
    return report
