"""The CI gate: a comparison with a baseline report and the exit code a run deserves.

Without a baseline, the gate fails when a MUST requirement failed and is not a known
deviation. With a baseline, it fails only on regressions: requirements (of any level) that
passed in the baseline and fail now. A known deviation never fails the gate, and an
inconclusive run never passes it (exit 3): a broken run proves nothing either way.
"""

from __future__ import annotations

from typing import Any

from ticonf.core.exit_codes import ExitCode
from ticonf.core.records import Change, Comparison, Gate, RequirementResult
from ticonf.core.vocabulary import FAILING, Confirmation, DeviationState, Level, Status, Verdict


def _entry(req: RequirementResult, before: str | None) -> Change:
    return Change(
        id=req["id"],
        level=req["level"],
        statement=req["statement"],
        before=before,
        now=req["status"],
    )


def _moves(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Change]]:
    """The requirements of `new` by how their status moved since `old`."""
    before = {r["id"]: r["status"] for r in old["requirements"]}
    groups: dict[str, list[Change]] = {
        "regressions": [],
        "newly_passing": [],
        "still_failing": [],
        "other_changes": [],
    }
    requirement: RequirementResult
    for requirement in new["requirements"]:
        was, now = before.get(requirement["id"]), requirement["status"]
        if was == Status.PASSED and now == Status.FAILED:
            groups["regressions"].append(_entry(requirement, was))
        elif now == Status.PASSED and was != Status.PASSED:
            groups["newly_passing"].append(_entry(requirement, was))
        elif now in FAILING and was in FAILING:
            groups["still_failing"].append(_entry(requirement, was))
        elif now != was:
            groups["other_changes"].append(_entry(requirement, was))
    return groups


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """How the requirements of `new` moved since `old` (two report.json documents)."""
    moves = _moves(old, new)
    before = {r["id"] for r in old["requirements"]}
    current = {r["id"] for r in new["requirements"]}
    return Comparison(
        baseline=_identity(old),
        warnings=_mismatches(old, new),
        regressions=moves["regressions"],
        newly_passing=moves["newly_passing"],
        still_failing=moves["still_failing"],
        other_changes=moves["other_changes"],
        removed=sorted(before - current),
    )


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
    states: dict[str, list[str]] = {state: [] for state in DeviationState}
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
        if all(
            p["confirmation"]["status"] == Confirmation.FLAKY
            for p in problems
            if req in p["requirements"]
        )
    }


def _gate(
    comparison: Comparison | None, deviations: dict[str, list[str]], code: ExitCode, reason: str
) -> Gate:
    return Gate(
        mode="baseline" if comparison else "verdict",
        known_deviations=deviations,
        passed=code == ExitCode.CONFORMANT,
        exit_code=int(code),
        reason=reason,
    )


def decide(report: dict[str, Any], comparison: Comparison | None) -> Gate:
    """The `gate` section of report.json: passed or not, the exit code, and why."""
    deviations = _known_deviations(report)
    if report["verdict"] == Verdict.INCONCLUSIVE:
        reason = "the run is inconclusive: " + report["verdict_reason"]
        return _gate(comparison, deviations, ExitCode.INCONCLUSIVE, reason)
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
            if r["level"] == Level.MUST and r["status"] == Status.FAILED and r["id"] not in forgiven
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
        return _gate(comparison, deviations, ExitCode.NONCONFORMANT, reason)
    return _gate(comparison, deviations, ExitCode.CONFORMANT, ok)
