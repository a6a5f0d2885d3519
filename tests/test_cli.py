"""The `ticonf` command: exit codes and one-line errors, as design.md promises."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_kit import COMMAND, one_line_error, read_report, target_options, ticonf

from ticonf.reference.server import RunningServer, running_server


@pytest.fixture(scope="module")
def reference() -> Iterator[RunningServer]:
    with running_server() as server:
        yield server


def test_help_lists_the_commands() -> None:
    result = ticonf("--help")
    assert result.returncode == 0
    for word in ("run", "serve", "TICONF_TARGET", "Exit codes"):
        assert word in result.stdout


def test_unreachable_target_exits_3(tmp_path: Path) -> None:
    target = target_options("http://127.0.0.1:9/v1", "k", "s")
    result = ticonf("run", *target, "--report-dir", str(tmp_path))
    assert "unreachable" in one_line_error(result, exit_code=3)


def test_rejected_credentials_exit_3(reference: RunningServer, tmp_path: Path) -> None:
    target = target_options(reference.base_url, "ticonf", "wrong")
    result = ticonf("run", *target, "--report-dir", str(tmp_path))
    assert "rejected the credentials" in one_line_error(result, exit_code=3)
    assert "wrong" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--target", "http://127.0.0.1:9/api"], "ending in /v1"),
        (["run", "--target", "http://127.0.0.1:9/v1"], "--api-key"),
        (["serve", "--fault", "no-such-fault"], "unknown fault"),
    ],
)
def test_configuration_errors_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(ticonf(*args), exit_code=2)


def test_bad_option_values_exit_2() -> None:
    result = ticonf("run", "--workers", "many")
    assert result.returncode == 2
    assert "--workers" in result.stderr and "Traceback" not in result.stderr


def test_environment_configures_the_target(tmp_path: Path) -> None:
    env = {
        "TICONF_TARGET": "http://127.0.0.1:9/v1",
        "TICONF_API_KEY": "k",
        "TICONF_API_SECRET": "s",
    }
    result = ticonf("run", "--report-dir", str(tmp_path), env=env)
    assert result.returncode == 3


def test_run_against_the_embedded_reference_is_conformant(tmp_path: Path) -> None:
    result = ticonf("run", "--report-dir", str(tmp_path), "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: CONFORMANT" in result.stdout
    report = read_report(tmp_path)
    assert report["verdict"] == "conformant"
    assert report["run"]["tests"] > 0
    assert (tmp_path / "junit.xml").is_file()


def test_serve_answers_on_the_port_it_prints() -> None:
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split()[-1]
        import httpx

        response = httpx.get(f"{base_url}/models/unknown", auth=("ticonf", "ticonf-secret"))
        assert response.status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_progress_line_counts_finished_tests_from_the_records(tmp_path) -> None:
    from ticonf.run.progress import Tally, progress_line, write_collected

    tally = Tally(tmp_path)
    assert progress_line(tally, tally.total(), 3).startswith("starting")
    write_collected(tmp_path, "gw0", 4)
    records = tmp_path / "records-gw0.ndjson"
    records.write_text(
        '{"outcome": "passed", "requests": 3}\n{"outcome": "failed", "requests": 5}\n{"outc'
    )
    tally.update()
    line = progress_line(tally, tally.total(), 10)
    assert line == "2/4 tests, 8 requests, 1 failing, 0:10 elapsed, about 0:10 left"
    with records.open("a") as file:  # the half-written line is completed later
        file.write('ome": "passed", "requests": 1}\n')
    tally.update()
    assert (tally.done, tally.requests, tally.failing) == (3, 9, 1)


def disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device", "/reports/run/report.html")


def test_a_full_disk_while_writing_the_reports_is_exit_3_in_one_line(
    tmp_path, monkeypatch, capsys
) -> None:
    from ticonf.cli import main as cli
    from ticonf.run.supervise import Ending

    monkeypatch.setattr(cli, "remove_run_leftovers", disk_full)
    monkeypatch.setattr(cli, "scrub_tree", disk_full)
    args = cli.build_parser().parse_args(["run"])
    code = cli.after_tests(args, tmp_path, Ending(0), tmp_path / "pytest.log", ())
    assert code == 3
    err = capsys.readouterr().err
    assert "No space left on device: /reports/run/report.html" in err
    assert "Traceback" not in err


def test_an_unexpected_error_of_ticonf_is_one_line_and_exit_3(monkeypatch, capsys) -> None:
    from ticonf.cli import main as cli

    def broken(args: object) -> int:
        raise KeyError("bug")

    monkeypatch.setattr(cli, "command_diff", broken)  # the parser binds it when built
    assert cli.main(["diff", "a", "b"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ticonf: internal error (KeyError")
    crash_file = Path(err[0].split("The traceback is in ")[1].split(":")[0])
    assert "KeyError" in crash_file.read_text()
    crash_file.unlink()


def test_a_report_dir_inside_a_file_is_a_usage_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = ticonf("run", "--report-dir", str(blocker / "run"))
    assert "cannot write in --report-dir" in one_line_error(result, exit_code=2)
