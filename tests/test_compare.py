"""The compatibility matrix: `ticonf run --targets` against three targets, then `ticonf compare`.

The three targets are the clean reference, the reference with a legal variant (Replace answers
a new image ID, which the documentation allows) and the reference with a fault (Replace Pairs
appends instead of replacing). The matrix must show two conformant targets whose choice on
Replace differs, and one nonconformant target whose failing cell links to its problem card.
Each run selects two tests (`-- -k`), so the three runs together take seconds, not minutes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_kit import one_line_error, read_report, ticonf

from ticonf.reference.server import start_server
from ticonf.report.matrix import schema_problems

SELECTION = [
    "--",
    "-k",
    "test_the_replacement_is_addressable or test_pairs_are_replaced_not_merged",
]
TARGETS = (
    ("clean", None, ()),
    ("variant", None, ("replace-new-id",)),
    ("faulty", "pairs-append", ()),
)
KEY, SECRET = "ticonf", "ticonf-secret"


def targets_yaml(urls: dict[str, str]) -> str:
    entries = [
        f"  - {{name: {name}, url: '{url}', key_env: REF_KEY, secret_env: REF_SECRET}}"
        for name, url in urls.items()
    ]
    return "targets:\n" + "\n".join(entries) + "\n"


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, subprocess.CompletedProcess]]:
    """One `ticonf run --targets` over the three servers; its report root and its result."""
    root = tmp_path_factory.mktemp("targets")
    servers = {name: start_server(fault, variants=variants) for name, fault, variants in TARGETS}
    try:
        targets = root / "targets.yaml"
        targets.write_text(targets_yaml({n: s.base_url for n, s in servers.items()}))
        result = ticonf(
            "run", "--targets", str(targets), "--parallel", "3", "--workers", "1",
            "--replays", "1", "--report-dir", str(root / "runs"), *SELECTION,
            env={"REF_KEY": KEY, "REF_SECRET": SECRET}, timeout=600,
        )  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()
    yield root, result


@pytest.fixture(scope="module")
def matrix(runs: tuple[Path, subprocess.CompletedProcess]) -> tuple[Path, dict]:
    root, _ = runs
    dirs = [str(root / "runs" / name) for name, _, _ in TARGETS]
    result = ticonf("compare", *dirs, "--out", str(root / "matrix"))
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "matrix", json.loads((root / "matrix" / "compare.json").read_text())


def test_the_targets_run_is_judged_by_its_worst_target(runs) -> None:
    root, result = runs
    assert result.returncode == 1, result.stdout + result.stderr  # faulty is nonconformant
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "CONFORMANT" in lines["clean"] and "CONFORMANT" in lines["variant"]
    assert "NONCONFORMANT" in lines["faulty"]
    assert (root / "runs" / "compare" / "compare.html").is_file(), result.stdout
    for name, _, _ in TARGETS:
        report = read_report(root / "runs" / name)
        assert report["run"]["label"] == name
        assert SECRET not in (root / "runs" / name / "report.json").read_text()


def test_the_matrix_shows_two_conformant_targets_and_their_differing_choice(matrix) -> None:
    _, document = matrix
    assert schema_problems(document) == []
    assert document["mode"] == "targets"  # three URLs: targets side by side, not a history
    verdicts = {t["label"]: t["verdict"] for t in document["targets"]}
    assert verdicts == {"clean": "conformant", "variant": "conformant", "faulty": "nonconformant"}
    assert [t["label"] for t in document["targets"]] == ["clean", "variant", "faulty"]
    replace = next(c for c in document["choices"] if c["topic"] == "replace-keeps-id")
    assert replace["values"][:2] == ["keeps the ID", "new ID"]
    assert replace["differs"] and replace["conformant_difference"]


def test_the_nonconformant_target_links_to_its_problem(matrix) -> None:
    out, document = matrix
    faulty = document["targets"][2]
    assert faulty["problems"] >= 1 and "PAIRS-002" in faulty["must_failed"]
    row = next(r for r in document["requirements"] if r["id"] == "PAIRS-002")
    assert [c["status"] for c in row["cells"]] == ["passed", "passed", "failed"]
    problem_cell = row["cells"][2]
    assert problem_cell["changed"] and problem_cell["problems"]
    page, anchor = problem_cell["link"].split("#")
    assert anchor == problem_cell["problems"][0]
    assert f'id="{anchor}"' in (out / page).read_text(encoding="utf-8")


def test_the_rows_are_grouped_by_operation_must_first(matrix) -> None:
    _, document = matrix
    operations = [r["operation"] for r in document["requirements"]]
    assert operations == sorted(operations, key=operations.index)  # each operation in one block
    for operation in set(operations):
        levels = [r["level"] for r in document["requirements"] if r["operation"] == operation]
        assert levels == sorted(levels, key=["MUST", "SHOULD"].index)


def test_the_html_and_markdown_show_the_same_matrix(matrix) -> None:
    out, _ = matrix
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "<script" not in page
    assert "new ID" in page and "keeps the ID" in page
    assert re.search(r'href="\.\./runs/faulty/report\.html#P\d+"', page)
    summary = (out / "compare.md").read_text(encoding="utf-8")
    assert "| **faulty** | NONCONFORMANT |" in summary
    assert re.search(
        r"`PAIRS-002` MUST \| ✅ passed \| ✅ passed \| ❌ failed \(P\d+\) \|", summary
    )
    assert "Replace (legal both ways)" in summary


def test_labels_and_values_are_escaped(matrix, tmp_path: Path) -> None:
    out, _ = matrix
    copy = tmp_path / "evil"
    shutil.copytree(out.parent / "runs" / "clean", copy)
    report = json.loads((copy / "report.json").read_text())
    report["observed_choices"][0]["choice"] = "<img src=x onerror=alert(1)>"
    (copy / "report.json").write_text(json.dumps(report))
    result = ticonf(
        "compare", str(out.parent / "runs" / "clean"), str(copy), "--labels", "a,b",
        "--out", str(tmp_path / "m"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "m" / "compare.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_one_target_over_time_reads_as_a_history(matrix, tmp_path: Path) -> None:
    out, _ = matrix
    runs = out.parent / "runs"
    result = ticonf(
        "compare", str(runs / "faulty"), str(runs / "clean"), "--labels", "v1.0,v1.1",
        "--history", "--out", str(tmp_path / "history"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "history" / "compare.json").read_text())
    assert document["mode"] == "history"
    assert (
        "❌ failed" in (tmp_path / "history" / "compare.md").read_text()
        and "Δ" in (tmp_path / "history" / "compare.md").read_text()
    )
    assert (
        document["changes"][0]["from"] == "v1.0"
        and "PAIRS-002" in (document["changes"][0]["newly_passing"])
    )
    row = next(r for r in document["requirements"] if r["id"] == "PAIRS-002")
    assert [c["changed"] for c in row["cells"]] == [False, True]


# -- bad input: one line, exit 2 -----------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    line = one_line_error(result, exit_code=2)
    for word in words:
        assert word in line, line


def test_a_label_used_twice_is_refused(runs) -> None:
    root, _ = runs
    clean = str(root / "runs" / "clean")
    assert_refused(ticonf("compare", clean, clean, "--out", str(root / "x")), "'clean'", "--labels")


def test_an_unreadable_report_directory_is_refused(runs, tmp_path: Path) -> None:
    root, _ = runs
    clean = str(root / "runs" / "clean")
    missing = ticonf("compare", clean, str(tmp_path / "nothing"), "--out", str(tmp_path / "x"))
    assert_refused(missing, "does not exist")
    (tmp_path / "empty").mkdir()
    assert_refused(ticonf("compare", clean, str(tmp_path / "empty"), "--out", str(tmp_path / "x")))


def test_another_catalog_is_refused_without_force(runs, tmp_path: Path) -> None:
    root, _ = runs
    copy = tmp_path / "old"
    shutil.copytree(root / "runs" / "clean", copy)
    report = json.loads((copy / "report.json").read_text())
    report["run"]["catalog_sha256"] = "sha256:" + "0" * 64
    report["run"]["label"] = "old"
    (copy / "report.json").write_text(json.dumps(report))
    args = ["compare", str(root / "runs" / "clean"), str(copy), "--out", str(tmp_path / "m")]
    assert_refused(ticonf(*args), "catalogs", "--force")
    forced = ticonf(*args, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "catalogs" in json.loads((tmp_path / "m" / "compare.json").read_text())["warnings"][0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("targets: []\n", ["targets:"]),
        ("targets: [{name: a, url: 'http://h/v1', key_env: K}]\n", ["secret_env"]),
        ("targets: [{name: a}, {name: a}]\n", ["'a' twice"]),
        ("targets: [{name: 'a b'}]\n", ["label"]),
        ("targets: [{name: a, url: 'http://h/v1', key: x, secret_env: S}]\n", ["'key'"]),
        ("targets: [{name: a\n", ["YAML"]),
        (
            "targets: [{name: a, url: 'http://h/v1', key_env: NOT_SET_K, secret_env: S}]\n",
            ["NOT_SET_K"],
        ),
    ],
)
def test_a_bad_targets_file_is_refused_in_one_line(tmp_path: Path, content: str, words) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(content)
    result = ticonf("run", "--targets", str(path), "--report-dir", str(tmp_path / "r"))
    assert_refused(result, *words)
    assert not (tmp_path / "r").exists(), "nothing runs before the input is known to be good"


def test_the_worst_target_decides_the_exit_code() -> None:
    from ticonf.cli.targets import worst_exit_code

    assert worst_exit_code([0, 0]) == 0
    assert worst_exit_code([0, 1, 0]) == 1
    assert worst_exit_code([1, 3, 0]) == 3
    assert worst_exit_code([1, 2]) == 3  # a target's own run refused: no verdict for it


@pytest.mark.parametrize("label", ["a b", "", "x" * 41, "../up"])
def test_a_bad_label_is_refused(label: str) -> None:
    result = ticonf("run", "--label", label, "--dry-run")
    assert (
        result.returncode == 2 and "--label" in result.stderr and "Traceback" not in result.stderr
    )
