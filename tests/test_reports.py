"""Reports of real runs: `ticonf run` against a faulty reference server (Replace Pairs appends).

Each run selects the tests of a few requirements (the sweep plugin's requirement filter, which
also drops hypothesis' shrink phase) so that it takes seconds; every report file it writes is
then checked as its reader would: JSON against its schema, JUnit with an XML parser, Markdown
as text, HTML in headless Chromium, and every file for the run's credentials.
"""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_kit import Run, narrow_run, one_line_error, target_options, ticonf

from ticonf.reference.server import running_server
from ticonf.report.inputs import schema_problems

API_KEY = "vendor-key-7"
API_SECRET = "Zq9-not-the-default-secret"
TOKEN = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
CHECKED = ("PAIRS-006", "PAIRS-002")  # PAIRS-002 fails against pairs-append, PAIRS-006 passes
REPORT_FILES = ("report.json", "report.html", "summary.md", "junit.xml", "pytest.log")
CHROMIUM = "/usr/bin/chromium"


def run_against(base_url: str, report_dir: Path, *options: str) -> Run:
    target = target_options(base_url, API_KEY, API_SECRET)
    return narrow_run(report_dir, CHECKED, *target, *options)


@pytest.fixture(scope="module")
def faulty_base_url() -> Iterator[str]:
    with running_server(fault="pairs-append", api_key=API_KEY, api_secret=API_SECRET) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def faulty_run(faulty_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_against(faulty_base_url, tmp_path_factory.mktemp("faulty") / "reports")


# -- a faulty run and its reports ----------------------------------------------------------


def test_a_faulty_run_fails_the_gate_and_says_why(faulty_run: Run) -> None:
    out = faulty_run.result.stdout
    assert faulty_run.result.returncode == 1, out + faulty_run.result.stderr
    assert "verdict: NONCONFORMANT" in out
    assert "  FAILED PAIRS-002 MUST:" in out
    assert "gate: FAILED (exit 1)" in out
    for name in REPORT_FILES:
        assert f"  {faulty_run.report_dir / name}\n" in out


def test_report_json_matches_its_schema_and_carries_the_evidence(faulty_run: Run) -> None:
    report = faulty_run.report
    assert schema_problems(report) == []
    assert report["verdict"] == "nonconformant"
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id["PAIRS-006"]["status"] == "passed"
    failure = by_id["PAIRS-002"]["failures"][0]
    proof = failure["exchanges"][-1]
    assert (proof["method"], proof["url"].endswith("/training-images/pairs")) == ("PUT", True)
    assert proof["curl"].startswith("curl ") and "$TICONF_API_SECRET" in proof["curl"]
    assert report["run"]["target"] == report["run"]["target"].rstrip("/")
    assert report["run"]["tests"] >= 2 and report["run"]["requests"] > 0


def test_junit_parses_and_names_the_failed_requirement(faulty_run: Run) -> None:
    root = ET.parse(faulty_run.report_dir / "junit.xml").getroot()
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert len(failed) >= 1 and failed[0].startswith("PAIRS-002 MUST: ")
    assert all(name.split()[0] != "PAIRS-006" for name in failed)


def test_summary_md_carries_the_verdict_and_failed_ids(faulty_run: Run) -> None:
    text = (faulty_run.report_dir / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("## ticonf: NONCONFORMANT")
    assert "- **PAIRS-002** MUST" in text
    assert "PAIRS-006" not in text, "a passing requirement is no failing one"


def test_no_file_of_the_run_holds_the_credentials(faulty_run: Run) -> None:
    written = [p for p in faulty_run.report_dir.rglob("*") if p.is_file()]
    assert {"report.json", "pytest.log"} <= {p.name for p in written}
    assert any(p.parent.name == "raw" for p in written)
    for secret in (API_SECRET, f"Basic {TOKEN}", TOKEN):
        assert secret != "" and len(secret) > 10
        for path in written:
            assert secret.encode() not in path.read_bytes(), f"{secret!r} in {path}"
        assert secret not in faulty_run.result.stdout + faulty_run.result.stderr


# -- the HTML report in a browser ----------------------------------------------------------


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
    ]  # fmt: skip
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


def png_size_and_first_row(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and the pixels of the first row of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        header = body if kind == b"IHDR" else header
        chunks += body if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6)
    channels = 4 if color == 6 else 3
    raw = zlib.decompressobj().decompress(chunks, 1 + width * channels)
    kind, row = raw[0], bytearray(raw[1 : 1 + width * channels])
    for i in range(len(row)):  # the first row: the row above is zeros
        left = row[i - channels] if i >= channels else 0
        row[i] = (row[i] + {0: 0, 1: left, 2: 0, 3: left // 2, 4: left}[kind]) % 256
    pixels = [tuple(row[i : i + 3]) for i in range(0, len(row), channels)]
    return width, height, pixels


def test_report_html_renders_in_headless_chromium(faulty_run: Run, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "install chromium: make browser"
    page = (faulty_run.report_dir / "report.html").as_uri()
    shot = tmp_path / "report.png"
    taken = chromium(
        f"--screenshot={shot}", "--window-size=1280,1600", page, profile=tmp_path / "a"
    )
    assert shot.is_file(), taken.stderr[-2000:]
    width, height, first_row = png_size_and_first_row(shot.read_bytes())
    assert (width, height) == (1280, 1600)
    red, green, blue = first_row[20]
    assert red > 150 and green < 80 and blue < 90, "the header shows the verdict's red"
    dom = chromium("--dump-dom", page, profile=tmp_path / "b").stdout
    assert "<h1>NONCONFORMANT</h1>" in dom
    assert 'id="fail-PAIRS-002"' in dom and "PAIRS-002" in dom
    assert "Observed behaviours" in dom


# -- the regression gate and known deviations ----------------------------------------------


def baseline_where_pairs_002_passed(report: dict, path: Path) -> Path:
    """The faulty run's report as an earlier run in which PAIRS-002 passed, PAIRS-006 failed."""
    old = json.loads(json.dumps(report))
    by_id = {r["id"]: r for r in old["requirements"]}
    pairs_006, pairs_002 = by_id["PAIRS-006"], by_id["PAIRS-002"]
    pairs_006["status"], pairs_006["failures"] = "failed", pairs_002["failures"]
    pairs_002["status"], pairs_002["failures"] = "passed", []
    old["run"]["run_id"] = "last-release"
    path.write_text(json.dumps(old), encoding="utf-8")
    return path


def test_baseline_gate_fails_only_on_regressions(
    faulty_base_url: str, faulty_run: Run, tmp_path: Path
) -> None:
    baseline = baseline_where_pairs_002_passed(faulty_run.report, tmp_path / "old.json")
    run = run_against(faulty_base_url, tmp_path / "reports", "--baseline", str(baseline))
    out = run.result.stdout
    assert run.result.returncode == 1, out + run.result.stderr
    assert "  REGRESSION PAIRS-002 MUST: passed -> failed" in out
    assert "  NOW PASSING PAIRS-006 MUST: failed -> passed" in out
    comparison = run.report["comparison"]
    assert [r["id"] for r in comparison["regressions"]] == ["PAIRS-002"]
    assert schema_problems(run.report) == []
    assert "Regressions" in (run.report_dir / "summary.md").read_text()

    same = run_against(
        faulty_base_url,
        tmp_path / "again",
        "--baseline",
        str(faulty_run.report_dir / "report.json"),
    )
    assert same.result.returncode == 0, "PAIRS-002 failed in the baseline too: no regression"
    assert "verdict: NONCONFORMANT" in same.result.stdout
    assert "gate: passed (exit 0)" in same.result.stdout


def test_known_deviations_pass_the_gate_and_stay_visible(
    faulty_base_url: str, tmp_path: Path
) -> None:
    deviations = tmp_path / "deviations.yaml"
    deviations.write_text(
        "deviations:\n"
        "  - id: PAIRS-002\n    reason: Replace Pairs appends until v2 (ticket 12)\n"
        "  - id: PAIRS-006\n    reason: fixed since, remove me\n",
        encoding="utf-8",
    )
    run = run_against(faulty_base_url, tmp_path / "reports", "--expect-fail", str(deviations))
    out = run.result.stdout
    assert run.result.returncode == 0, out + run.result.stderr
    assert "  KNOWN  PAIRS-002 MUST: Replace Pairs appends until v2 (ticket 12)" in out
    assert "now passing, remove them from the file: PAIRS-006" in out
    by_id = {r["id"]: r for r in run.report["requirements"]}
    assert by_id["PAIRS-002"]["status"] == "expected-failure"
    assert by_id["PAIRS-002"]["failures"], "the evidence stays"
    assert by_id["PAIRS-006"]["expected_failure"]["state"] == "now-passing"
    assert schema_problems(run.report) == []
    summary = (run.report_dir / "summary.md").read_text(encoding="utf-8")
    assert "### Known deviations (1)" in summary and "**PAIRS-002**" in summary
    assert "PAIRS-006" in summary
    root = ET.parse(run.report_dir / "junit.xml").getroot()
    (case,) = [c for c in root.iter("testcase") if c.get("name", "").startswith("PAIRS-002 ")]
    assert case.find("skipped").get("message").startswith("known deviation: Replace Pairs")
    page = (run.report_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="deviations"' in page and "ticket 12" in page


# -- ticonf diff and user mistakes ----------------------------------------------------------


def test_diff_prints_the_comparison_alone(faulty_run: Run, tmp_path: Path) -> None:
    new = faulty_run.report_dir / "report.json"
    old = baseline_where_pairs_002_passed(faulty_run.report, tmp_path / "old.json")
    regressed = ticonf("diff", str(old), str(new))
    assert regressed.returncode == 1, regressed.stderr
    assert "  REGRESSION PAIRS-002 MUST: passed -> failed" in regressed.stdout
    assert "  NOW PASSING PAIRS-006 MUST: failed -> passed" in regressed.stdout
    unchanged = ticonf("diff", str(new), str(new))
    assert unchanged.returncode == 0
    assert "0 regression(s), 0 newly passing" in unchanged.stdout


def file_holding(path: Path, content: str | None) -> Path:
    """`path`, holding `content`; no file at all for None."""
    if content is not None:
        path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "does not exist"), ("{oops", "not valid JSON"), ("{}", "not a ticonf report.json")],
)
def test_diff_refuses_bad_files_in_one_line(
    faulty_run: Run, tmp_path: Path, content: str | None, fragment: str
) -> None:
    bad = file_holding(tmp_path / "bad.json", content)
    result = ticonf("diff", str(faulty_run.report_dir / "report.json"), str(bad))
    assert fragment in one_line_error(result, exit_code=2)


@pytest.mark.parametrize(
    ("option", "content", "fragment"),
    [
        ("--baseline", None, "the baseline"),
        ("--baseline", "not json at all", "not valid JSON"),
        ("--expect-fail", None, "does not exist"),
        ("--expect-fail", "deviations: [unclosed\n", "not valid YAML"),
        ("--expect-fail", "deviations:\n  - id: NOPE-001\n    reason: x\n", "NOPE-001"),
        ("--expect-fail", "deviations:\n  - id: PAIRS-002\n", "give a reason"),
    ],
)
def test_run_refuses_bad_gate_files_before_running(
    tmp_path: Path, option: str, content: str | None, fragment: str
) -> None:
    path = file_holding(tmp_path / "input", content)
    result = ticonf("run", "--report-dir", str(tmp_path / "reports"), option, str(path))
    assert fragment in one_line_error(result, exit_code=2)
    assert not (tmp_path / "reports").exists(), "refused before anything ran"


def test_run_refuses_a_report_dir_that_holds_a_run(faulty_run: Run) -> None:
    result = ticonf("run", "--report-dir", str(faulty_run.report_dir))
    assert "already holds the reports of a run" in one_line_error(result, exit_code=2)
