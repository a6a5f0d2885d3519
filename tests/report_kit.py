"""Synthetic per-test records and report documents for the report tests.

The records have exactly the shape the pytest plugin writes (raw/records-*.ndjson), so the
model and the renderings are tested on what a run produces, without running one.
"""

from __future__ import annotations

import time
from typing import Any

from ticonf.report import assemble

TARGET = "http://127.0.0.1:1/v1"
PAIRS_URL = f"{TARGET}/models/model_1/training-images/pairs"


def exchange(
    status: int | None = 200, body: str | None = '{"count": 4}', **fields: Any
) -> dict[str, Any]:
    """One recorded exchange, curl line included, as exchanges.Exchange.to_dict() makes it."""
    base = {
        "method": "PUT",
        "url": PAIRS_URL,
        "request_headers": {"content-type": "application/json", "authorization": "[redacted]"},
        "request_body": "[]",
        "status": status,
        "response_headers": {"content-type": "application/json"},
        "response_body": body,
        "error": None,
        "elapsed_ms": 1.5,
        "authenticated": True,
        "curl": f'curl -sS -X PUT {PAIRS_URL} -u "$TICONF_API_KEY:$TICONF_API_SECRET"',
    }
    return {**base, **fields}


def record(
    nodeid: str,
    requirements: list[str],
    outcome: str = "passed",
    *,
    failed: list[str] | None = None,
    message: str = "",
    kind: str = "",
    observations: list[dict[str, Any]] | None = None,
    exchanges: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A per-test record; a failure names `failed` (default: all of the test's requirements)."""
    data: dict[str, Any] = {
        "nodeid": f"suites/scenarios/{nodeid}",
        "requirements": requirements,
        "outcome": outcome,
        "kind": kind or ("conformance" if outcome == "failed" else ""),
        "message": message,
        "failed_requirements": (failed if failed is not None else requirements)
        if outcome == "failed"
        else [],
        "observations": observations or [],
        "duration": 0.25,
        "requests": 4,
    }
    if outcome in ("failed", "error"):
        data["exchanges"] = exchanges if exchanges is not None else [exchange()]
    return data


def meta(**changes: Any) -> dict[str, Any]:
    base = {
        "run_id": "20260101-000000-abcd",
        "target": TARGET,
        "embedded_reference": False,
        "profile": "quick",
        "seed": 7,
        "workers": 2,
        "started": time.time() - 5,
    }
    return {**base, **changes}


def faulty_records() -> list[dict[str, Any]]:
    """A run against a server whose Replace Pairs appends: PAIRS-002 fails, the rest passes."""
    return [
        record("test_add.py::test_add", ["ADD-001", "ADD-002"]),
        record("test_pairs.py::test_come_back", ["PAIRS-001", "PAIRS-003"]),
        record(
            "test_pairs.py::test_replaced_not_merged",
            ["PAIRS-002"],
            "failed",
            message="RequirementFailure: PAIRS-002: expected exactly [], got 1 pair",
            exchanges=[exchange(body='{"count": 1, "pairs": [{"sourceId": "a"}]}')],
        ),
        record(
            "test_replace.py::test_keeps_id",
            ["REPLACE-001"],
            observations=[{"topic": "replace-keeps-id", "value": True}],
        ),
    ]


def report_of(records: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """The report.json document `ticonf` would write for these records."""
    return assemble(meta(), records, session={"exit_status": 1, "problems": []}, **options)


def status_of(report: dict[str, Any], requirement_id: str) -> str:
    return next(r["status"] for r in report["requirements"] if r["id"] == requirement_id)


def requirement(report: dict[str, Any], requirement_id: str) -> dict[str, Any]:
    return next(r for r in report["requirements"] if r["id"] == requirement_id)
