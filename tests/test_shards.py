"""Sharding: shards run as separate processes (CI jobs) and merged give the same requirement
results as one run; the test mirrors the README's GitHub workflow (same commands)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from run_kit import read_report, ticonf

from ticonf.plugin.hooks import long_first, select_shard
from ticonf.reference.server import running_server

SELECTION = [
    "--",
    "-k",
    "test_pairs_are_replaced_not_merged or test_pairs_come_back_as_sent or "
    "test_an_empty_list_clears_the_pairs or test_the_replacement_is_addressable or "
    "test_unknown_model_is_refused",
]


def statuses(report_dir: Path) -> dict[str, str]:
    report = read_report(report_dir)
    return {r["id"]: r["status"] for r in report["requirements"]}


def test_shards_partition_the_tests() -> None:
    ids = [f"t{i}" for i in range(11)]
    shards = [select_shard(ids, i, 3) for i in (1, 2, 3)]
    assert set().union(*shards) == set(ids)
    assert sum(len(s) for s in shards) == len(ids)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


class FakeItem:
    """Just what long_first reads of a pytest item: its `long` marker."""

    def __init__(self, name: str, requests: int | None = None) -> None:
        self.name = name
        self.marker = None if requests is None else pytest.mark.long(requests=requests).mark

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return self.marker if name == "long" else None


def names(items: list) -> list[str]:
    return [item.name for item in items]


def test_long_tests_start_first_each_beside_a_short_one() -> None:
    items = [FakeItem("a"), FakeItem("L1", 100), FakeItem("b"), FakeItem("L3", 300), FakeItem("c")]
    items += [FakeItem("L2", 200), FakeItem("d")]
    assert names(long_first(items)) == ["L3", "a", "L2", "b", "L1", "c", "d"]


def test_long_first_keeps_every_test_when_most_are_long() -> None:
    items = [FakeItem("L1", 1), FakeItem("a"), FakeItem("L2", 2), FakeItem("L3", 3)]
    assert names(long_first(items)) == ["L3", "a", "L2", "L1"]
    assert names(long_first([FakeItem("a"), FakeItem("b")])) == ["a", "b"]


SHARDS = 3
SEED = "7"


def shard_job(name: str, index: int, target: list[str], root: Path) -> int:
    """One job of the README's GitHub workflow: what action.yml runs with `shard: I/3`."""
    report_dir = root / "shards" / f"ticonf-report-{name}-shard-{index}-of-{SHARDS}"
    result = ticonf(
        "run", *target, "--profile", "quick", "--report-dir", str(report_dir),
        "--shard", f"{index}/{SHARDS}", "--seed", SEED, "--label", name,
        "--workers", "1", "--replays", "0", *SELECTION,
    )  # fmt: skip
    return result.returncode


def whole_run(name: str, target: list[str], root: Path) -> int:
    """The same selection unsharded, for the requirement verdicts to compare with."""
    report_dir = root / "whole" / name
    result = ticonf(
        "run", *target, "--seed", SEED, "--workers", "1", "--replays", "0",
        "--report-dir", str(report_dir), *SELECTION,
    )  # fmt: skip
    return result.returncode


def verdict_job(names: list[str], root: Path) -> tuple[dict[str, int], int]:
    """The README's final job: merge each target's shards, compare the targets."""
    codes = {}
    for name in names:
        shards = sorted((root / "shards").glob(f"ticonf-report-{name}-shard-*"))
        merged = ticonf("merge", *map(str, shards), "--out", str(root / "merged" / name))
        codes[name] = merged.returncode
    compared = ticonf(
        "compare", *(str(root / "merged" / n) for n in names), "--out", str(root / "matrix")
    )
    return codes, compared.returncode


def test_three_shard_jobs_merge_to_one_run_like_the_readme_workflow(tmp_path: Path) -> None:
    """Three `ticonf run --shard i/3` processes at once per target (the embedded reference,
    and a reference whose Replace Pairs appends), merged: the same requirement verdicts as
    one unsharded run of each."""
    with running_server(fault="pairs-append") as server:
        targets = {
            "reference": [],
            "faulty": ["--target", server.base_url, "--api-key", "ticonf",
                       "--api-secret", "ticonf-secret"],
        }  # fmt: skip
        jobs = [(name, index) for name in targets for index in range(1, SHARDS + 1)]
        with ThreadPoolExecutor(max_workers=SHARDS) as pool:  # CI jobs run at the same time
            shards = [pool.submit(shard_job, n, i, targets[n], tmp_path) for n, i in jobs]
            wholes = {n: pool.submit(whole_run, n, t, tmp_path) for n, t in targets.items()}
            shard_codes = [future.result() for future in shards]
            whole = {name: future.result() for name, future in wholes.items()}
    assert set(shard_codes) <= {0, 1}, shard_codes
    merged_codes, compare_code = verdict_job(list(targets), tmp_path)
    assert merged_codes == {"reference": 0, "faulty": 1}
    assert whole == {"reference": 0, "faulty": 1}
    for name in targets:
        assert statuses(tmp_path / "merged" / name) == statuses(tmp_path / "whole" / name), name
        first_shard = tmp_path / "shards" / f"ticonf-report-{name}-shard-1-of-{SHARDS}"
        assert "untested" in statuses(first_shard).values(), "a shard alone checks only a part"
    assert statuses(tmp_path / "merged" / "faulty")["PAIRS-002"] == "failed"
    assert compare_code == 0
    matrix = json.loads((tmp_path / "matrix" / "compare.json").read_text())
    assert [t["label"] for t in matrix["targets"]] == ["reference", "faulty"]
    assert [t["verdict"] for t in matrix["targets"]] == ["conformant", "nonconformant"]


@pytest.mark.parametrize("value", ["0/2", "3/2", "x", "1/"])
def test_bad_shard_values_are_refused(value: str) -> None:
    result = ticonf("run", "--shard", value, "--dry-run")
    assert result.returncode == 2
    assert "--shard" in result.stderr and "Traceback" not in result.stderr
