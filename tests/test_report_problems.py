"""Problems, replay, scripts, coverage and HAR: reports that explain (issue 16).

The unit tests group synthetic records; the run tests start a reference server with a fault,
run a narrow selection of the suite against it (the sweep plugin's requirement filter), and
read the report as its user would: one card per problem, confirmed or flaky, a script and
`ticonf replay` that reproduce it against the faulty server and say FIXED against the clean one.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_kit import exchange, record, report_of
from run_kit import Run, clean_env, narrow_run, target_options, ticonf

from ticonf.reference.server import running_server
from ticonf.report.gate import decide
from ticonf.report.inputs import schema_problems

API_KEY = "vendor-key-16"
API_SECRET = "Yv3-problem-card-secret"
SERVER_ERROR = '{"error": {"status": 500, "message": "internal error (preset)"}}'
ADD_URL = "http://127.0.0.1:1/v1/models/model_1234567890abcdef/training-images"


# -- grouping (synthetic records) ------------------------------------------------------------


def crash(nodeid: str, requirements: list[str], message: str) -> dict:
    proof = exchange(500, SERVER_ERROR, method="POST", url=ADD_URL, request_body='{"preset": []}')
    return record(nodeid, requirements, "failed", message=message, exchanges=[proof])


def test_one_wrong_answer_is_one_problem_however_many_requirements_it_breaks() -> None:
    records = [
        crash("test_add.py::test_preset", ["ADD-008", "HTTP-001", "STATUS-001"], "ADD-008, "
              "HTTP-001, STATUS-001: Add with preset ['default']: expected 400, got 500 '{}'"),
        crash("test_http.py::test_odd[add]", ["HTTP-001"], "HTTP-001: odd request: got a "
              "server error 500 '{}'"),
        record("test_pairs.py::test_replaced", ["PAIRS-002"], "failed",
               message="RequirementFailure: PAIRS-002: expected exactly the second list"),
    ]  # fmt: skip
    report = report_of(records)
    problems = report["problems"]
    assert [len(p["tests"]) for p in problems] == [2, 1]
    crash_problem, pairs_problem = problems
    assert crash_problem["requirements"] == ["ADD-008", "HTTP-001", "STATUS-001"]
    assert crash_problem["title"].startswith("Add an image answers 500")
    assert crash_problem["oracle"]["kind"] == "status"
    assert pairs_problem["requirements"] == ["PAIRS-002"]
    assert pairs_problem["oracle"]["kind"] == "response"
    assert schema_problems(report) == []


def test_flaky_must_failures_fail_the_gate_unless_flaky_pass() -> None:
    report = report_of([crash("test_http.py::t", ["HTTP-001"], "HTTP-001: got 500")])
    report["problems"][0]["confirmation"]["status"] = "flaky"
    assert decide(report, None)["exit_code"] == 1, "default --flaky fail"
    report["replay"]["flaky_policy"] = "pass"
    gate = decide(report, None)
    assert gate["exit_code"] == 0 and "HTTP-001" in gate["reason"]
    report["problems"][0]["confirmation"]["status"] = "confirmed"
    assert decide(report, None)["exit_code"] == 1, "a confirmed failure always fails"


# -- runs against faulty reference servers ---------------------------------------------------


def run_against(
    base_url: str, report_dir: Path, requirements: tuple[str, ...], *pytest_args: str
) -> Run:
    target = target_options(base_url, API_KEY, API_SECRET)
    return narrow_run(report_dir, requirements, *target, "--seed", "16", pytest_args=pytest_args)


@pytest.fixture(scope="module")
def append_url() -> Iterator[str]:
    with running_server(fault="pairs-append", api_key=API_KEY, api_secret=API_SECRET) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def clean_url() -> Iterator[str]:
    with running_server(api_key=API_KEY, api_secret=API_SECRET) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def append_run(append_url: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_against(append_url, tmp_path_factory.mktemp("append") / "r", ("PAIRS-002",))


def test_a_fault_that_breaks_one_thing_is_one_confirmed_problem(append_run: Run) -> None:
    assert append_run.result.returncode == 1, append_run.result.stdout
    report = append_run.report
    assert schema_problems(report) == []
    (problem,) = report["problems"]
    assert problem["requirements"] == ["PAIRS-002"]
    assert problem["confirmation"]["status"] == "confirmed", problem["confirmation"]
    assert problem["confirmation"]["reproduced"] == 3
    assert problem["script"] == "problems/P1.sh"
    summary = (append_run.report_dir / "summary.md").read_text(encoding="utf-8")
    assert "**1 problem violates 1 requirement**" in summary
    page = (append_run.report_dir / "report.html").read_text(encoding="utf-8")
    assert "1 problem violates 1 requirement" in page and 'id="P1"' in page
    assert 'id="coverage"' in page


def test_coverage_and_har_account_for_every_exchange(append_run: Run) -> None:
    report = append_run.report
    har = json.loads((append_run.report_dir / "report.har").read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    assert har["log"]["version"] == "1.2" and len(entries) == report["run"]["requests"]
    assert all(e["request"]["method"] and e["startedDateTime"].endswith("Z") for e in entries)
    coverage = {c["operation"]: c for c in report["coverage"]["operations"]}
    pairs = coverage["replace-pairs"]
    assert pairs["reached_logic"] and pairs["statuses"]["200"] > 0
    assert pairs["body_fields"] == {"sourceId": True, "targetId": True, "instruction": True}
    assert coverage["add"]["enums"]["preset"].keys() == {"default", "style", "subject"}
    assert any(w.startswith("delete: ") for w in report["coverage"]["warnings"])
    for path in append_run.report_dir.rglob("*"):
        if path.is_file():
            assert API_SECRET.encode() not in path.read_bytes(), path


def test_replay_and_script_reproduce_the_problem_and_see_it_fixed(
    append_run: Run, append_url: str, clean_url: str
) -> None:
    directory = str(append_run.report_dir)
    still = ticonf("replay", directory, "P1", *target_options(append_url, API_KEY, API_SECRET))
    assert still.returncode == 1, still.stdout + still.stderr
    assert "STILL FAILING P1 (PAIRS-002)" in still.stdout
    fixed = ticonf("replay", directory, *target_options(clean_url, API_KEY, API_SECRET))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "FIXED P1" in fixed.stdout

    script = append_run.report_dir / "problems" / "P1.sh"
    text = script.read_text(encoding="utf-8")
    assert API_KEY not in text and API_SECRET not in text and "jq" not in text
    for url, code, word in ((append_url, 1, "STILL FAILING"), (clean_url, 0, "FIXED")):
        env = clean_env(TICONF_TARGET=url, TICONF_API_KEY=API_KEY, TICONF_API_SECRET=API_SECRET)
        ran = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env)
        assert ran.returncode == code, ran.stdout + ran.stderr
        assert "expected: " in ran.stdout and "received: 200" in ran.stdout
        assert word in ran.stdout


def test_a_fault_that_breaks_two_things_is_two_problems(tmp_path: Path) -> None:
    with running_server(fault="data-unchecked", api_key=API_KEY, api_secret=API_SECRET) as server:
        run = run_against(server.base_url, tmp_path / "r", ("ADD-009", "REPLACE-004"))
        env = clean_env(
            TICONF_TARGET=server.base_url, TICONF_API_KEY=API_KEY, TICONF_API_SECRET=API_SECRET
        )
        scripts = sorted((run.report_dir / "problems").glob("P*.sh"))
        ran = [
            subprocess.run(["bash", str(s)], capture_output=True, text=True, env=env)
            for s in scripts
        ]
    assert [r.returncode for r in ran] == [1, 1], [r.stdout + r.stderr for r in ran]
    assert all("expected: a 4xx" in r.stdout and "STILL FAILING" in r.stdout for r in ran)
    problems = run.report["problems"]
    assert sorted(p["operation"] for p in problems) == ["add", "replace"], problems
    assert [p["confirmation"]["status"] for p in problems] == ["confirmed", "confirmed"]
    assert "2 problems violate 2 requirements" in (run.report_dir / "summary.md").read_text()


def test_an_intermittent_fault_is_reported_flaky(tmp_path: Path) -> None:
    with running_server(fault="delete-flaky-500", api_key=API_KEY, api_secret=API_SECRET) as s:
        run = run_against(s.base_url, tmp_path / "r", ("HTTP-001",), "-k", "odd_path_segments")
    assert run.result.returncode == 1, "a flaky MUST failure fails the gate by default"
    (problem,) = run.report["problems"]
    assert problem["requirements"] == ["HTTP-001"]
    confirmation = problem["confirmation"]
    assert confirmation["status"] == "flaky", confirmation
    assert confirmation["reproduced"] < confirmation["attempts"] == 3
    assert "FLAKY" in (run.report_dir / "report.html").read_text(encoding="utf-8")
