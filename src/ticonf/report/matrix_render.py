"""compare.html and compare.md: the compatibility matrix (compare.py) for people and CI pages.

compare.html is one self-contained page like report.html: no script, no external asset, a
Content-Security-Policy that forbids both, and every value escaped (`esc`), since labels,
choices and observed values come from reports and servers. compare.md fits a CI job summary:
the targets, then only the rows where they differ (the full table is in compare.html).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from ticonf.report.html import CSP, STYLE, esc
from ticonf.report.markdown import md
from ticonf.report.matrix import cell_word
from ticonf.report.text import plural

MATRIX_STYLE = """
.mx{table-layout:auto}.mx td,.mx th{white-space:nowrap}
.mx td.stmt{white-space:normal;min-width:260px;max-width:520px;color:#57606a;font-size:13px}
.mx th.col{text-align:center;min-width:120px}.mx td.c{text-align:center}
.mx tr.op th{background:#eaeef2;text-align:left;font-size:13px;text-transform:none}
.mx tr.differs td.id{box-shadow:inset 4px 0 0 #bf8700}
.mx tr.idle td{opacity:.55}.mx td.id a{color:inherit;text-decoration:none}
.mx th.col a{color:inherit}.spaced{margin-top:10px}
.topic{font:11px ui-monospace,monospace;color:#57606a;font-weight:400}
.mx .tile{min-width:96px;text-align:center}
.mx .changed{outline:3px solid #0969da;outline-offset:1px}
.mark{font:11px ui-monospace,monospace;color:#0969da;font-weight:700;margin-left:3px}
.s-absent{background:#fff;color:#8c959f;border:1px dashed var(--line)}
.ch td.v{font-size:13px;overflow-wrap:anywhere;min-width:140px}
.ch tr.diff-ok td{background:#fff8c5}.ch tr.diff td{background:#ffebe9}
.ch td.none{color:#8c959f}.ch tr td.nc{color:#8c959f;font-style:italic;background:#fff}
.who td,.who th{white-space:nowrap}.who td.why{white-space:normal;font-size:13px}
.key{display:flex;flex-wrap:wrap;gap:6px 16px;margin:6px 0 10px;font-size:13px}
.swatch{display:inline-block;width:14px;height:14px;vertical-align:-2px;border-radius:3px;
margin-right:4px}
header.top.mixed{background:#24292f}
.v-conformant{background:var(--passed)}.v-nonconformant{background:var(--failed)}
.v-inconclusive{background:var(--error)}
"""


def verdict_badge(verdict: str) -> str:
    return f'<span class="badge v-{esc(verdict)}">{esc(verdict.upper())}</span>'


OPERATION_TITLES = {
    "all": "Every operation",
    "add": "Add an image",
    "replace-pairs": "Replace all pairs",
    "replace": "Replace one image",
    "delete": "Delete one image",
}
NOT_RUN = ("untested", "skipped", "absent")
DELTA = '<span class="mark" title="changed since the previous column">Δ</span>'


def _history(doc: dict[str, Any]) -> bool:
    return doc.get("mode") == "history"


def _title(doc: dict[str, Any]) -> str:
    if _history(doc):
        labels = [t["label"] for t in doc["targets"]]
        return f"History: {labels[0]} → {labels[-1]}"
    return "Compatibility matrix"


def _verdict_class(targets: list[dict[str, Any]]) -> str:
    verdicts = {t["verdict"] for t in targets}
    return verdicts.pop() if len(verdicts) == 1 else "mixed"


def _problems_text(target: dict[str, Any]) -> str:
    count = target["problems"]
    return "unknown (older report)" if count is None else plural(count, "problem")


def _header(doc: dict[str, Any]) -> str:
    targets = doc["targets"]
    tally: dict[str, int] = {}
    for target in targets:
        tally[target["verdict"]] = tally.get(target["verdict"], 0) + 1
    figures = ", ".join(f"{n} {verdict}" for verdict, n in tally.items())
    return (
        f'<header class="top {esc(_verdict_class(targets))}"><h1>{esc(_title(doc))}</h1>'
        f"<p>{esc(plural(len(targets), 'target'))}: {esc(figures)} · "
        f"{esc(plural(len(doc['requirements']), 'requirement'))} · generated "
        f"{esc(doc['generated_at'])}</p></header>"
    )


def _targets(doc: dict[str, Any]) -> str:
    rows = []
    for target in doc["targets"]:
        report = target["report_html"]
        link = f'<a href="{esc(report)}">report</a>' if report else "no report.html"
        failed = ", ".join(target["must_failed"]) or "none"
        problems = esc(_problems_text(target))
        if report and target["problems"]:
            problems = f'<a href="{esc(report)}#problems">{problems}</a>'
        rows.append(
            f"<tr><th>{esc(target['label'])}</th><td>{verdict_badge(target['verdict'])}</td>"
            f"<td>{problems}</td><td class='why'>{esc(failed)}</td>"
            f"<td class='mono'>{esc(target['target'])}</td><td>{esc(target['started_at'])}</td>"
            f"<td>{link}</td></tr>"
        )
    return (
        '<section id="targets"><h2>Targets</h2><table class="who"><thead><tr><th>target</th>'
        "<th>verdict</th><th>problems</th><th>MUST failed</th><th>URL</th><th>run started</th>"
        f"<th></th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _warnings(doc: dict[str, Any]) -> str:
    if not doc["warnings"]:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in doc["warnings"])
    return f'<div class="warn"><strong>Read with care:</strong><ul>{items}</ul></div>'


def _cell(cell: dict[str, Any], history: bool) -> str:
    status = cell["status"]
    text = cell_word(status)
    if cell["problems"]:
        text += " · " + cell["problems"][0]
    changed = history and cell["changed"]
    css = f"tile s-{status}" + (" changed" if changed else "")
    body = esc(text)
    if cell["link"]:
        body = f'<a class="{esc(css)}" href="{esc(cell["link"])}">{body}</a>'
    else:
        body = f'<span class="{esc(css)}">{body}</span>'
    return f'<td class="c">{body}{DELTA if changed else ""}</td>'


def _key(history: bool) -> str:
    shown = ("passed", "failed", "expected-failure", "error", "untested")
    swatches = "".join(
        f'<span><span class="swatch s-{s}"></span>{esc(cell_word(s))}</span>' for s in shown
    )
    marks = (
        f"<span>{DELTA} changed since the previous column</span>"
        if history
        else '<span><span class="swatch" style="background:#bf8700"></span>the targets differ'
        "</span>"
    )
    return f'<div class="key">{swatches}{marks}</div>'


def _heads(doc: dict[str, Any]) -> str:
    cells = []
    for target in doc["targets"]:
        label = esc(target["label"])
        if target["report_html"]:
            label = f'<a href="{esc(target["report_html"])}">{label}</a>'
        cells.append(f'<th class="col">{label}</th>')
    return "".join(cells)


def _requirement_row(row: dict[str, Any], history: bool, anchor: bool = True) -> str:
    cells = "".join(_cell(c, history) for c in row["cells"])
    idle = all(c["status"] in NOT_RUN for c in row["cells"])
    css = " ".join(n for n, on in (("differs", row["differs"]), ("idle", idle)) if on)
    where = f' id="row-{esc(row["id"])}"' if anchor else ""
    return (
        f'<tr class="{css}"{where}><td class="id mono">'
        f'<a href="#row-{esc(row["id"])}">{esc(row["id"])}</a></td><td>{esc(row["level"])}</td>'
        f'<td class="stmt">{esc(row["statement"])}</td>{cells}</tr>'
    )


def _matrix(doc: dict[str, Any]) -> str:
    history = _history(doc)
    width = 3 + len(doc["targets"])
    body = []
    for operation, rows in groupby(doc["requirements"], key=lambda r: r["operation"]):
        title = OPERATION_TITLES.get(operation, operation or "other")
        body.append(f'<tr class="op"><th colspan="{width}">{esc(title)}</th></tr>')
        body += [_requirement_row(row, history) for row in rows]
    idle = sum(
        1 for row in doc["requirements"] if all(c["status"] in NOT_RUN for c in row["cells"])
    )
    intro = (
        "<p>A cell links to the evidence in that target's report: its problem card, or the "
        "requirement's row. "
        + (f"{esc(plural(idle, 'requirement'))} no run checked are greyed out. " if idle else "")
        + "</p>"
    )
    return (
        f'<section id="matrix"><h2>Requirements by target</h2>{intro}{_key(history)}'
        f'<table class="mx"><thead><tr><th>ID</th><th>level</th><th>requirement</th>'
        f"{_heads(doc)}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _differences(doc: dict[str, Any]) -> str:
    """The rows a reader came for, first: requirements and choices that differ."""
    history = _history(doc)
    rows = [row for row in doc["requirements"] if row["differs"]]
    choices = [row for row in doc["choices"] if row["differs"]]
    what = "changed between the columns" if history else "differ between the targets"
    head = (
        f"<p>{esc(plural(len(rows), 'requirement'))} of {len(doc['requirements'])} and "
        f"{esc(plural(len(choices), 'observed choice'))} of {len(doc['choices'])} {what}.</p>"
    )
    parts = [head]
    if rows:
        parts.append(
            '<table class="mx"><thead><tr><th>ID</th><th>level</th><th>requirement</th>'
            f"{_heads(doc)}</tr></thead><tbody>"
            + "".join(_requirement_row(row, history, anchor=False) for row in rows)
            + "</tbody></table>"
        )
    if choices:
        heads = "".join(f"<th>{esc(t['label'])}</th>" for t in doc["targets"])
        lines = "".join(_value_row(doc, r, r["label"], r["topic"]) for r in choices)
        parts.append(
            f'<table class="ch spaced"><thead><tr><th>open point</th>{heads}</tr></thead>'
            f"<tbody>{lines}</tbody></table>"
        )
    return f'<section id="differences"><h2>Where they differ</h2>{"".join(parts)}</section>'


def _value_row(
    doc: dict[str, Any], row: dict[str, Any], label: str, topic: str | None = None
) -> str:
    """One open point across the targets; a nonconformant target's value is shown muted (its
    choice is no evidence of what a conformant server may do)."""
    cells = []
    history = _history(doc)
    for value, changed, target in zip(row["values"], row["changed"], doc["targets"], strict=True):
        mark = DELTA if history and changed else ""
        muted = target["verdict"] != "conformant"
        if value is None:
            cells.append('<td class="v none">not observed</td>')
        elif muted:
            note = f"{target['verdict']} target"
            cells.append(f'<td class="v nc" title="{esc(note)}">{esc(value)}{mark}</td>')
        else:
            cells.append(f'<td class="v">{esc(value)}{mark}</td>')
    css = "diff-ok" if row["conformant_difference"] else ("diff" if row["differs"] else "")
    note = f'<div class="topic">{esc(topic)}</div>' if topic and topic != label else ""
    return f'<tr class="{css}"><th>{esc(label)}{note}</th>{"".join(cells)}</tr>'


def _choices(doc: dict[str, Any]) -> str:
    heads = "".join(f"<th>{esc(t['label'])}</th>" for t in doc["targets"])
    rows = [_value_row(doc, row, row["label"], row["topic"]) for row in doc["choices"]]
    differing = [row for row in doc["choices"] if row["conformant_difference"]]
    verb = "differs" if len(differing) == 1 else "differ"
    intro = (
        "<p>What each target chose where the documentation leaves the choice open. "
        f"<mark>{esc(plural(len(differing), 'choice'))}</mark> {verb} between conformant "
        "targets (yellow): both are legal, yet a client written against one of them may break "
        "on the other. Red rows differ only where a nonconformant or inconclusive target "
        "is involved; such a target's values are in grey italics.</p>"
    )
    if not rows:
        rows = [f'<tr><td colspan="{1 + len(doc["targets"])}">no choice observed</td></tr>']
    table = (
        f'<table class="ch"><thead><tr><th>open point</th>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return f'<section id="choices"><h2>Observed choices</h2>{intro}{table}</section>'


def _observations(doc: dict[str, Any]) -> str:
    if not doc["observations"]:
        return ""
    heads = "".join(f"<th>{esc(t['label'])}</th>" for t in doc["targets"])
    rows = "".join(_value_row(doc, row, row["topic"]) for row in doc["observations"])
    return (
        '<section id="observations"><details><summary>Other observed behaviours '
        f"({len(doc['observations'])} topics)</summary><table class='ch'><thead><tr>"
        f"<th>topic</th>{heads}</tr></thead><tbody>{rows}</tbody></table></details></section>"
    )


def _changes(doc: dict[str, Any]) -> str:
    if not doc["changes"] or not _history(doc):
        return ""
    items = []
    for change in doc["changes"]:
        parts = [
            plural(len(change[key]), what) + (f" ({', '.join(change[key])})" if change[key] else "")
            for key, what in (
                ("regressions", "regression"),
                ("newly_passing", "newly passing requirement"),
                ("other_changes", "other change"),
            )
        ]
        items.append(f"<li><strong>{esc(change['from'])} → {esc(change['to'])}</strong>: "
                     f"{esc('; '.join(parts))}</li>")  # fmt: skip
    return (
        '<section id="changes"><h2>From one release to the next</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def render_compare_html(doc: dict[str, Any]) -> str:
    parts = [
        _header(doc),
        "<main>",
        _warnings(doc),
        _targets(doc),
        _differences(doc),
        _changes(doc),
        _matrix(doc),
        _choices(doc),
        _observations(doc),
        "</main>",
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>ticonf compatibility matrix</title><style>{STYLE}{MATRIX_STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


# -- compare.md ----------------------------------------------------------------------------

MD_MARK = {
    "passed": "✅",
    "failed": "❌",
    "expected-failure": "🟣",
    "error": "⚠️",
    "skipped": "⚪",
    "untested": "⚪",
    "absent": "·",
}


def _md_cell(cell: dict[str, Any], history: bool) -> str:
    text = f"{MD_MARK.get(cell['status'], '')} {cell_word(cell['status'])}"
    if cell["problems"]:
        text += f" ({cell['problems'][0]})"
    return md(text + (" Δ" if history and cell["changed"] else ""), 60)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render_compare_markdown(doc: dict[str, Any]) -> str:
    labels = [md(t["label"], 40) for t in doc["targets"]]
    what = "history" if _history(doc) else "compatibility matrix"
    lines = [f"## ticonf {what}: {plural(len(labels), 'target')}", ""]
    lines += [f"> {md(w, 300)}\n" for w in doc["warnings"]]
    lines += _md_table(
        ["target", "verdict", "problems", "MUST failed"],
        [
            [
                f"**{md(t['label'], 40)}**",
                t["verdict"].upper(),
                md(_problems_text(t)),
                md(", ".join(t["must_failed"]) or "none", 200),
            ]
            for t in doc["targets"]
        ],
    )
    differing = [row for row in doc["requirements"] if row["differs"]]
    lines += ["", f"### Requirements that differ ({len(differing)} of {len(doc['requirements'])})"]
    if differing:
        rows = [
            [f"`{md(r['id'])}` {r['level']}", *(_md_cell(c, _history(doc)) for c in r["cells"])]
            for r in differing
        ]
        lines += ["", *_md_table(["requirement", *labels], rows)]
    else:
        lines += ["", "Every requirement has the same status on every target."]
    choices = [row for row in doc["choices"] if row["differs"]]
    lines += ["", f"### Observed choices that differ ({len(choices)} of {len(doc['choices'])})"]
    if choices:
        rows = [
            [
                md(row["label"], 60)
                + (" (legal both ways)" if row["conformant_difference"] else ""),
                *(md(v, 80) if v is not None else "–" for v in row["values"]),
            ]
            for row in choices
        ]
        lines += ["", *_md_table(["open point", *labels], rows)]
    else:
        lines += ["", "Every target made the same choices where it was observed."]
    moved = [c for c in doc["changes"] if c["regressions"] or c["newly_passing"]]
    moved = moved if _history(doc) else []
    lines += ["", "### From one release to the next", ""] if moved else []
    for change in moved:
        if change:
            lines.append(
                f"- {md(change['from'], 40)} → {md(change['to'], 40)}: "
                f"{len(change['regressions'])} regression(s)"
                + (
                    f" ({md(', '.join(change['regressions']), 200)})"
                    if change["regressions"]
                    else ""
                )
                + f", {len(change['newly_passing'])} newly passing"
            )
    key = "Δ: changed since the previous column. " if _history(doc) else ""
    lines += ["", f"{key}The full matrix is in compare.html."]
    return "\n".join(lines) + "\n"
