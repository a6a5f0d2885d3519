"""report.html: one self-contained page for people (no external asset, no script).

Everything that comes from the server is untrusted (a response body may hold HTML), so every
value goes through `esc`, and a Content-Security-Policy forbids scripts and remote loads in
case an escape is ever missed.
"""

from __future__ import annotations

import html
from typing import Any

from ticonf.report.model import FAILING, STATUSES
from ticonf.report.problems import headline
from ticonf.report.text import clean, plural, show_value

OPERATIONS = ("all", "add", "replace-pairs", "replace", "delete")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root{--passed:#1a7f37;--failed:#cf222e;--expected-failure:#8250df;--error:#bc4c00;
--skipped:#6e7781;--untested:#afb8c1;--ink:#1f2328;--soft:#f6f8fa;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink)}
main{max-width:1200px;margin:0 auto;padding:0 20px 40px}
header.top{padding:18px 20px;color:#fff}
header.top.conformant{background:var(--passed)}
header.top.nonconformant{background:var(--failed)}
header.top.inconclusive{background:var(--error)}
header.top h1{margin:0;font-size:28px;letter-spacing:.04em}
header.top p{margin:4px 0 0}
.figures{display:flex;flex-wrap:wrap;gap:6px 22px;margin:14px 0 0;padding:0}
.figures div{min-width:90px}.figures dt{font-size:11px;opacity:.85;text-transform:uppercase}
.figures dd{margin:0;font-weight:600;overflow-wrap:anywhere}
h2{margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line);font-size:19px}
h3{margin:0;font-size:15px}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft);position:sticky;top:0}
.counts td,.counts th{text-align:right}
.counts td:first-child,.counts th:first-child{text-align:left}
.matrix{table-layout:fixed}.matrix td{line-height:2}.matrix th{white-space:nowrap}
.matrix thead th:first-child{width:170px}.matrix thead th:nth-child(2){width:60%}
.tile{display:inline-block;margin:2px;padding:0 6px;border-radius:4px;color:#fff;
font:12px/20px ui-monospace,SFMono-Regular,Menlo,monospace;text-decoration:none}
.badge{display:inline-block;padding:0 7px;border-radius:10px;color:#fff;font-size:12px;
font-weight:600;white-space:nowrap}
.s-passed{background:var(--passed)}.s-failed{background:var(--failed)}
.s-expected-failure{background:var(--expected-failure)}.s-error{background:var(--error)}
.s-skipped{background:var(--skipped)}.s-untested{background:var(--untested);color:var(--ink)}
.legend{margin:6px 0 10px}.legend .tile{cursor:default}
article{border:1px solid var(--line);border-left:6px solid var(--failed);border-radius:6px;
margin:12px 0;padding:10px 14px}
article.expected{border-left-color:var(--expected-failure)}
table.counts{margin-top:16px}
article p{margin:6px 0}
.test{font:12px ui-monospace,monospace;color:#57606a;overflow-wrap:anywhere}
pre{margin:6px 0;padding:8px;background:var(--soft);border:1px solid var(--line);border-radius:4px;
white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto;
font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
details.exchange{border:1px solid var(--line);border-radius:4px;padding:4px 8px}
details.exchange summary{font:12px ui-monospace,monospace}
.muted{color:#57606a}.label{margin:6px 0 0;font-size:12px;color:#57606a}
.mono{font-family:ui-monospace,monospace;white-space:nowrap}
.all td:nth-child(4){width:55%}
.obs td:first-child{width:22%}.obs td:nth-child(3){width:60px}.obs td:last-child{width:210px}
.headline{font-size:18px;font-weight:600;margin:8px 0 0}
.answer{font:12px ui-monospace,monospace;overflow-wrap:anywhere}
article.problem{border-left-color:var(--failed)}
article.problem.state-flaky{border-left-color:var(--error)}
article.problem.state-not-replayed{border-left-color:var(--skipped)}
.c-confirmed{background:var(--failed)}.c-flaky{background:var(--error)}
.c-not-replayed{background:var(--skipped)}
.problem h3 .pid{font-family:ui-monospace,monospace}
.problem .tile{font-size:12px}
.problem code{font:12px ui-monospace,monospace;background:var(--soft);padding:1px 4px;
border-radius:3px;overflow-wrap:anywhere}
.cov td,.cov th{font-size:13px}.cov .yes{color:var(--passed)}.cov .no{color:#8c959f}
.warn{border:1px solid var(--error);background:#fff8f0;border-radius:4px;padding:6px 10px}
"""


def esc(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape(clean(value), quote=True)


def badge(status: str) -> str:
    return f'<span class="badge s-{esc(status)}">{esc(status.upper())}</span>'


def anchor(req: dict[str, Any]) -> str:
    prefix = "fail" if req["status"] in FAILING else "req"
    return f"{prefix}-{req['id']}"


# -- header --------------------------------------------------------------------------------


def header(report: dict[str, Any]) -> str:
    run, gate = report["run"], report.get("gate") or {}
    figures = [
        (
            "target",
            run["target"] + (" (embedded reference)" if run.get("embedded_reference") else ""),
        ),
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
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in figures)
    gate_line = ""
    if gate:
        state = "PASSED" if gate["passed"] else "FAILED"
        gate_line = f"<p>CI gate {state} (exit {gate['exit_code']}): {esc(gate['reason'])}</p>"
    verdict = report["verdict"]
    problems = report.get("problems")
    lead = f"<p class='headline'>{esc(headline(problems))}</p>" if problems is not None else ""
    return (
        f'<header class="top {esc(verdict)}"><h1>{esc(verdict.upper())}</h1>{lead}'
        f"<p>{esc(report['verdict_reason'])}</p>{gate_line}"
        f'<dl class="figures">{items}</dl></header>'
    )


def counts_table(report: dict[str, Any]) -> str:
    head = "".join(f"<th>{esc(s)}</th>" for s in STATUSES)
    rows = "".join(
        f"<tr><th>{esc(level)}</th>"
        + "".join(f"<td>{report['counts'][level][s] or ''}</td>" for s in STATUSES)
        + "</tr>"
        for level in report["counts"]
    )
    return f'<table class="counts"><thead><tr><th>level</th>{head}</tr></thead>{rows}</table>'


# -- the matrix ----------------------------------------------------------------------------


def tile(req: dict[str, Any]) -> str:
    title = f"{req['id']} {req['level']} ({req['status']}): {req['statement']}"
    return (
        f'<a class="tile s-{esc(req["status"])}" href="#{esc(anchor(req))}" '
        f'title="{esc(title)}">{esc(req["id"])}</a>'
    )


def matrix(requirements: list[dict[str, Any]]) -> str:
    """Rows are operations, columns MUST and SHOULD; each cell the tiles of its requirements."""
    operations = list(OPERATIONS) + sorted({r["operation"] for r in requirements} - set(OPERATIONS))
    rows = []
    for operation in operations:
        mine = [r for r in requirements if r["operation"] == operation]
        if not mine:
            continue
        cells = "".join(
            "<td>" + "".join(tile(r) for r in mine if r["level"] == level) + "</td>"
            for level in ("MUST", "SHOULD")
        )
        rows.append(
            f"<tr><th>{esc(operation)} <span class='muted'>({len(mine)})</span></th>{cells}</tr>"
        )
    legend = "".join(f'<span class="tile s-{s}">{s}</span>' for s in STATUSES)
    return (
        f'<section id="matrix"><h2>Requirements by operation</h2><div class="legend">{legend}</div>'
        '<table class="matrix"><thead><tr><th>operation</th><th>MUST</th><th>SHOULD</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


# -- failures and their evidence -----------------------------------------------------------


def exchange_block(exchange: dict[str, Any]) -> str:
    status = exchange.get("status")
    outcome = status if status is not None else f"no response: {exchange.get('error') or ''}"
    summary = f"{exchange.get('method', '')} {exchange.get('url', '')} → {outcome}"
    request = "".join(f"{k}: {v}\n" for k, v in (exchange.get("request_headers") or {}).items())
    response = "".join(f"{k}: {v}\n" for k, v in (exchange.get("response_headers") or {}).items())
    return (
        f'<details class="exchange"><summary>{esc(summary)}</summary>'
        "<p class='label'>reproduce (credentials from $TICONF_API_KEY, $TICONF_API_SECRET)</p>"
        f"<pre>{esc(exchange.get('curl', ''))}</pre>"
        f"<p class='label'>request</p>"
        f"<pre>{esc(request)}\n{esc(exchange.get('request_body') or '')}</pre>"
        f"<p class='label'>response {esc(status if status is not None else '')}"
        f" <span class='muted'>{esc(exchange.get('elapsed_ms') or '')} ms</span></p>"
        f"<pre>{esc(response)}\n{esc(exchange.get('response_body') or '')}</pre></details>"
    )


def failure_block(failure: dict[str, Any]) -> str:
    exchanges = failure.get("exchanges") or []
    evidence = "".join(exchange_block(x) for x in reversed(exchanges))
    listing = (
        f"<details><summary>{plural(len(exchanges), 'exchange')}, the last one first</summary>"
        f"{evidence}</details>"
        if exchanges
        else "<p class='muted'>no exchange was recorded</p>"
    )
    return (
        f"<p class='test'>{esc(failure['test'])}</p><pre>{esc(failure['message'])}</pre>{listing}"
    )


def failure_article(req: dict[str, Any]) -> str:
    deviation = req.get("expected_failure")
    note = f"<p><b>Known deviation:</b> {esc(deviation['reason'])}</p>" if deviation else ""
    return (
        f'<article id="{esc(anchor(req))}" class="{"expected" if deviation else "failed"}">'
        f"<h3>{badge(req['status'])} {esc(req['id'])} {esc(req['level'])} "
        f"<span class='muted'>· {esc(req['operation'])}</span></h3>"
        f"<p>{esc(req['statement'])}</p>{note}"
        + "".join(failure_block(f) for f in req["failures"])
        + "</article>"
    )


def failures_section(requirements: list[dict[str, Any]]) -> str:
    failing = [r for r in requirements if r["status"] in FAILING]
    failing.sort(key=lambda r: (r["status"] != "failed", r["level"] != "MUST", r["id"]))
    body = "".join(failure_article(r) for r in failing) or "<p>No requirement failed.</p>"
    return f'<section id="failures"><h2>Failures ({len(failing)})</h2>{body}</section>'


def errors_section(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return ""
    items = "".join(
        f"<li><span class='test'>{esc(e['test'] or 'the run')}</span> "
        f"<span class='muted'>({esc(e['kind'])})</span><pre>{esc(e['message'])}</pre></li>"
        for e in errors
    )
    return (
        f'<section id="errors"><h2>Run errors ({len(errors)})</h2><p>These are troubles of the '
        "run itself, not of the server: they make the verdict inconclusive.</p>"
        f"<details{' open' if len(errors) <= 5 else ''}><summary>{plural(len(errors), 'error')}"
        f"</summary><ul>{items}</ul></details></section>"
    )


# -- deviations, comparison, observations, the full list -----------------------------------


def deviations_section(requirements: list[dict[str, Any]]) -> str:
    known = [r for r in requirements if r.get("expected_failure")]
    if not known:
        return ""
    rows = "".join(
        f"<tr><td class='mono'><a href='#{esc(anchor(r))}'>{esc(r['id'])}</a></td>"
        f"<td>{esc(r['expected_failure']['state'])}</td>"
        f"<td>{esc(r['expected_failure']['reason'])}</td></tr>"
        for r in known
    )
    return (
        '<section id="deviations"><h2>Known deviations</h2><p>Listed by the vendor '
        "(--expect-fail): they do not fail the CI gate. A deviation that now passes can be "
        "removed from the file.</p><table><thead><tr><th>requirement</th><th>state</th>"
        f"<th>reason</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def comparison_section(comparison: dict[str, Any] | None) -> str:
    if not comparison:
        return ""
    base = comparison["baseline"]
    parts = [
        f"<p>Baseline: run {esc(base['run_id'])} of {esc(base['started_at'])} "
        f"({esc(base['verdict'])}), target {esc(base['target'])}.</p>"
    ]
    parts += [f"<p class='muted'>Note: {esc(w)}.</p>" for w in comparison["warnings"]]
    for key, title in (
        ("regressions", "Regressions: passed in the baseline, fail now"),
        ("newly_passing", "Newly passing"),
        ("still_failing", "Still failing"),
        ("other_changes", "Other changes"),
    ):
        rows = comparison[key]
        items = "".join(
            f"<li><span class='mono'>{esc(r['id'])}</span> {esc(r['level'])}: "
            f"{esc(r['before'] or 'absent')} → {esc(r['now'])}. {esc(r['statement'])}</li>"
            for r in rows
        )
        parts.append(f"<h3>{esc(title)} ({len(rows)})</h3><ul>{items}</ul>" if rows else "")
    return f'<section id="comparison"><h2>Compared with the baseline</h2>{"".join(parts)}</section>'


def choices_section(choices: list[dict[str, Any]]) -> str:
    """Observed choices: one line per open point of the documentation, as the target chose."""
    if not choices:
        return ""
    items = "".join(f"<li><b>{esc(c['label'])}</b>: {esc(c['choice'])}</li>" for c in choices)
    return (
        '<section id="choices"><h2>Observed choices</h2><p>What this server chose where the '
        f"documentation leaves the answer open (every such answer passes).</p><ul>{items}</ul>"
        "</section>"
    )


def observations_section(observations: list[dict[str, Any]]) -> str:
    intro = (
        "<p>Where the documentation leaves a choice open, the suite accepts every reasonable "
        "answer and records which one this server chose.</p>"
    )
    if not observations:
        intro += "<p>None recorded.</p>"
    rows = []
    for topic in observations:
        for number, seen in enumerate(topic["values"]):
            tests = "".join(f"<div class='test'>{esc(t)}</div>" for t in seen["tests"])
            head = (
                f"<td rowspan='{len(topic['values'])}'>{esc(topic['topic'])}</td>"
                if not number
                else ""
            )
            rows.append(
                f"<tr>{head}<td><pre>{esc(show_value(seen['value']))}</pre></td>"
                f"<td>{seen['count']}</td><td><details><summary>"
                f"{plural(len(seen['tests']), 'test')}</summary>{tests}</details></td></tr>"
            )
    table = (
        "<table class='obs'><thead><tr><th>where the docs leave a choice</th>"
        "<th>this server's answer</th>"
        f"<th>times</th><th>seen in</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return (
        f'<section id="observations"><h2>Observed behaviours</h2>{intro}'
        f"{table if rows else ''}</section>"
    )


def all_requirements(requirements: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr id='req-{esc(r['id'])}'><td class='mono'>{esc(r['id'])}</td>"
        f"<td>{esc(r['level'])}</td>"
        f"<td>{badge(r['status'])}</td><td>{esc(r['statement'])}"
        f"<div class='muted'>{esc(r['source'])}: {esc(r['ref'])}</div></td>"
        f"<td>{esc(r['operation'])}</td><td>{len(r['tests'])}</td></tr>"
        for r in requirements
    )
    return (
        '<section id="all"><h2>All requirements</h2><table class="all"><thead><tr><th>ID</th>'
        "<th>level</th><th>status</th><th>statement</th><th>operation</th><th>tests</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


# -- problems and coverage ---------------------------------------------------------------------


def problem_tile(requirement_id: str, by_id: dict[str, dict[str, Any]]) -> str:
    req = by_id.get(requirement_id)
    if req is None:
        return f"<span class='mono'>{esc(requirement_id)}</span>"
    return tile(req)


def problem_article(problem: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    confirmation = problem["confirmation"]
    state = confirmation["status"]
    example = problem["example"]
    tiles = "".join(problem_tile(r, by_id) for r in problem["requirements"])
    reproduce = (
        f"<p>Reproduce: <code>bash {esc(problem['script'])}</code> with $TICONF_TARGET, "
        "$TICONF_API_KEY and $TICONF_API_SECRET set, or "
        f"<code>ticonf replay REPORT_DIR {esc(problem['id'])}</code>.</p>"
        if problem.get("script")
        else f"<p>Reproduce: <code>ticonf replay REPORT_DIR {esc(problem['id'])}</code> "
        "cannot replay it either; the exchanges below are the evidence.</p>"
    )
    oracle = problem.get("oracle") or {}
    expectation = (
        f"<p><b>Expected:</b> {esc(oracle.get('expected', ''))}. <b>Received:</b> "
        f"{esc(oracle.get('recorded_status'))} "
        f"<span class='answer'>{esc(oracle.get('recorded_body', '')[:160])}</span></p>"
        if oracle
        else ""
    )
    others = [t for t in problem["tests"] if t != example["test"]]
    also = (
        f"<details><summary>also seen by {plural(len(others), 'other test')}</summary>"
        + "".join(f"<div class='test'>{esc(t)}</div>" for t in others)
        + "</details>"
        if others
        else ""
    )
    return (
        f'<article id="{esc(problem["id"])}" class="problem state-{esc(state)}">'
        f"<h3><span class='badge c-{esc(state)}'>{esc(state.upper())}</span> "
        f"<span class='pid'>{esc(problem['id'])}</span> {esc(problem['title'])}</h3>"
        f"<p>Violates {tiles} <span class='muted'>· operation {esc(problem['operation'])} · "
        f"{plural(len(problem['tests']), 'failing test')}</span></p>"
        f"<p><b>Replay:</b> {esc(confirmation['note'])}</p>"
        f"{expectation}{reproduce}"
        f"<details><summary>Minimal example: {esc(example['test'])}</summary>"
        f"{failure_block(example)}</details>{also}</article>"
    )


def problems_section(report: dict[str, Any]) -> str:
    problems = report.get("problems")
    if problems is None:
        return ""
    by_id = {r["id"]: r for r in report["requirements"]}
    body = "".join(problem_article(p, by_id) for p in problems)
    intro = (
        "<p class='muted'>Failures grouped by the deviation they show: one wrong answer often "
        "breaks several requirements. Each problem's minimal example was replayed on fresh "
        "scratch resources: <b>confirmed</b> when it reproduced every time, <b>flaky</b> when "
        "not, <b>not-replayed</b> when the record does not allow a faithful replay.</p>"
        if problems
        else "<p>No requirement failed.</p>"
    )
    return f'<section id="problems"><h2>Problems ({len(problems)})</h2>{intro}{body}</section>'


def _mark(seen: bool) -> str:
    return "<span class='yes'>✓</span>" if seen else "<span class='no'>✗</span>"


def _marks(values: dict[str, bool]) -> str:
    return " ".join(f"{_mark(seen)}&nbsp;{esc(name)}" for name, seen in values.items()) or "–"


def coverage_section(coverage: dict[str, Any] | None) -> str:
    if not coverage:
        return ""
    rows = []
    for entry in coverage["operations"]:
        enums = "<br>".join(
            f"{esc(name)}: {_marks(values)}" for name, values in entry["enums"].items()
        )
        statuses = " ".join(
            f"{_mark(count > 0)}&nbsp;{esc(code)}" for code, count in entry["statuses"].items()
        )
        extra = ", ".join(f"{esc(c)} ×{n}" for c, n in entry["undocumented_statuses"].items())
        rows.append(
            f"<tr><th>{esc(entry['operation'])}</th><td>{entry['requests']}</td>"
            f"<td>{_marks(entry['parameters'])}</td><td>{_marks(entry['body_fields'])}</td>"
            f"<td>{enums or '–'}</td><td>{statuses}"
            f"{'<div>undocumented: ' + extra + '</div>' if extra else ''}</td></tr>"
        )
    warnings = "".join(f"<p class='warn'>Warning: {esc(w)}.</p>" for w in coverage["warnings"])
    return (
        '<section id="coverage"><h2>Coverage of the documentation</h2><p>What of each '
        "operation's documented surface the run's requests used (✓) or never used (✗), and "
        f"which documented response codes it saw ({coverage['exchanges']} exchanges).</p>"
        f"{warnings}<table class='cov'><thead><tr><th>operation</th><th>requests</th>"
        "<th>query parameters</th><th>body fields</th><th>enum values</th>"
        f"<th>response codes seen</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</section>"
    )


def render_html(report: dict[str, Any]) -> str:
    """The whole page for one report.json document."""
    requirements = report["requirements"]
    body = "".join(
        [
            problems_section(report),
            counts_table(report),
            matrix(requirements),
            comparison_section(report.get("comparison")),
            failures_section(requirements),
            errors_section(report["errors"]),
            deviations_section(requirements),
            choices_section(report.get("observed_choices") or []),
            observations_section(report["observations"]),
            coverage_section(report.get("coverage")),
            all_requirements(requirements),
        ]
    )
    title = f"ticonf {report['verdict']}: {report['run']['target']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"{header(report)}<main>{body}</main></body></html>\n"
    )
