"""compare.html and compare.md: the compatibility matrix (matrix.py) for people and CI pages.

compare.html is one self-contained page like report.html, rendered from templates/compare.html.j2
by the same autoescaping environment (html.page_environment): labels, choices and observed values
come from reports and servers, and every value the template prints is escaped. This module only
computes the view model. compare.md fits a CI job summary: the targets, then only the rows where
they differ (the full table is in compare.html).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from ticonf.core.operations import OPERATIONS
from ticonf.core.vocabulary import Status, Verdict
from ticonf.report.html import View, render_page
from ticonf.report.markdown import md
from ticonf.report.matrix import ABSENT, cell_word
from ticonf.report.text import plural

OPERATION_TITLES = {"all": "Every operation", **{op.name: op.title for op in OPERATIONS}}
NOT_RUN = (Status.UNTESTED, Status.SKIPPED, ABSENT)
KEY_STATUSES = (
    Status.PASSED,
    Status.FAILED,
    Status.EXPECTED_FAILURE,
    Status.ERROR,
    Status.UNTESTED,
)


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


def _idle(row: dict[str, Any]) -> bool:
    return all(c["status"] in NOT_RUN for c in row["cells"])


def _header(doc: dict[str, Any]) -> View:
    targets = doc["targets"]
    tally: dict[str, int] = {}
    for target in targets:
        tally[target["verdict"]] = tally.get(target["verdict"], 0) + 1
    figures = ", ".join(f"{n} {verdict}" for verdict, n in tally.items())
    summary = (
        f"{plural(len(targets), 'target')}: {figures} · "
        f"{plural(len(doc['requirements']), 'requirement')} · generated {doc['generated_at']}"
    )
    return {"verdict_class": _verdict_class(targets), "title": _title(doc), "summary": summary}


def _target(target: dict[str, Any]) -> View:
    report = target["report_html"]
    return {
        "label": target["label"],
        "verdict": target["verdict"],
        "problems": _problems_text(target),
        "problems_link": f"{report}#problems" if report and target["problems"] else None,
        "must_failed": ", ".join(target["must_failed"]) or "none",
        "target": target["target"],
        "started_at": target["started_at"],
        "report": report,
    }


def _columns(doc: dict[str, Any]) -> list[View]:
    return [{"label": t["label"], "link": t["report_html"]} for t in doc["targets"]]


def _cell(cell: dict[str, Any], history: bool) -> View:
    text = cell_word(cell["status"])
    if cell["problems"]:
        text += " · " + cell["problems"][0]
    changed = history and cell["changed"]
    return {
        "css": f"tile s-{cell['status']}" + (" changed" if changed else ""),
        "text": text,
        "link": cell["link"],
        "changed": changed,
    }


def _requirement_row(row: dict[str, Any], history: bool) -> View:
    flags = (("differs", row["differs"]), ("idle", _idle(row)))
    return {
        "css": " ".join(name for name, on in flags if on),
        "id": row["id"],
        "level": row["level"],
        "statement": row["statement"],
        "cells": [_cell(c, history) for c in row["cells"]],
    }


def _matrix(doc: dict[str, Any]) -> View:
    """The requirement rows grouped by operation, and the key to their colours."""
    history = _history(doc)
    groups = [
        {
            "title": OPERATION_TITLES.get(operation, operation or "other"),
            "rows": [_requirement_row(row, history) for row in rows],
        }
        for operation, rows in groupby(doc["requirements"], key=lambda r: r["operation"])
    ]
    idle = sum(1 for row in doc["requirements"] if _idle(row))
    return {
        "groups": groups,
        "idle": plural(idle, "requirement") if idle else "",
        "swatches": [(status, cell_word(status)) for status in KEY_STATUSES],
    }


def _differences(doc: dict[str, Any]) -> View:
    """The rows a reader came for, first: requirements and choices that differ."""
    history = _history(doc)
    rows = [_requirement_row(row, history) for row in doc["requirements"] if row["differs"]]
    choices = [
        _value_row(doc, row, row["label"], row["topic"]) for row in doc["choices"] if row["differs"]
    ]
    what = "changed between the columns" if history else "differ between the targets"
    summary = (
        f"{plural(len(rows), 'requirement')} of {len(doc['requirements'])} and "
        f"{plural(len(choices), 'observed choice')} of {len(doc['choices'])} {what}."
    )
    return {
        "summary": summary,
        "groups": [{"title": None, "rows": rows}] if rows else [],
        "choices": choices,
    }


def _value_row(
    doc: dict[str, Any], row: dict[str, Any], label: str, topic: str | None = None
) -> View:
    """One open point across the targets; a nonconformant target's value is shown muted (its
    choice is no evidence of what a conformant server may do)."""
    history = _history(doc)
    cells = [
        {
            "value": value,
            "muted": f"{target['verdict']} target"
            if target["verdict"] != Verdict.CONFORMANT
            else None,
            "changed": history and changed,
        }
        for value, changed, target in zip(
            row["values"], row["changed"], doc["targets"], strict=True
        )
    ]
    css = "diff-ok" if row["conformant_difference"] else ("diff" if row["differs"] else "")
    return {
        "css": css,
        "label": label,
        "topic": topic if topic and topic != label else None,
        "cells": cells,
    }


def _choices(doc: dict[str, Any]) -> View:
    differing = [row for row in doc["choices"] if row["conformant_difference"]]
    return {
        "rows": [_value_row(doc, row, row["label"], row["topic"]) for row in doc["choices"]],
        "differing": plural(len(differing), "choice"),
        "verb": "differs" if len(differing) == 1 else "differ",
    }


def _changes(doc: dict[str, Any]) -> list[View]:
    if not _history(doc):
        return []
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
        items.append({"before": change["from"], "after": change["to"], "text": "; ".join(parts)})
    return items


def compare_view(doc: dict[str, Any]) -> View:
    """Everything compare.html.j2 shows, computed from one compare.json document."""
    return {
        "header": _header(doc),
        "history": _history(doc),
        "warnings": doc["warnings"],
        "targets": [_target(t) for t in doc["targets"]],
        "columns": _columns(doc),
        "differences": _differences(doc),
        "changes": _changes(doc),
        "matrix": _matrix(doc),
        "choices": _choices(doc),
        "observations": [_value_row(doc, row, row["topic"]) for row in doc["observations"]],
    }


def render_compare_html(doc: dict[str, Any]) -> str:
    return render_page("compare.html.j2", compare_view(doc))


# -- compare.md ----------------------------------------------------------------------------

MD_MARK = {
    Status.PASSED: "✅",
    Status.FAILED: "❌",
    Status.EXPECTED_FAILURE: "🟣",
    Status.ERROR: "⚠️",
    Status.SKIPPED: "⚪",
    Status.UNTESTED: "⚪",
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
