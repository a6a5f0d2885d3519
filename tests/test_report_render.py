"""The renderings of report.json: HTML (self-contained, escaped), Markdown, JUnit, console."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from report_kit import exchange, faulty_records, record, report_of

from ticonf.core.catalog import load_catalog
from ticonf.report import render_all
from ticonf.report.console import summary_lines
from ticonf.report.html import render_html
from ticonf.report.junit import render_junit
from ticonf.report.markdown import render_summary

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&\x00\x1b[31m'


def hostile_report() -> dict[str, Any]:
    """A failure whose server-made content tries to inject markup everywhere it can."""
    evil = exchange(
        body=HOSTILE,
        response_headers={"x-evil": HOSTILE},
        url=f"http://127.0.0.1:1/v1/models/{HOSTILE}",
    )
    records = [
        *faulty_records()[:2],
        record(
            "test_pairs.py::test_replaced_not_merged",
            ["PAIRS-002"],
            "failed",
            message=f"RequirementFailure: PAIRS-002: got {HOSTILE}",
            exchanges=[evil],
        ),
        record(
            "test_replace.py::t",
            ["REPLACE-001"],
            observations=[{"topic": f"topic {HOSTILE}", "value": {"k": HOSTILE}}],
        ),
    ]
    return report_of(records)


def test_html_escapes_everything_the_server_sent() -> None:
    page = render_html(hostile_report())
    assert "<script" not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "\x00" not in page and "\x1b" not in page


def test_html_is_self_contained() -> None:
    page = render_html(hostile_report())
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for pattern in (r"<link\b", r"<script\b", r"<[a-z]+\s[^>]*\bsrc=", r"@import", r"url\("):
        assert not re.search(pattern, page), pattern
    links = re.findall(r'href="([^"]*)"', page) + re.findall(r"href='([^']*)'", page)
    assert links and all(link.startswith("#") for link in links)


def test_html_shows_verdict_matrix_failures_and_observations() -> None:
    page = render_html(report_of(faulty_records()))
    assert "<h1>NONCONFORMANT</h1>" in page
    assert 'class="tile s-failed" href="#fail-PAIRS-002"' in page
    assert 'id="fail-PAIRS-002"' in page
    matrix = page[page.index('id="matrix"') : page.index('id="failures"')]
    tiles = matrix.count('class="tile')
    assert tiles == 6 + len(load_catalog()), "a legend of 6 statuses, one tile per requirement"
    assert "<th>MUST</th><th>SHOULD</th>" in matrix
    failures = page[page.index('id="failures"') : page.index('id="observations"')]
    assert '<details class="exchange">' in failures and "<details open" not in failures
    assert "curl -sS -X PUT" in failures
    assert "replace-keeps-id" in page[page.index('id="observations"') :]


def test_html_stays_compact_with_hundreds_of_requirements() -> None:
    report = report_of(faulty_records())
    template = report["requirements"][0]
    many = []
    for number in range(400):
        entry = copy.deepcopy(template)
        entry.update(id=f"BULK-{number:03d}", operation=("add", "delete")[number % 2])
        entry["level"] = ("MUST", "SHOULD")[number % 3 == 0]
        many.append(entry)
    report["requirements"] = many
    page = render_html(report)
    assert page.count("BULK-") >= 800, "a tile and a table row each"
    assert len(page) < 400_000


def test_markdown_summary_is_short_and_names_the_failures() -> None:
    text = render_summary(hostile_report())
    assert text.startswith("## ticonf: NONCONFORMANT")
    assert "| MUST |" in text and "| SHOULD |" in text
    (line,) = [line for line in text.splitlines() if line.startswith("- **PAIRS-002**")]
    (problem,) = [line for line in text.splitlines() if line.startswith("- **P1** ")]
    assert "(PAIRS-002)" in problem and "**1 problem violates 1 requirement**" in text
    assert "<script" not in text and "\x00" not in text
    assert "RequirementFailure" not in line
    assert len(text.splitlines()) < 30


def test_junit_has_one_case_per_requirement_and_parses_whatever_the_server_sent() -> None:
    report = hostile_report()
    root = ET.fromstring(render_junit(report).encode())
    cases = root.findall(".//testcase")
    assert len(cases) == len(report["requirements"])
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").split()[0] for c in failed] == ["PAIRS-002"]
    assert "curl" in failed[0].find("failure").text
    suite = root.find("testsuite")
    assert suite.get("failures") == "1" and suite.get("tests") == str(len(cases))


def test_junit_shows_an_inconclusive_run_as_an_error() -> None:
    records = [*faulty_records(), record("test_x.py::net", ["ADD-003"], "error", kind="network")]
    root = ET.fromstring(render_junit(report_of(records)).encode())
    run_case = root.find(".//testcase[@classname='ticonf.run']")
    assert run_case is not None and run_case.find("error") is not None
    add_003 = [c for c in root.iter("testcase") if c.get("name", "").startswith("ADD-003 ")]
    assert add_003[0].find("error") is not None


def test_console_summary_lists_failures_gate_and_paths(tmp_path: Path) -> None:
    report = report_of(faulty_records())
    written = render_all(report, tmp_path)
    lines = summary_lines(report, written)
    assert lines[0].startswith("verdict: NONCONFORMANT")
    assert any(line.startswith("  FAILED PAIRS-002 MUST") for line in lines)
    assert any(line.startswith("gate: FAILED (exit 1)") for line in lines)
    for path in written:
        assert f"  {path}" in lines
    assert [p.name for p in written] == ["report.json", "report.html", "summary.md", "junit.xml"]
