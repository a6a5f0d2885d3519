"""The run record: per-test records folded into per-requirement results and a verdict.

Statuses of a requirement:
  passed    every test that checked it passed
  failed    a test proved the server wrong (a conformance failure)
  error     a test that checked it could not finish (network trouble, a suite crash) and none failed
  skipped   its only tests were skipped
  untested  no test of this run checked it
The verdict is `inconclusive` whenever the run itself had an error: a broken run is never
reported as a nonconformant server, nor as a conformant one. Otherwise it is
`nonconformant` when a MUST requirement failed, else `conformant`.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from ticonf import __version__
from ticonf.catalog import OPENAPI_PATH, Requirement, load_catalog

FORMAT_VERSION = 1
CONFORMANT, NONCONFORMANT, INCONCLUSIVE = "conformant", "nonconformant", "inconclusive"


def read_records(raw_dir: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted(raw_dir.glob("records-*.ndjson")):
        records += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return records


def spec_hash(path: Path = OPENAPI_PATH) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def requirement_status(requirement_id: str, records: list[dict[str, Any]]) -> str:
    checked = [r for r in records if requirement_id in r["requirements"]]
    failed = [r for r in records if requirement_id in r.get("failed_requirements", [])]
    if failed:
        return "failed"
    if any(r["outcome"] == "error" for r in checked):
        return "error"
    if any(r["outcome"] == "passed" for r in checked):
        return "passed"
    return "skipped" if checked else "untested"


def requirement_result(req: Requirement, records: list[dict[str, Any]]) -> dict[str, Any]:
    checked = [r for r in records if req.id in r["requirements"]]
    failures = [
        {"test": r["nodeid"], "message": r["message"], "exchanges": r.get("exchanges", [])}
        for r in records
        if req.id in r.get("failed_requirements", [])
    ]
    observations = [
        {"test": r["nodeid"], **obs} for r in checked for obs in r.get("observations", [])
    ]
    return {
        **req.to_dict(),
        "status": requirement_status(req.id, records),
        "tests": sorted({r["nodeid"] for r in checked}),
        "failures": failures,
        "observations": observations,
    }


def run_errors(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"test": r["nodeid"], "kind": r["kind"], "message": r["message"]}
        for r in records
        if r["outcome"] == "error"
    ]


def verdict_of(requirements: list[dict[str, Any]], errors: list[dict[str, Any]]) -> str:
    if errors:
        return INCONCLUSIVE
    must_failed = any(r["status"] == "failed" and r["level"] == "MUST" for r in requirements)
    return NONCONFORMANT if must_failed else CONFORMANT


def counts(requirements: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for req in requirements:
        level = table.setdefault(req["level"], {})
        level[req["status"]] = level.get(req["status"], 0) + 1
    return table


def build_report(
    meta: dict[str, Any], records: list[dict[str, Any]], finished: float | None = None
) -> dict[str, Any]:
    """The whole report.json document for a run."""
    finished = finished or time.time()
    requirements = [requirement_result(req, records) for req in load_catalog().values()]
    errors = run_errors(records)
    return {
        "format_version": FORMAT_VERSION,
        "run": {
            **meta,
            "suite_version": __version__,
            "spec_sha256": spec_hash(),
            "duration_s": round(finished - meta["started"], 3),
            "tests": len(records),
            "requests": sum(r.get("requests", 0) for r in records),
        },
        "verdict": verdict_of(requirements, errors),
        "counts": counts(requirements),
        "requirements": requirements,
        "errors": errors,
    }
