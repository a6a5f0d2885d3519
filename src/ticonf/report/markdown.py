"""summary.md: a short Markdown summary for a CI job page (e.g. $GITHUB_STEP_SUMMARY).

It names the verdict, the counts by level and each failing requirement on one line; the
evidence stays in report.html. Text from the server is escaped: CI pages render Markdown and
some inline HTML.
"""

from __future__ import annotations

import re
from typing import Any

from ticonf.core.vocabulary import DeviationState, Level, Status
from ticonf.report.problems import headline
from ticonf.report.text import one_line, reason

MAX_LINES = 60
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(value: Any, limit: int = 160) -> str:
    """One line of untrusted text, safe inside Markdown."""
    text = one_line(value, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _bounded(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"- … and {len(lines) - MAX_LINES} more (see report.html)"]


def _counts(report: dict[str, Any]) -> list[str]:
    shown = [s for s in Status if report["counts"]["total"][s]]
    lines = ["| level | " + " | ".join(shown) + " |", "|---" * (len(shown) + 1) + "|"]
    for level in Level:
        figures = " | ".join(str(report["counts"][level][s]) for s in shown)
        lines.append(f"| {level} | {figures} |")
    return lines


def _failing(report: dict[str, Any]) -> list[str]:
    lines = []
    for status, title in (
        (Status.FAILED, "Failing requirements"),
        (Status.EXPECTED_FAILURE, "Known deviations"),
    ):
        reqs = [r for r in report["requirements"] if r["status"] == status]
        if reqs:
            lines += ["", f"### {title} ({len(reqs)})", ""]
            lines += _bounded([_failing_line(r) for r in reqs])
    passing = [
        r["id"]
        for r in report["requirements"]
        if (r.get("expected_failure") or {}).get("state") == DeviationState.NOW_PASSING
    ]
    if passing:
        lines += [
            "",
            f"Known deviations that now pass (remove them from the file): {', '.join(passing)}",
        ]
    return lines


def _failing_line(req: dict[str, Any]) -> str:
    line = f"- **{req['id']}** {req['level']} ({req['operation']}): {md(req['statement'], 120)}"
    if req.get("expected_failure"):
        return f"{line} — known deviation: {md(req['expected_failure']['reason'], 100)}"
    if req["failures"]:
        return f"{line} — {md(reason(req['failures'][0]['message']), 140)}"
    return line


def _problems(report: dict[str, Any]) -> list[str]:
    """The lead: "N problems violate M requirements", then one line per problem."""
    problems = report.get("problems")
    if problems is None:
        return []
    lines = [f"**{headline(problems)}**", ""]
    if not problems:
        return lines
    for problem in problems:
        state = problem["confirmation"]["status"]
        reqs = ", ".join(problem["requirements"])
        script = f" · `{problem['script']}`" if problem.get("script") else ""
        lines.append(
            f"- **{problem['id']}** [{state}] {md(problem['title'], 140)} ({reqs}){script}"
        )
    return [*_bounded(lines), ""]


def _comparison(comparison: dict[str, Any] | None) -> list[str]:
    if not comparison:
        return []
    base = comparison["baseline"]
    lines = ["", f"### Compared with baseline {md(base['run_id'])} ({md(base['verdict'])})", ""]
    for key, title in (("regressions", "Regressions"), ("newly_passing", "Newly passing")):
        ids = [f"{r['id']} ({r['before'] or 'absent'} → {r['now']})" for r in comparison[key]]
        lines.append(f"- {title}: {', '.join(ids) if ids else 'none'}")
    lines += [f"- Note: {md(w)}" for w in comparison["warnings"]]
    return lines


def _choices(report: dict[str, Any]) -> list[str]:
    """Observed choices: what the target chose where the documentation is silent."""
    choices = report.get("observed_choices") or []
    if not choices:
        return []
    lines = ["", "### Observed choices", ""]
    return lines + _bounded([f"- {md(c['label'])}: {md(c['choice'], 140)}" for c in choices])


def _errors(report: dict[str, Any]) -> list[str]:
    errors = report["errors"]
    if not errors:
        return []
    lines = ["", f"### Run errors ({len(errors)}): the run itself went wrong", ""]
    return lines + _bounded(
        [f"- {md(e['test'] or 'the run')} ({e['kind']}): {md(e['message'], 140)}" for e in errors]
    )


def render_summary(report: dict[str, Any]) -> str:
    run, gate = report["run"], report.get("gate")
    lines = [f"## ticonf: {report['verdict'].upper()}", "", md(report["verdict_reason"], 400), ""]
    facts = f"Target `{md(run['target']).replace('`', '')}` · profile {run['profile']} · "
    facts += f"seed {run['seed']} · {run['tests']} tests · {run['duration_s']:.1f} s"
    if gate:
        facts += f" · CI gate {'passed' if gate['passed'] else 'FAILED'} (exit {gate['exit_code']})"
    lines += [facts, "", *_problems(report), *_counts(report)]
    lines += _failing(report) + _comparison(report.get("comparison")) + _errors(report)
    lines += _choices(report)
    return "\n".join(lines) + "\n"
