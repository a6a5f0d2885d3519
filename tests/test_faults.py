"""The fault catalog proves the suite: every fault is caught by the requirements it violates.

The sweep tests run the conformance suite (a subprocess, as `ticonf run --target` does) against
the clean reference (through `ticonf faults --sweep`) and against the reference with each
fault, one fault per test so that xdist spreads them over its workers. To stay inside the CI
budget, each fault's run uses the sweep's *targeted* selection: only the tests whose `req`
marker names a requirement the fault violates (the tests that must fail), with hypothesis'
shrink phase off; the clean reference runs the whole suite. `ticonf faults --sweep` runs the
whole suite against every fault.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from run_kit import one_line_error, ticonf
from starlette.testclient import TestClient

from ticonf.client.samples import png_base64
from ticonf.core.catalog import load_catalog
from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.core.errors import ConfigError
from ticonf.faults import Fault, all_faults, get_fault
from ticonf.faults.sweep import (
    SweepOptions,
    SweepResult,
    clear_run_files,
    judge_clean,
    judge_fault,
    render_table,
    run_suite,
)
from ticonf.reference.app import create_app
from ticonf.reference.service import ReferenceService

FAULTS = all_faults()
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
# A fixed seed keeps the project's own CI repeatable; `ticonf faults --sweep` (the benchmark)
# draws a new seed for every run and so keeps exploring.
CI_OPTIONS = SweepOptions(profile="quick", selection="targeted", seed=20261125)


# -- the catalog ---------------------------------------------------------------------------


def test_the_catalog_has_at_least_35_faults() -> None:
    assert len(FAULTS) >= 35


def test_every_requirement_is_violated_by_some_fault() -> None:
    named = {req for fault in FAULTS for req in fault.violates}
    unkilled = [req for req in load_catalog() if req not in named]
    assert not unkilled, f"no fault violates {unkilled}"


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault_entries_are_well_formed(fault: Fault) -> None:
    assert NAME.match(fault.name), "a fault name is lower-case words joined by hyphens"
    summary = fault.summary
    assert 20 <= len(summary) <= 100 and summary == summary.strip() and "\n" not in summary
    assert not summary.endswith("."), "a summary is one line without a final full stop"
    assert fault.violates and len(set(fault.violates)) == len(fault.violates)
    assert set(fault.violates) <= set(load_catalog()), "violates names catalog IDs only"
    assert issubclass(fault.service_class, ReferenceService)
    assert fault.service_class is not ReferenceService
    assert fault.service_class.__module__.startswith("ticonf.faults.")
    assert get_fault(fault.name) is fault


def test_an_unknown_fault_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown fault 'no-such-fault'"):
        get_fault("no-such-fault")


def test_serve_refuses_an_unknown_fault_in_one_line() -> None:
    result = ticonf("serve", "--port", "0", "--fault", "no-such-fault")
    assert "unknown fault 'no-such-fault'" in one_line_error(result, exit_code=2)


def test_faults_lists_the_catalog() -> None:
    result = ticonf("faults")
    assert result.returncode == 0, result.stderr
    for fault in FAULTS:
        line = next(line for line in result.stdout.splitlines() if line.startswith(fault.name))
        assert ", ".join(fault.violates) in line and fault.summary in line
    assert f"{len(FAULTS)} faults" in result.stdout


def test_faults_sweep_refuses_an_unknown_fault() -> None:
    one_line_error(ticonf("faults", "--sweep", "--fault", "no-such-fault"), exit_code=2)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault_keeps_the_fixture_endpoints_working(fault: Fault) -> None:
    """A fault breaks what it names, not the models and assets the suite's fixtures need."""
    service = fault.service_class(DEFAULT_API_KEY, DEFAULT_API_SECRET)
    with TestClient(create_app(service), base_url="http://testserver/v1") as client:
        client.auth = (DEFAULT_API_KEY, DEFAULT_API_SECRET)
        created = client.post("/models", json={"name": "m", "type": "flux.1-lora"})
        assert created.status_code == 200
        model_id = created.json()["model"]["id"]
        model = client.get(f"/models/{model_id}")
        assert model.status_code == 200 and model.json()["model"]["id"] == model_id
        asset = client.post("/assets", json={"name": "a.png", "image": png_base64(1)})
        assert asset.status_code == 200 and asset.json()["asset"]["id"]
        assert client.delete(f"/models/{model_id}").status_code in (200, 204)


# -- judging -------------------------------------------------------------------------------


