"""The CI gate: a comparison with a baseline report and the exit code a run deserves.

Without a baseline, the gate fails when a MUST requirement failed and is not a known
deviation. With a baseline, it fails only on regressions: requirements (of any level) that
passed in the baseline and fail now. A known deviation never fails the gate, and an
inconclusive run never passes it (exit 3): a broken run proves nothing either way.
"""

from __future__ import annotations

from typing import Any

from ticonf.core.exit_codes import ExitCode
from ticonf.report.model import EXPECTED, FAILED, INCONCLUSIVE, PASSED


def _entry(req: dict[str, Any], before: str | None) -> dict[str, Any]:
    return {
        "id": req["id"],
        "level": req["level"],
        "statement": req["statement"],
        "before": before,
        "now": req["status"],
    }


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """How the requirements of `new` moved since `old` (two report.json documents)."""
    before = {r["id"]: r["status"] for r in old["requirements"]}
    groups: dict[str, list[dict[str, Any]]] = {
        "regressions": [],
        "newly_passing": [],
        "still_failing": [],
        "other_changes": [],
    }
    for req in new["requirements"]:
        was, now = before.get(req["id"]), req["status"]
        if was == PASSED and now == FAILED:
            groups["regressions"].append(_entry(req, was))
        elif now == PASSED and was != PASSED:
            groups["newly_passing"].append(_entry(req, was))
        elif now in (FAILED, EXPECTED) and was in (FAILED, EXPECTED):
            groups["still_failing"].append(_entry(req, was))
        elif now != was:
            groups["other_changes"].append(_entry(req, was))
    current = {r["id"] for r in new["requirements"]}
    return {
        "baseline": _identity(old),
        "warnings": _mismatches(old, new),
        **groups,
        "removed": sorted(set(before) - current),
    }


def _identity(report: dict[str, Any]) -> dict[str, Any]:
    run = report["run"]
    keys = ("run_id", "target", "profile", "started_at", "suite_version")
    return {**{k: run.get(k) for k in keys}, "verdict": report["verdict"]}


def _mismatches(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Differences that make a comparison less meaningful; shown, never fatal."""
    notes = []
    for key, what in (
        ("target", "tested another target"),
        ("profile", "used another profile"),
        ("catalog_sha256", "was made with another requirement catalog"),
        ("spec_sha256", "was made with another openapi.yaml"),
    ):
        if old["run"].get(key) != new["run"].get(key):
            notes.append(f"the baseline {what} ({old['run'].get(key)})")
    return notes


def _known_deviations(report: dict[str, Any]) -> dict[str, list[str]]:
    states: dict[str, list[str]] = {"still-failing": [], "now-passing": [], "unchecked": []}
    for req in report["requirements"]:
        if req.get("expected_failure"):
            states[req["expected_failure"]["state"]].append(req["id"])
    return states


def flaky_only(report: dict[str, Any]) -> set[str]:
    """With `--flaky pass`: the requirements whose every problem replayed as flaky.

    The default policy (`--flaky fail`) forgives nothing: a flaky failure is a wrong answer the
    server really gave (network trouble is a run error, never a failure), and a deployment
    that sometimes answers 500 is not conformant. `--flaky pass` is for a CI gate that must
    not go red on what it cannot reproduce; the failure stays in the report either way.
    """
    if (report.get("replay") or {}).get("flaky_policy") != "pass":
        return set()
    problems = report.get("problems") or []
    involved = {r for p in problems for r in p["requirements"]}
    return {
        req
        for req in involved
        if all(p["confirmation"]["status"] == "flaky" for p in problems if req in p["requirements"])
    }


def decide(report: dict[str, Any], comparison: dict[str, Any] | None) -> dict[str, Any]:
    """The `gate` section of report.json: passed or not, the exit code, and why."""
    deviations = _known_deviations(report)
    gate = {"mode": "baseline" if comparison else "verdict", "known_deviations": deviations}
    if report["verdict"] == INCONCLUSIVE:
        return {
            **gate,
            "passed": False,
            "exit_code": int(ExitCode.INCONCLUSIVE),
            "reason": "the run is inconclusive: " + report["verdict_reason"],
        }
    if comparison is not None:
        failing = [r["id"] for r in comparison["regressions"]]
        why = "requirement(s) passed in the baseline and fail now"
        newly = len(comparison["newly_passing"])
        ok = f"no requirement that passed in the baseline fails now ({newly} newly passing)"
    else:
        forgiven = flaky_only(report)
        failing = [
            r["id"]
            for r in report["requirements"]
            if r["level"] == "MUST" and r["status"] == FAILED and r["id"] not in forgiven
        ]
        why = "MUST requirement(s) failed"
        ok = (
            "no MUST requirement failed, known deviations aside"
            if any(deviations.values())
            else "no MUST requirement failed"
        )
        if forgiven:
            ok += f"; flaky ones ({', '.join(sorted(forgiven))}) pass with --flaky pass"
    if failing:
        reason = f"{len(failing)} {why}: {', '.join(failing)}"
        return {**gate, "passed": False, "exit_code": int(ExitCode.NONCONFORMANT), "reason": reason}
    return {**gate, "passed": True, "exit_code": int(ExitCode.CONFORMANT), "reason": ok}
