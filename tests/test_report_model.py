"""The run record: statuses, verdict, run errors and observations, from synthetic records."""

from __future__ import annotations

import json

import pytest
from report_kit import faulty_records, meta, record, report_of, requirement, status_of

from ticonf.core.catalog import load_catalog
from ticonf.core.vocabulary import Status
from ticonf.report import assemble
from ticonf.report.inputs import schema_problems
from ticonf.report.model import read_records, requirement_status


def test_a_faulty_run_is_nonconformant_and_its_report_valid() -> None:
    report = report_of(faulty_records())
    assert schema_problems(report) == []
    assert report["verdict"] == "nonconformant"
    assert "PAIRS-002" in report["verdict_reason"]
    assert status_of(report, "PAIRS-002") == "failed"
    assert status_of(report, "PAIRS-001") == "passed"
    assert status_of(report, "AUTH-001") == "untested"
    assert report["gate"] == {
        **report["gate"],
        "passed": False,
        "exit_code": 1,
        "mode": "verdict",
    }


def test_a_failure_keeps_its_message_and_evidence() -> None:
    failure = requirement(report_of(faulty_records()), "PAIRS-002")["failures"][0]
    assert failure["test"].endswith("test_replaced_not_merged")
    assert "expected exactly []" in failure["message"]
    assert failure["exchanges"][0]["curl"].startswith("curl ")
    assert "$TICONF_API_SECRET" in failure["exchanges"][0]["curl"]


def test_every_requirement_of_the_catalog_is_reported_once() -> None:
    report = report_of(faulty_records())
    assert [r["id"] for r in report["requirements"]] == list(load_catalog())
    total = report["counts"]["total"]
    assert sum(total.values()) == len(load_catalog())
    assert set(total) == set(Status)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["passed"], "passed"),
        (["passed", "error"], "error"),
        (["failed", "error"], "failed"),
        (["skipped"], "skipped"),
        (["skipped", "passed"], "passed"),
        ([], "untested"),
    ],
)
def test_requirement_status(outcomes: list[str], expected: str) -> None:
    records = [
        record(
            f"test_x.py::t{i}", ["ADD-001"], outcome, kind="network" if outcome == "error" else ""
        )
        for i, outcome in enumerate(outcomes)
    ]
    assert requirement_status("ADD-001", records) == expected


def test_a_test_stopped_by_another_requirement_checked_nothing_else() -> None:
    """A test of ADD-003 and ADD-004 that failed on ADD-003 never got to check ADD-004."""
    records = [record("test_add.py::t", ["ADD-003", "ADD-004"], "failed", failed=["ADD-003"])]
    report = report_of(records)
    assert status_of(report, "ADD-003") == "failed"
    assert status_of(report, "ADD-004") == "untested"


def test_a_run_error_makes_the_run_inconclusive_even_with_failures() -> None:
    records = [
        *faulty_records(),
        record("test_add.py::t_net", ["ADD-003"], "error", kind="network", message="ConnectError"),
    ]
    report = report_of(records)
    assert report["verdict"] == "inconclusive"
    assert status_of(report, "ADD-003") == "error"
    assert report["errors"][0]["kind"] == "network"
    assert report["gate"]["exit_code"] == 3 and not report["gate"]["passed"]
    assert schema_problems(report) == []


def test_a_failed_should_leaves_the_run_conformant() -> None:
    records = [
        record("test_pairs.py::t", ["PAIRS-001"]),
        record("test_pairs.py::t_empty", ["PAIRS-004"], "failed", message="not cleared"),
    ]
    report = report_of(records)
    assert report["verdict"] == "conformant"
    assert report["gate"]["exit_code"] == 0
    assert status_of(report, "PAIRS-004") == "failed"


def test_a_run_that_checked_nothing_is_inconclusive() -> None:
    report = assemble(meta(), [], session={"exit_status": 5, "problems": []})
    assert report["verdict"] == "inconclusive"
    assert "no test was collected" in report["errors"][0]["message"]
    only_skips = report_of([record("test_add.py::t", ["ADD-001"], "skipped")])
    assert only_skips["verdict"] == "inconclusive"
    assert "no MUST requirement was checked" in only_skips["verdict_reason"]