def report(verdict: str, failed: dict[str, str], errors: list[dict] | None = None) -> dict:
    requirements = [
        {"id": req_id, "level": req.level, "status": "failed" if req_id in failed else "passed"}
        for req_id, req in load_catalog().items()
    ]
    return {"verdict": verdict, "requirements": requirements, "errors": errors or [], "run": {}}


def fault_named(*violates: str) -> Fault:
    return Fault("some-fault", "Some deviation", violates, ReferenceService)


def test_a_fault_is_caught_when_all_it_violates_failed() -> None:
    failed = {"ADD-001": "", "SCHEMA-001": "", "HTTP-002": ""}
    outcome = judge_fault(fault_named("ADD-001", "SCHEMA-001"), report("nonconformant", failed), "")
    assert outcome.ok
    assert set(outcome.failed) == set(failed)


def test_a_fault_is_missed_when_one_requirement_did_not_fail() -> None:
    partly = report("nonconformant", {"ADD-001": ""})
    outcome = judge_fault(fault_named("ADD-001", "SCHEMA-001"), partly, "")
    assert not outcome.ok and outcome.missing == ("SCHEMA-001",)
    assert "SCHEMA-001" in outcome.note


def test_a_should_only_fault_is_caught_with_a_conformant_verdict() -> None:
    outcome = judge_fault(fault_named("PAIRS-004"), report("conformant", {"PAIRS-004": ""}), "")
    assert outcome.ok


def test_a_should_only_fault_is_caught_when_a_targeted_run_checked_no_must() -> None:
    outcome = judge_fault(fault_named("HTTP-004"), report("inconclusive", {"HTTP-004": ""}), "")
    assert outcome.ok


def test_a_must_fault_needs_a_nonconformant_verdict() -> None:
    outcome = judge_fault(fault_named("ADD-001"), report("inconclusive", {"ADD-001": ""}), "")
    assert not outcome.ok and outcome.note == "verdict inconclusive"


def test_a_run_with_errors_never_catches() -> None:
    error = [{"test": "t", "message": "KeyError: 'trainingImage'"}]
    outcome = judge_fault(
        fault_named("ADD-001"), report("inconclusive", {"ADD-001": ""}, error), ""
    )
    assert not outcome.ok and "KeyError" in outcome.note


def test_no_report_never_catches() -> None:
    outcome = judge_fault(fault_named("ADD-001"), None, "the run wrote no report")
    assert not outcome.ok and outcome.note == "the run wrote no report"


def test_the_clean_reference_must_fail_nothing() -> None:
    assert judge_clean(report("conformant", {}), "").ok
    assert not judge_clean(report("conformant", {"PAIRS-004": ""}), "").ok
    assert not judge_clean(report("nonconformant", {"ADD-001": ""}), "").ok


def test_the_table_ends_with_the_figure() -> None:
    clean = judge_clean(report("conformant", {}), "")
    caught = judge_fault(fault_named("ADD-001"), report("nonconformant", {"ADD-001": ""}), "")
    missed = judge_fault(fault_named("ADD-002"), report("nonconformant", {"ADD-001": ""}), "")
    result = SweepResult(clean=clean, faults=[caught, missed], wall_s=3)
    table = render_table(result)
    assert "caught 1 of 2 faults" in table.splitlines()[-1]
    assert not result.success


def test_a_rerun_forgets_the_earlier_run_in_its_directory(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "records-main.ndjson").write_text("{}\n")
    (tmp_path / "report.json").write_text("{}")
    (tmp_path / "pytest.log").write_text("kept until overwritten")
    clear_run_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pytest.log"]


# -- the sweep -----------------------------------------------------------------------------


def test_the_sweep_command_passes_the_clean_reference_and_prints_the_figure(
    tmp_path: Path,
) -> None:
    """`ticonf faults --sweep`: the clean reference passes the whole suite, the fault is caught."""
    result = ticonf(
        "faults",
        "--sweep",
        "--fault",
        "json-malformed-422",
        "--selection",
        "targeted",
        "--report-dir",
        str(tmp_path),
    )
    document = json.loads((tmp_path / "sweep.json").read_text())
    clean = document["clean"]
    assert clean["ok"], f"the clean reference: {clean['verdict']}, {clean['note']}"
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("caught 1 of 1 faults")
    assert "json-malformed-422" in result.stdout and "HTTP-005" in result.stdout


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_the_suite_catches(fault: Fault, tmp_path: Path) -> None:
    outcome = judge_fault(fault, *run_suite(fault.name, tmp_path, CI_OPTIONS, fault.violates))
    assert outcome.ok, (
        f"{fault.name} not caught: verdict {outcome.verdict}, failed {list(outcome.failed)}, "
        f"expected {list(fault.violates)}; {outcome.note} (reports in {tmp_path})"
    )
