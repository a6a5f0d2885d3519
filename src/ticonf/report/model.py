"""The run record: per-test records folded into per-requirement results and a verdict.

Statuses of a requirement (spec/report-format.md has the full story):
  passed            a test checked it to the end and passed, and no test proved it wrong
  failed            a test proved the server wrong (a conformance failure)
  expected-failure  failed, but the vendor lists it as a known deviation (--expect-fail)
  error             a test that checked it could not finish (network trouble, a suite crash)
                    and none proved it wrong
  skipped           its only tests were skipped
  untested          no test of this run completed a check of it (none ran, or the ones that
                    ran stopped on the failure of another requirement)

The verdict is `inconclusive` whenever the run itself had an error: a broken run is never
reported as a nonconformant server, nor as a conformant one. Otherwise it is `nonconformant`
when a MUST requirement failed (expected or not), else `conformant`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ticonf import __version__
from ticonf.core.catalog import CATALOG_PATH, OPENAPI_PATH, Requirement, load_catalog
from ticonf.core.locations import RECORDS, raw_glob
from ticonf.core.records import (
    Counts,
    Failure,
    KnownDeviation,
    ObservedBehaviour,
    ObservedBy,
    Record,
    RequirementResult,
    RunError,
    SeenValue,
    SessionProblem,
    TestedBy,
)
from ticonf.core.vocabulary import FAILING, DeviationState, ErrorKind, Level, Status, Verdict
from ticonf.report.choices import observed_choices

FORMAT_VERSION = 1


def read_records(raw_dir: Path) -> list[Record]:
    """Every per-test record the workers of a run wrote, in a stable order."""
    records: list[Record] = []
    for path in sorted(raw_dir.glob(raw_glob(RECORDS))):
        lines = path.read_text("utf-8").split("\n")
        records += [_parse(line, f"{path.name}:{n}") for n, line in enumerate(lines, 1) if line]
    return records


def _parse(line: str, where: str) -> Record:
    """One record; a line cut short (a worker killed mid-write) becomes a run error."""
    try:
        record: Record = json.loads(line)
    except ValueError:
        message = f"unreadable record at {where} (a worker stopped while writing?)"
        return {
            "nodeid": where,
            "requirements": [],
            "outcome": Status.ERROR,
            "kind": ErrorKind.SUITE,
            "message": message,
        }
    return record


def file_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- one requirement -----------------------------------------------------------------------


def _checked_by(requirement_id: str, records: Sequence[Record]) -> list[Record]:
    """The records of tests that check the requirement, or that proved it wrong anyway."""
    return [
        r
        for r in records
        if requirement_id in r.get("requirements", [])
        or requirement_id in r.get("failed_requirements", [])
    ]


def _proves_failure(requirement_id: str, record: Record) -> bool:
    return record["outcome"] == Status.FAILED and requirement_id in record.get(
        "failed_requirements", []
    )


def requirement_status(
    requirement_id: str, records: Sequence[Record], expected: bool = False
) -> Status:
    """The status of one requirement given every record of the run (see the module doc)."""
    if any(_proves_failure(requirement_id, r) for r in records):
        return Status.EXPECTED_FAILURE if expected else Status.FAILED
    checked = _checked_by(requirement_id, records)
    if any(r["outcome"] == Status.ERROR for r in checked):
        return Status.ERROR
    if any(r["outcome"] == Status.PASSED for r in checked):
        return Status.PASSED
    if checked and all(r["outcome"] == Status.SKIPPED for r in checked):
        return Status.SKIPPED
    return Status.UNTESTED


def _failure(record: Record) -> Failure:
    return Failure(
        test=record["nodeid"],
        message=record.get("message", ""),
        exchanges=record.get("exchanges", []),
    )


def _run_error(record: Record) -> RunError:
    """A test's error (never a failure: that is the server's) as a run error."""
    return RunError(
        test=record["nodeid"],
        kind=record.get("kind") or ErrorKind.SUITE,
        message=record.get("message", ""),
    )


def requirement_result(
    req: Requirement, records: Sequence[Record], deviations: dict[str, str]
) -> RequirementResult:
    """One entry of `requirements` in report.json."""
    checked = _checked_by(req.id, records)
    status = requirement_status(req.id, records, expected=req.id in deviations)
    return {
        **req.to_dict(),
        "status": status,
        "tests": [
            TestedBy(test=r["nodeid"], outcome=r["outcome"], duration_s=r.get("duration", 0.0))
            for r in checked
        ],
        "failures": [_failure(r) for r in records if _proves_failure(req.id, r)],
        "errors": [_run_error(r) for r in checked if r["outcome"] == Status.ERROR],
        "observations": [
            ObservedBy(test=r["nodeid"], topic=o["topic"], value=o["value"])
            for r in checked
            for o in r.get("observations", [])
        ],
        "expected_failure": _deviation(req.id, status, deviations),
    }


def _deviation(
    requirement_id: str, status: str, deviations: dict[str, str]
) -> KnownDeviation | None:
    """A known deviation and what became of it: still failing, now passing, or unchecked."""
    if requirement_id not in deviations:
        return None
    if status == Status.EXPECTED_FAILURE:
        state = DeviationState.STILL_FAILING
    elif status == Status.PASSED:
        state = DeviationState.NOW_PASSING
    else:
        state = DeviationState.UNCHECKED
    return KnownDeviation(reason=deviations[requirement_id], state=state)


# -- the run as a whole --------------------------------------------------------------------


def run_errors(
    records: Sequence[Record], catalog: Iterable[str], session: dict[str, Any]
) -> list[RunError]:
    """Everything that makes the run itself unreliable, whatever the server did."""
    known = set(catalog)
    errors = [_run_error(r) for r in records if r["outcome"] == Status.ERROR]
    errors += _suite_mistakes(records, known)
    errors += _duplicates(records)
    errors += _session_errors(records, session)
    return errors


SESSION_EXIT = {
    2: "the run was interrupted (Ctrl-C, a collection error, or a stop on the first failure)",
    3: "pytest hit an internal error",
    4: "pytest refused its arguments",
    5: "no test was collected",
}


def _session_errors(records: Sequence[Record], session: dict[str, Any]) -> list[RunError]:
    """What pytest saw go wrong outside any record: crashed workers, collection errors."""
    recorded = {r["nodeid"] for r in records}
    problems: list[SessionProblem] = session.get("problems", [])
    errors = [
        RunError(test=p["test"], kind=ErrorKind.SUITE, message=p.get("message", "")[:4000])
        for p in problems
        if p["test"] not in recorded
    ]
    status = session.get("exit_status")
    if status in SESSION_EXIT:
        errors.append(RunError(test="", kind=ErrorKind.SESSION, message=SESSION_EXIT[status]))
    return errors + list(session.get("errors", []))


def _suite_mistakes(records: Sequence[Record], known: set[str]) -> list[RunError]:
    """A failure that names no known requirement would vanish from the report: say so."""
    mistakes = []
    for r in records:
        unknown = sorted({*r.get("requirements", []), *r.get("failed_requirements", [])} - known)
        if unknown:
            message = f"the test names requirements that are not in the catalog: {unknown}"
            mistakes.append(RunError(test=r["nodeid"], kind=ErrorKind.SUITE, message=message))
        elif r["outcome"] == Status.FAILED and not r.get("failed_requirements"):
            message = "the test failed but names no requirement: " + r.get("message", "")[:300]
            mistakes.append(RunError(test=r["nodeid"], kind=ErrorKind.SUITE, message=message))
    return mistakes


def _duplicates(records: Sequence[Record]) -> list[RunError]:
    counts = Counter(r["nodeid"] for r in records)
    twice = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    return [
        RunError(
            test=nodeid,
            kind=ErrorKind.SUITE,
            message="more than one record for this test: "
            "the report directory holds records of an earlier run; use an empty --report-dir",
        )
        for nodeid in twice
    ]


def verdict_of(
    requirements: list[RequirementResult], errors: list[RunError]
) -> tuple[Verdict, str]:
    """The verdict and the one sentence that explains it."""
    if errors:
        return Verdict.INCONCLUSIVE, f"the run had {len(errors)} error(s) of its own, so no verdict"
    must = [r for r in requirements if r["level"] == Level.MUST]
    failed = [r["id"] for r in must if r["status"] in FAILING]
    if failed:
        return (
            Verdict.NONCONFORMANT,
            f"{len(failed)} MUST requirement(s) failed: {', '.join(failed)}",
        )
    checked = sum(1 for r in must if r["status"] == Status.PASSED)
    if not checked:
        return Verdict.INCONCLUSIVE, "no MUST requirement was checked"
    return (
        Verdict.CONFORMANT,
        f"no MUST requirement failed ({checked} of {len(must)} checked and passed)",
    )


def counts(requirements: list[RequirementResult]) -> Counts:
    """Requirements by level and status, every status present (zeros included)."""
    table: Counts = {level: dict.fromkeys(Status, 0) for level in (*Level, "total")}
    for req in requirements:
        table[req["level"]][req["status"]] += 1
        table["total"][req["status"]] += 1
    return table


def observed_behaviours(records: Sequence[Record]) -> list[ObservedBehaviour]:
    """Every observed behaviour by topic: each distinct value, how often and where."""
    topics: dict[str, dict[str, SeenValue]] = {}
    for r in records:
        for obs in r.get("observations", []):
            key = json.dumps(obs["value"], sort_keys=True)
            seen = topics.setdefault(obs["topic"], {}).setdefault(
                key, SeenValue(value=obs["value"], count=0, tests=[])
            )
            seen["count"] += 1
            if r["nodeid"] not in seen["tests"]:
                seen["tests"].append(r["nodeid"])
    return [
        ObservedBehaviour(topic=topic, values=sorted(values.values(), key=lambda v: -v["count"]))
        for topic, values in sorted(topics.items())
    ]


def run_section(meta: dict[str, Any], records: Sequence[Record], finished: float) -> dict[str, Any]:
    started = meta["started"]
    return {
        **meta,
        "started_at": iso_time(started),
        "finished_at": iso_time(finished),
        "duration_s": round(max(finished - started, 0.0), 3),
        "suite_version": __version__,
        "spec_sha256": file_hash(OPENAPI_PATH),
        "catalog_sha256": file_hash(CATALOG_PATH),
        "tests": len(records),
        "requests": sum(r.get("requests", 0) for r in records),
        "retries": sum(r.get("retries", 0) for r in records),
        "shard": meta.get("shard"),
    }


def build_report(
    meta: dict[str, Any],
    records: Sequence[Record],
    finished: float | None = None,
    *,
    session: dict[str, Any] | None = None,
    deviations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The whole report.json document for a run, before any baseline comparison.

    `session` holds what pytest itself knew (exit status, tests that left no record);
    `deviations` maps requirement IDs to the reason the vendor gave for deviating.
    """
    catalog = load_catalog()
    deviations = deviations or {}
    requirements = [requirement_result(req, records, deviations) for req in catalog.values()]
    errors = run_errors(records, catalog, session or {})
    verdict, reason = verdict_of(requirements, errors)
    run = run_section(meta, records, finished or time.time())
    run["pytest_exit_status"] = (session or {}).get("exit_status")
    return {
        "format_version": FORMAT_VERSION,
        "run": run,
        "verdict": verdict,
        "verdict_reason": reason,
        "counts": counts(requirements),
        "requirements": requirements,
        "observations": observed_behaviours(records),
        "observed_choices": observed_choices(observed_behaviours(records)),
        "errors": errors,
    }