def test_a_failure_naming_an_unknown_requirement_is_a_suite_error_not_lost() -> None:
    records = [record("test_x.py::t", ["NOPE-001"], "failed", message="boom")]
    report = report_of(records)
    assert report["verdict"] == "inconclusive"
    assert "NOPE-001" in report["errors"][0]["message"]


def test_a_failure_naming_no_requirement_is_a_suite_error() -> None:
    records = [*faulty_records(), record("test_x.py::t", [], "failed", failed=[], message="x")]
    report = report_of(records)
    assert report["verdict"] == "inconclusive"
    assert "names no requirement" in report["errors"][0]["message"]


def test_records_of_two_runs_in_one_directory_are_refused() -> None:
    records = faulty_records() + faulty_records()[:1]
    report = report_of(records)
    assert report["verdict"] == "inconclusive"
    assert "earlier run" in report["errors"][0]["message"]


def test_a_crashed_worker_or_collection_error_makes_the_run_inconclusive() -> None:
    problems = [
        {"test": "suites/scenarios/test_add.py::t_crash", "message": "worker 'gw0' crashed"},
        {"test": "suites/scenarios/test_pairs.py::test_replaced_not_merged", "message": "seen"},
    ]
    report = assemble(meta(), faulty_records(), session={"exit_status": 1, "problems": problems})
    assert report["verdict"] == "inconclusive"
    assert [e["test"] for e in report["errors"]] == ["suites/scenarios/test_add.py::t_crash"]
    interrupted = assemble(meta(), faulty_records(), session={"exit_status": 2, "problems": []})
    assert interrupted["verdict"] == "inconclusive"
    assert "interrupted" in interrupted["errors"][0]["message"]


def test_observations_are_gathered_by_topic_and_value() -> None:
    records = [
        record(
            "test_r.py::a", ["REPLACE-001"], observations=[{"topic": "keeps-id", "value": True}]
        ),
        record(
            "test_r.py::b", ["REPLACE-001"], observations=[{"topic": "keeps-id", "value": True}]
        ),
        record(
            "test_r.py::c", ["REPLACE-002"], observations=[{"topic": "keeps-id", "value": False}]
        ),
    ]
    report = report_of(records)
    (topic,) = report["observations"]
    assert topic["topic"] == "keeps-id"
    assert [(v["value"], v["count"]) for v in topic["values"]] == [(True, 2), (False, 1)]
    assert len(requirement(report, "REPLACE-001")["observations"]) == 2


def test_run_metadata() -> None:
    run = report_of(faulty_records())["run"]
    assert run["target"] == "http://127.0.0.1:1/v1"
    assert run["spec_sha256"].startswith("sha256:") and run["catalog_sha256"].startswith("sha256:")
    assert run["duration_s"] >= 4 and run["started_at"].endswith("Z")
    assert (run["seed"], run["profile"], run["workers"], run["tests"]) == (7, "quick", 2, 4)
    assert run["requests"] == 16


def test_a_failure_of_a_requirement_outside_the_marker_lists_its_test() -> None:
    """A schema check may prove SCHEMA-001 wrong in a test marked for ADD-001 only."""
    records = [record("test_add.py::t", ["ADD-001"], "failed", failed=["SCHEMA-001"])]
    schema = requirement(report_of(records), "SCHEMA-001")
    assert schema["status"] == "failed"
    assert [t["test"] for t in schema["tests"]] == ["suites/scenarios/test_add.py::t"]
    assert status_of(report_of(records), "ADD-001") == "untested"


def test_a_record_cut_short_makes_the_run_inconclusive(tmp_path) -> None:
    good = json.dumps(faulty_records()[0])
    (tmp_path / "records-gw0.ndjson").write_text(f"{good}\n{good[:40]}", encoding="utf-8")
    records = read_records(tmp_path)
    assert records[0]["nodeid"].endswith("test_add")
    report = report_of(records)
    assert report["verdict"] == "inconclusive"
    assert "records-gw0.ndjson:2" in report["errors"][0]["message"]
