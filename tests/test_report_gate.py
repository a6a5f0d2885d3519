"""The CI gate, the baseline comparison, known deviations and the files users hand in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_kit import faulty_records, record, report_of, requirement, status_of

from ticonf.report.gate import compare, decide
from ticonf.report.inputs import ReportInputError, load_deviations, load_report, schema_problems
from ticonf.report.scrub import REDACTED, scrub, scrub_tree


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def deviations_file(tmp_path: Path, entries: str) -> Path:
    return write(tmp_path / "deviations.yaml", f"deviations:\n{entries}")


# -- known deviations ----------------------------------------------------------------------


def test_a_known_deviation_does_not_fail_the_gate_but_stays_visible(tmp_path: Path) -> None:
    path = deviations_file(tmp_path, "  - id: PAIRS-002\n    reason: appends until v2\n")
    report = report_of(faulty_records(), expect_fail=path)
    assert status_of(report, "PAIRS-002") == "expected-failure"
    assert requirement(report, "PAIRS-002")["failures"], "the evidence stays in the report"
    assert report["verdict"] == "nonconformant", "the verdict stays honest"
    assert report["gate"]["passed"] and report["gate"]["exit_code"] == 0
    assert report["gate"]["known_deviations"]["still-failing"] == ["PAIRS-002"]
    assert schema_problems(report) == []


def test_a_known_deviation_that_now_passes_is_reported(tmp_path: Path) -> None:
    path = deviations_file(
        tmp_path,
        "  - id: PAIRS-002\n    reason: appends\n  - id: ADD-001\n    reason: old bug\n"
        "  - id: AUTH-001\n    reason: not checked in this run\n",
    )
    report = report_of(faulty_records(), expect_fail=path)
    deviation = requirement(report, "ADD-001")["expected_failure"]
    assert deviation == {"reason": "old bug", "state": "now-passing"}
    assert status_of(report, "ADD-001") == "passed"
    assert report["gate"]["known_deviations"]["now-passing"] == ["ADD-001"]
    assert report["gate"]["known_deviations"]["unchecked"] == ["AUTH-001"]


def test_other_failures_still_fail_the_gate(tmp_path: Path) -> None:
    path = deviations_file(tmp_path, "  - id: ADD-001\n    reason: old bug\n")
    report = report_of(faulty_records(), expect_fail=path)
    assert report["gate"]["exit_code"] == 1
    assert "PAIRS-002" in report["gate"]["reason"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("deviations:\n  - id: PAIRS-099\n    reason: x\n", "'PAIRS-099' is not a requirement ID"),
        ("deviations:\n  - id: PAIRS-002\n", "give a reason"),
        ("deviations:\n  - id: PAIRS-002\n    reason: '  '\n", "give a reason"),
        ("deviations:\n  - id: PAIRS-002\n    reson: typo\n", "unknown key 'reson'"),
        ("deviations:\n  - PAIRS-002\n", "expected `id:` and `reason:`"),
        ("deviations: [{id: PAIRS-002, reason: a}, {id: PAIRS-002, reason: b}]\n", "twice"),
        ("PAIRS-002: reason\n", "must hold one key"),
        ("deviations: {id: PAIRS-002}\n", "must hold one key"),
        ("deviations:\n  - id: [unclosed\n", "not valid YAML at line"),
        ("", "must hold one key"),
    ],
)
def test_a_bad_deviations_file_is_refused_in_one_line(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "deviations.yaml", text)
    with pytest.raises(ReportInputError) as caught:
        load_deviations(path)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_deviations_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportInputError, match="does not exist"):
        load_deviations(tmp_path / "nope.yaml")


# -- baseline ------------------------------------------------------------------------------


def passing_baseline() -> dict:
    """A baseline in which PAIRS-002 passed and ADD-003 failed."""
    records = [r for r in faulty_records() if "PAIRS-002" not in r["requirements"]]
    records += [
        record("test_pairs.py::test_replaced_not_merged", ["PAIRS-002"]),
        record("test_add.py::count", ["ADD-003"], "failed", message="count off"),
    ]
    return report_of(records)


def test_comparison_finds_regressions_and_newly_passing_ones() -> None:
    new_records = [*faulty_records(), record("test_add.py::count", ["ADD-003"])]
    comparison = compare(passing_baseline(), report_of(new_records))
    assert [(r["id"], r["before"], r["now"]) for r in comparison["regressions"]] == [
        ("PAIRS-002", "passed", "failed")
    ]
    assert [r["id"] for r in comparison["newly_passing"]] == ["ADD-003"]
    assert comparison["warnings"] == []


def test_with_a_baseline_only_regressions_fail_the_gate(tmp_path: Path) -> None:
    baseline = write(tmp_path / "old.json", json.dumps(passing_baseline()))
    regressed = report_of(faulty_records(), baseline=baseline)
    assert regressed["gate"]["mode"] == "baseline" and regressed["gate"]["exit_code"] == 1
    assert "PAIRS-002" in regressed["gate"]["reason"]
    assert schema_problems(regressed) == []
    # The same failure in the baseline is no regression, although it is a MUST failure.
    old = write(tmp_path / "old-failing.json", json.dumps(report_of(faulty_records())))
    same = report_of(faulty_records(), baseline=old)
    assert same["verdict"] == "nonconformant"
    assert same["gate"]["exit_code"] == 0 and same["gate"]["passed"]
    assert [r["id"] for r in same["comparison"]["still_failing"]] == ["PAIRS-002"]


def test_a_regression_to_a_known_deviation_does_not_fail_the_gate(tmp_path: Path) -> None:
    baseline = write(tmp_path / "old.json", json.dumps(passing_baseline()))
    path = deviations_file(tmp_path, "  - id: PAIRS-002\n    reason: appends\n")
    report = report_of(faulty_records(), baseline=baseline, expect_fail=path)
    assert report["comparison"]["regressions"] == []
    assert report["gate"]["exit_code"] == 0


def test_an_inconclusive_run_never_passes_the_gate() -> None:
    records = [*faulty_records(), record("test_add.py::net", ["ADD-003"], "error", kind="network")]
    report = report_of(records)
    comparison = compare(report_of(faulty_records()), report)
    assert decide(report, comparison)["exit_code"] == 3


def test_comparison_warns_when_the_baseline_tested_something_else() -> None:
    old = report_of(faulty_records())
    old["run"]["target"] = "https://other.example/v1"
    old["run"]["profile"] = "full"
    warnings = compare(old, report_of(faulty_records()))["warnings"]
    assert any("another target" in w for w in warnings)
    assert any("another profile" in w for w in warnings)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON"),
        ('{"format_version": 1}', "is not a ticonf report.json"),
        ("[1, 2]", "is not a ticonf report.json"),
        ('{"format_version": 99}', "upgrade ticonf"),
    ],
)
def test_a_bad_baseline_is_refused_in_one_line(
    tmp_path: Path, content: str | None, fragment: str
) -> None:
    path = tmp_path / "report.json"
    if content is not None:
        write(path, content)
    with pytest.raises(ReportInputError) as caught:
        load_report(path, "the baseline")
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_a_baseline_that_vanished_during_the_run_makes_it_inconclusive(tmp_path: Path) -> None:
    report = report_of(faulty_records(), baseline=tmp_path / "gone.json")
    assert report["verdict"] == "inconclusive"
    assert "does not exist" in report["errors"][-1]["message"]
    assert schema_problems(report) == []


# -- secrets -------------------------------------------------------------------------------


def test_scrub_removes_every_form_of_a_secret(tmp_path: Path) -> None:
    secrets = ('pa"ss-word', "Basic dXNlcjpwYXNz", "dXNlcjpwYXNz")
    document = {"a": ['echo: pa"ss-word', "Authorization: Basic dXNlcjpwYXNz"], "b": 3}
    assert json.dumps(scrub(document, secrets)).count(REDACTED) == 2
    assert "pa" not in json.dumps(scrub(document, secrets)["a"][0])
    raw = tmp_path / "raw"
    raw.mkdir()
    write(raw / "records.ndjson", json.dumps(document) + "\n")
    write(tmp_path / "clean.txt", "nothing here")
    assert scrub_tree(tmp_path, secrets) == [raw / "records.ndjson"]
    text = (raw / "records.ndjson").read_text()
    assert "ss-word" not in text and "dXNlcjpwYXNz" not in text


def test_scrub_leaves_reports_alone_for_a_trivially_short_secret() -> None:
    assert scrub({"a": "status passed"}, ("s",)) == {"a": "status passed"}
