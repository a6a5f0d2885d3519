"""Merging the reports of shards (`ticonf run --shard I/N`) into the report of one run.

Each shard writes its raw records and manifest; the merged report is built from all of
them exactly as a single run's report is, so a sharded run and an unsharded one are judged
by the same rules.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ticonf.client.cleanup import read_manifest
from ticonf.core.errors import ConfigError
from ticonf.core.locations import ANY_RAW_GLOB, RAW_DIR, REPORT_JSON
from ticonf.core.vocabulary import Verdict
from ticonf.report import assemble, render_all
from ticonf.report.inputs import ReportInputError, load_report
from ticonf.report.model import read_records
from ticonf.run.context import new_run_id


def _tested(manifest: dict[str, Any]) -> str:
    """What a shard tested: its target's URL, or the embedded reference (each shard starts its
    own on its own port, and they are one and the same server)."""
    return "the embedded reference" if manifest.get("embedded_reference") else manifest["target"]


def merged_metadata(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    """One run's metadata for the shards together; they must have tested the same target."""
    targets = {_tested(m) for m in manifests}
    if len(targets) > 1:
        raise ConfigError(f"the shards tested different targets: {', '.join(sorted(targets))}")
    seeds = {m["seed"] for m in manifests}
    if len(seeds) > 1:
        raise ConfigError("the shards ran with different seeds; run them with the same --seed")
    labels = {m.get("label") for m in manifests}
    if len(labels) > 1:
        raise ConfigError(
            f"the shards carry different labels: {', '.join(sorted(map(str, labels)))}"
        )
    first = manifests[0]
    return {
        **first,
        "run_id": f"merged-{new_run_id()}",
        "workers": sum(m["workers"] for m in manifests),
        "started": min(m["started"] for m in manifests),
        "shard": None,
    }


def shard_problems(shard_dirs: list[Path]) -> list[dict[str, str]]:
    """A shard that could not reach a verdict keeps the merged run from reaching one."""
    problems = []
    for index, directory in enumerate(shard_dirs, start=1):
        try:
            report = load_report(directory / REPORT_JSON, f"shard {index}'s report")
        except ReportInputError as error:
            problems.append({"test": "", "message": str(error)})
            continue
        if report["verdict"] == Verdict.INCONCLUSIVE:
            reason = f"shard {index} was inconclusive: {report['verdict_reason']}"
            problems.append({"test": "", "message": reason})
    return problems


def merge_shards(shard_dirs: list[Path], out_dir: Path) -> dict[str, Any]:
    """Write the merged reports (and the shards' raw files) to `out_dir`; returns report.json."""
    if len(shard_dirs) < 2:
        raise ConfigError("merge needs the report directories of at least two shards")
    manifests = [read_manifest(directory) for directory in shard_dirs]
    meta = merged_metadata(manifests)
    records = [record for d in shard_dirs for record in read_records(d / RAW_DIR)]
    (out_dir / RAW_DIR).mkdir(parents=True, exist_ok=True)
    for index, directory in enumerate(shard_dirs, start=1):
        for path in (directory / RAW_DIR).glob(ANY_RAW_GLOB):
            shutil.copy(path, out_dir / RAW_DIR / f"shard{index}-{path.name}")
    report = assemble(meta, records, session={"problems": shard_problems(shard_dirs)})
    render_all(report, out_dir)
    return report
