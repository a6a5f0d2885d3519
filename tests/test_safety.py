"""Safe against real deployments: network faults, hung targets, interrupts, other users' data.

Every target here is a loopback server the test starts itself. Runs are restricted to a few
scenario tests (`-- -k ...`) so that each case costs seconds, not a whole suite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from run_kit import COMMAND, clean_env, read_report, ticonf
from targets import dying_reference, hanging_after_preflight, throttling_reference

from ticonf.client.cleanup import ledger_paths
from ticonf.client.provisioning import live_resources
from ticonf.client.samples import png_data_url
from ticonf.reference.server import RunningServer, running_server

AUTH = ("ticonf", "ticonf-secret")
PAIRS_ONLY = ["--", "-k", "test_pairs"]
CREDENTIALS = ["--api-key", "ticonf", "--api-secret", "ticonf-secret"]


def run_command(base_url: str, report_dir: Path, *extra: str) -> list[str]:
    """`ticonf run` against `base_url`; later options in `extra` win (argparse keeps the last)."""
    return [*COMMAND, "run", "--target", base_url, *CREDENTIALS,
            "--report-dir", str(report_dir), "--workers", "1", *extra]  # fmt: skip


def ticonf_run(base_url: str, report_dir: Path, *extra: str, timeout: float = 240):
    command = run_command(base_url, report_dir, *extra)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=clean_env())


def start_in_background(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
        start_new_session=True,
    )


def created_models(report_dir: Path) -> list[str]:
    ids = []
    for path in ledger_paths(report_dir):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if entry["event"] == "created" and entry["kind"] == "model":
                ids.append(entry["id"])
    return ids


def wait_for_models(report_dir: Path, at_least: int, seconds: float = 60) -> None:
    give_up = time.monotonic() + seconds
    while len(created_models(report_dir)) < at_least:
        assert time.monotonic() < give_up, "the run created no model in time"
        time.sleep(0.1)


def model_status(base_url: str, model_id: str) -> int:
    return httpx.get(f"{base_url}/models/{model_id}", auth=AUTH).status_code


@pytest.fixture
def reference():
    with running_server() as server:
        yield server


def test_a_target_stopped_mid_run_is_inconclusive(reference: RunningServer, tmp_path: Path):
    command = run_command(reference.base_url, tmp_path, "--workers", "1")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env()
    )
    wait_for_models(tmp_path, at_least=3)
    reference.stop()
    stdout, stderr = process.communicate(timeout=240)
    assert process.returncode == 3, stdout + stderr
    report = read_report(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert any(error["kind"] == "network" for error in report["errors"])
    assert report["run"]["tests"] > 0, "the partial report keeps what was checked"
    assert not any(r["status"] == "failed" for r in report["requirements"])


@pytest.mark.parametrize("answered", [12, 90, 400])
def test_a_target_dying_mid_run_gives_exit_3_and_no_traceback(answered: int, tmp_path: Path):
    """The target stops listening after `answered` requests: in the first tests, in the middle,
    late. Cleanup then fails too; the run must still end in exit 3 with a partial report."""
    with dying_reference(answered) as base_url:
        result = ticonf_run(base_url, tmp_path, "--workers", "2")
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "Traceback" not in output
    report = read_report(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert report["gate"]["exit_code"] == 3
    assert not any(r["status"] == "failed" for r in report["requirements"]), output


def test_429_with_retry_after_is_retried_and_the_run_passes(tmp_path: Path) -> None:
    with throttling_reference(every=5, retry_after="0") as (base_url, throttle):
        result = ticonf_run(base_url, tmp_path, *PAIRS_ONLY)
    assert result.returncode == 0, result.stdout + result.stderr
    report = read_report(tmp_path)
    assert throttle.refused > 0
    assert report["run"]["retries"] == throttle.refused


def test_a_hung_target_is_cut_off_by_timeout(tmp_path: Path) -> None:
    with hanging_after_preflight(answer_first=3) as base_url:
        result = ticonf_run(
            base_url,
            tmp_path,
            "--timeout",
            "0.5",
            "--",
            "-k",
            "test_pairs_are_replaced_not_merged",
            timeout=120,
        )
    assert result.returncode == 3, result.stdout + result.stderr
    report = read_report(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert {e["kind"] for e in report["errors"]} >= {"network"}


def test_a_hung_target_is_cut_off_by_the_deadline(tmp_path: Path) -> None:
    started = time.monotonic()
    with hanging_after_preflight(answer_first=3) as base_url:
        result = ticonf_run(
            base_url, tmp_path, "--timeout", "120", "--deadline", "3", *PAIRS_ONLY, timeout=120
        )
    assert result.returncode == 3, result.stdout + result.stderr
    assert time.monotonic() - started < 100
    report = read_report(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert "deadline" in json.dumps(report["errors"])


def test_sigint_leaves_no_model_behind(reference: RunningServer, tmp_path: Path) -> None:
    command = run_command(reference.base_url, tmp_path, "--workers", "2")
    process = start_in_background(command)
    wait_for_models(tmp_path, at_least=4)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 3
    created = created_models(tmp_path)
    assert created
    assert [m for m in created if model_status(reference.base_url, m) != 404] == []


def test_sigkill_leftovers_are_removed_by_ticonf_cleanup(
    reference: RunningServer, tmp_path: Path
) -> None:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "suites",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--target",
        reference.base_url,
        *CREDENTIALS,
        "--report-dir",
        str(tmp_path),
        "-k",
        "test_pairs",
    ]
    process = start_in_background(command)
    wait_for_models(tmp_path, at_least=2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    left = [m for _, m in live_resources(ledger_paths(tmp_path)) if m.startswith("model_")]
    assert any(model_status(reference.base_url, m) == 200 for m in left)
    cleanup = ticonf("cleanup", "--report-dir", str(tmp_path), *CREDENTIALS, timeout=60)
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert [m for m in created_models(tmp_path) if model_status(reference.base_url, m) != 404] == []


def snapshot(http: httpx.Client, model_ids: list[str]) -> list[dict]:
    return [http.get(f"/models/{m}").json() for m in model_ids]


def test_other_users_models_are_untouched(reference: RunningServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=reference.base_url, auth=AUTH) as http:
        others = [
            http.post("/models", json={"name": f"customer-{i}"}).json()["model"]["id"]
            for i in range(3)
        ]
        for model_id in others:
            ids = [
                http.post(
                    f"/models/{model_id}/training-images",
                    json={"data": png_data_url(i), "name": f"{i}.png"},
                ).json()["trainingImage"]["id"]
                for i in range(2)
            ]
            pairs = [{"sourceId": ids[0], "targetId": ids[1], "instruction": "keep me"}]
            http.put(f"/models/{model_id}/training-images/pairs", json=pairs)
        before = snapshot(http, others)
        result = ticonf_run(reference.base_url, tmp_path, "--workers", "2")
        assert result.returncode == 0, result.stdout + result.stderr
        assert snapshot(http, others) == before


def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    with throttling_reference(every=10**9) as (base_url, throttle):
        result = ticonf("run", "--dry-run", "--target", base_url, *CREDENTIALS, timeout=120)
        assert result.returncode == 0, result.stderr
        assert throttle.seen == 0
    assert "nothing sent" in result.stdout and "PAIRS-002" in result.stdout


def test_a_deadline_before_pytest_is_up_still_gives_a_report(tmp_path: Path) -> None:
    with hanging_after_preflight(answer_first=3) as base_url:
        result = ticonf_run(base_url, tmp_path, "--deadline", "0.2", timeout=120)
    assert result.returncode == 3, result.stdout + result.stderr
    report = read_report(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert report["run"]["target"] == base_url
    assert "deadline" in json.dumps(report["errors"])
