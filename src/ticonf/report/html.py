"""report.html: one self-contained page for people (no external asset, no script).

Everything that comes from the server is untrusted (a response body may hold HTML). The page is
rendered by jinja2 with autoescaping, so every value a template prints is escaped by
construction, not by remembering to call an escape function; `page_environment` also replaces
the control characters XML forbids. A Content-Security-Policy (templates/base.html.j2) forbids
scripts and remote loads in case anything ever got through.

This module only computes the view model, plain dicts of text and numbers; the templates in
templates/ present it. matrix_render.py renders compare.html with the same environment.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from ticonf.core.operations import OPERATION_NAMES
from ticonf.core.vocabulary import FAILING, Level, Status
from ticonf.report.problems import headline
from ticonf.report.text import clean, plural, show_value

OPERATIONS = ("all", *OPERATION_NAMES)  # "all": requirements on every operation
LEVELS = tuple(Level)
STATUSES = tuple(Status)
COMPARISON_GROUPS = (
    ("regressions", "Regressions: passed in the baseline, fail now"),
    ("newly_passing", "Newly passing"),
    ("still_failing", "Still failing"),
    ("other_changes", "Other changes"),
)
View = dict[str, Any]


def printable(value: Any) -> Any:
    """What the environment prints for a value, before autoescaping: text without control
    characters. Markup (a macro's output) was built from values that already went through here."""
    return value if hasattr(value, "__html__") else clean(value)


@functools.cache
def page_environment() -> jinja2.Environment:
    """The templates shipped in the package (templates/), autoescaped. Cached: each page
    compiles its templates once per process."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ticonf.report", "templates"),
        autoescape=True,
        finalize=printable,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, view: View) -> str:
    return page_environment().get_template(template).render(view)


def anchor(req: dict[str, Any]) -> str:
    prefix = "fail" if req["status"] in FAILING else "req"
    return f"{prefix}-{req['id']}"


def tile(req: dict[str, Any]) -> View:
    title = f"{req['id']} {req['level']} ({req['status']}): {req['statement']}"
    return {
        "known": True,
        "id": req["id"],
        "status": req["status"],
        "anchor": anchor(req),
        "title": title,
    }


# -- header --------------------------------------------------------------------------------


def header_view(report: dict[str, Any]) -> View:
    run, gate = report["run"], report.get("gate") or {}
    target = run["target"] + (" (embedded reference)" if run.get("embedded_reference") else "")
    figures = [
        ("target", target),
        ("run", run["run_id"]),
        ("started", run["started_at"]),
        ("duration", f"{run['duration_s']:.1f} s"),
        ("profile", run["profile"]),
        ("seed", run["seed"]),
        ("workers", run["workers"] or 1),
        ("tests", run["tests"]),
        ("requests", run["requests"]),
        ("suite", run["suite_version"]),
        ("spec", run["spec_sha256"][:19]),
    ]
    problems = report.get("problems")
    return {
        "verdict": report["verdict"],
        "headline": headline(problems) if problems is not None else None,
        "reason": report["verdict_reason"],
        "gate": gate_view(gate) if gate else None,
        "figures": figures,
    }


def gate_view(gate: dict[str, Any]) -> View:
    return {
        "state": "PASSED" if gate["passed"] else "FAILED",
        "exit_code": gate["exit_code"],
        "reason": gate["reason"],
    }


def counts_view(counts: dict[str, dict[str, int]]) -> list[tuple[str, list[int]]]:
    return [(level, [by_status[s] for s in STATUSES]) for level, by_status in counts.items()]


# -- the matrix ----------------------------------------------------------------------------


def matrix_view(requirements: list[dict[str, Any]]) -> list[View]:
    """Rows are operations, columns MUST and SHOULD; each cell the tiles of its requirements."""
    operations = list(OPERATIONS) + sorted({r["operation"] for r in requirements} - set(OPERATIONS))
    rows = []
    for operation in operations:
        mine = [r for r in requirements if r["operation"] == operation]
        if mine:
            cells = [[tile(r) for r in mine if r["level"] == level] for level in LEVELS]
            rows.append({"operation": operation, "size": len(mine), "cells": cells})
    return rows


# -- failures and their evidence -----------------------------------------------------------


def exchange_view(exchange: dict[str, Any]) -> View:
    status = exchange.get("status")
    outcome = status if status is not None else f"no response: {exchange.get('error') or ''}"
    request = "".join(f"{k}: {v}\n" for k, v in (exchange.get("request_headers") or {}).items())
    response = "".join(f"{k}: {v}\n" for k, v in (exchange.get("response_headers") or {}).items())
    return {
        "summary": f"{exchange.get('method', '')} {exchange.get('url', '')} → {outcome}",
        "curl": exchange.get("curl", ""),
        "request": f"{request}\n{exchange.get('request_body') or ''}",
        "status": status if status is not None else "",
        "elapsed_ms": exchange.get("elapsed_ms") or "",
        "response": f"{response}\n{exchange.get('response_body') or ''}",
    }


def evidence_view(failure: dict[str, Any]) -> View:
    """One failing test's message and exchanges, the last exchange first."""
    exchanges = failure.get("exchanges") or []
    return {
        "test": failure["test"],
        "message": failure["message"],
        "exchanges": [exchange_view(x) for x in reversed(exchanges)],
        "exchanges_text": plural(len(exchanges), "exchange"),
    }


def failure_view(req: dict[str, Any]) -> View:
    deviation = req.get("expected_failure")
    return {
        "anchor": anchor(req),
        "status": req["status"],
        "id": req["id"],
        "level": req["level"],
        "operation": req["operation"],
        "statement": req["statement"],
        "deviation": deviation["reason"] if deviation else None,
        "failures": [evidence_view(f) for f in req["failures"]],
    }


def failures_view(requirements: list[dict[str, Any]]) -> list[View]:
    failing = [r for r in requirements if r["status"] in FAILING]
    failing.sort(key=lambda r: (r["status"] != Status.FAILED, r["level"] != Level.MUST, r["id"]))
    return [failure_view(r) for r in failing]


def errors_view(errors: list[dict[str, Any]]) -> list[View]:
    return [
        {"test": e["test"] or "the run", "kind": e["kind"], "message": e["message"]} for e in errors
    ]


# -- deviations, comparison, observations ----------------------------------------------------


def deviations_view(requirements: list[dict[str, Any]]) -> list[View]:
    return [
        {
            "anchor": anchor(r),
            "id": r["id"],
            "state": r["expected_failure"]["state"],
            "reason": r["expected_failure"]["reason"],
        }
        for r in requirements
        if r.get("expected_failure")
    ]


def comparison_view(comparison: dict[str, Any] | None) -> View | None:
    if not comparison:
        return None
    base = comparison["baseline"]
    groups = [
        {"title": title, "rows": [change_view(r) for r in comparison[key]]}
        for key, title in COMPARISON_GROUPS
        if comparison[key]
    ]
    return {
        "run_id": base["run_id"],
        "started_at": base["started_at"],
        "verdict": base["verdict"],
        "target": base["target"],
        "warnings": comparison["warnings"],
        "groups": groups,
    }


def change_view(change: dict[str, Any]) -> View:
    return {
        "id": change["id"],
        "level": change["level"],
        "before": change["before"] or "absent",
        "now": change["now"],
        "statement": change["statement"],
    }


def observations_view(observations: list[dict[str, Any]]) -> list[View]:
    """Per topic, the answers this server gave: each value, how often, and which tests saw it."""
    return [
        {
            "topic": topic["topic"],
            "answers": [
                {
                    "value": show_value(seen["value"]),
                    "times": seen["count"],
                    "tests": seen["tests"],
                    "tests_text": plural(len(seen["tests"]), "test"),
                }
                for seen in topic["values"]
            ],
        }
        for topic in observations
    ]


# -- problems and coverage ---------------------------------------------------------------------


def problem_view(problem: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> View:
    confirmation, example = problem["confirmation"], problem["example"]
    others = [t for t in problem["tests"] if t != example["test"]]
    return {
        "id": problem["id"],
        "state": confirmation["status"],
        "title": problem["title"],
        "tiles": [
            tile(by_id[r]) if r in by_id else {"known": False, "id": r}
            for r in problem["requirements"]
        ],
        "operation": problem["operation"],
        "tests_text": plural(len(problem["tests"]), "failing test"),
        "note": confirmation["note"],
        "oracle": oracle_view(problem.get("oracle")),
        "script": problem.get("script"),
        "example": evidence_view(example),
        "others": others,
        "others_text": plural(len(others), "other test"),
    }


def oracle_view(oracle: dict[str, Any] | None) -> View | None:
    """What the requirement expected and what the server answered (its body cut short)."""
    if not oracle:
        return None
    return {
        "expected": oracle.get("expected", ""),
        "status": oracle.get("recorded_status"),
        "body": oracle.get("recorded_body", "")[:160],
    }


def problems_view(report: dict[str, Any]) -> list[View] | None:
    problems = report.get("problems")
    if problems is None:
        return None
    by_id = {r["id"]: r for r in report["requirements"]}
    return [problem_view(p, by_id) for p in problems]


def coverage_view(coverage: dict[str, Any] | None) -> View | None:
    """Per operation, which documented parameters, fields, enum values and codes were used."""
    if not coverage:
        return None
    operations = [
        {
            "operation": entry["operation"],
            "requests": entry["requests"],
            "parameters": list(entry["parameters"].items()),
            "body_fields": list(entry["body_fields"].items()),
            "enums": [(name, list(seen.items())) for name, seen in entry["enums"].items()],
            "statuses": [(code, count > 0) for code, count in entry["statuses"].items()],
            "undocumented": ", ".join(
                f"{code} ×{n}" for code, n in entry["undocumented_statuses"].items()
            ),
        }
        for entry in coverage["operations"]
    ]
    return {
        "exchanges": coverage["exchanges"],
        "warnings": coverage["warnings"],
        "operations": operations,
    }


def report_view(report: dict[str, Any]) -> View:
    """Everything report.html.j2 shows, computed from one report.json document."""
    requirements = report["requirements"]
    observations = observations_view(report["observations"])
    return {
        "title": f"ticonf {report['verdict']}: {report['run']['target']}",
        "header": header_view(report),
        "problems": problems_view(report),
        "statuses": STATUSES,
        "counts": counts_view(report["counts"]),
        "matrix": matrix_view(requirements),
        "comparison": comparison_view(report.get("comparison")),
        "failures": failures_view(requirements),
        "errors": errors_view(report["errors"]),
        "errors_text": plural(len(report["errors"]), "error"),
        "deviations": deviations_view(requirements),
        "choices": report.get("observed_choices") or [],
        "observations": observations,
        "observations_table": any(topic["answers"] for topic in observations),
        "coverage": coverage_view(report.get("coverage")),
        "requirements": requirements,
    }


def render_html(report: dict[str, Any]) -> str:
    """The whole page for one report.json document."""
    return render_page("report.html.j2", report_view(report))
