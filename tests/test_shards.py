"""Sharding: two shards together give the same requirement results as one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ticonf.pytest_plugin import select_shard
from ticonf.reference.server import running_server

SELECTION = ["--", "-k", "test_pairs or test_delete"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICONF_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-m", "ticonf.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def statuses(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "report.json").read_text())
    return {r["id"]: r["status"] for r in report["requirements"]}


def test_shards_partition_the_tests() -> None:
    ids = [f"t{i}" for i in range(11)]
    shards = [select_shard(ids, i, 3) for i in (1, 2, 3)]
    assert set().union(*shards) == set(ids)
    assert sum(len(s) for s in shards) == len(ids)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_two_merged_shards_equal_one_run(tmp_path: Path) -> None:
    with running_server(fault="pairs-append") as server:
        common = [
            "--target",
            server.base_url,
            "--api-key",
            "ticonf",
            "--api-secret",
            "ticonf-secret",
            "--seed",
            "7",
            "--workers",
            "1",
        ]
        whole = run("run", *common, "--report-dir", str(tmp_path / "whole"), *SELECTION)
        for index in (1, 2):
            run(
                "run",
                *common,
                "--shard",
                f"{index}/2",
                "--report-dir",
                str(tmp_path / f"shard{index}"),
                *SELECTION,
            )
    merged = run(
        "merge",
        str(tmp_path / "shard1"),
        str(tmp_path / "shard2"),
        "--out",
        str(tmp_path / "merged"),
    )
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert merged.returncode == 1, merged.stdout + merged.stderr
    assert statuses(tmp_path / "merged") == statuses(tmp_path / "whole")
    assert statuses(tmp_path / "merged")["PAIRS-002"] == "failed"
    shard_one = statuses(tmp_path / "shard1")
    assert "untested" in shard_one.values(), "a shard alone checks only part of the suite"


@pytest.mark.parametrize("value", ["0/2", "3/2", "x", "1/"])
def test_bad_shard_values_are_refused(value: str) -> None:
    result = run("run", "--shard", value, "--dry-run")
    assert result.returncode == 2
    assert "--shard" in result.stderr and "Traceback" not in result.stderr
