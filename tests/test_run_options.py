"""The run options are declared once (run/options.py): both front ends must agree on them."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from ticonf.core.exit_codes import ExitCode
from ticonf.core.locations import SUITES_DIR
from ticonf.run.invocation import child_environment
from ticonf.run.options import RUN_OPTIONS, add_cli_options, pytest_arguments

BAD_VALUES = [
    ("--timeout", "-1"),
    ("--max-rps", "0"),
    ("--embedded-rate-limit", "none"),
    ("--variant", "no-such-variant"),
]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_environment(),
    )


def cli_namespace(*arguments: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_cli_options(parser)
    return parser.parse_args(list(arguments))


@pytest.mark.parametrize(("flag", "value"), BAD_VALUES)
def test_both_front_ends_refuse_the_same_bad_value(flag: str, value: str) -> None:
    plugin_flag = next(o.plugin_flag for o in RUN_OPTIONS if o.flag == flag)
    cli = run("-m", "ticonf", "run", f"{flag}={value}", "--quiet")
    plain = run(
        "-m", "pytest", str(SUITES_DIR), "-p", "ticonf.plugin.hooks", "-p", "no:cacheprovider",
        f"{plugin_flag}={value}", "--collect-only", "-q",
    )  # fmt: skip
    assert cli.returncode == ExitCode.USAGE, cli.stderr
    assert plain.returncode == pytest.ExitCode.USAGE_ERROR, plain.stdout + plain.stderr
    assert value in cli.stderr and value in plain.stderr
    assert "Traceback" not in cli.stderr + plain.stderr


def test_defaults_are_not_passed_on() -> None:
    assert pytest_arguments(cli_namespace()) == []


def test_values_go_to_pytest_under_the_plugins_names(tmp_path) -> None:
    baseline = tmp_path / "old.json"
    given = cli_namespace(
        "--variant", "gzip", "--shard", "2/3", "--timeout", "5", "--baseline", str(baseline),
        "--dry-run", "--api-secret", "s3cret", "--profile", "full",
    )  # fmt: skip
    arguments = pytest_arguments(given)
    assert arguments[arguments.index("--embedded-variant") + 1] == "gzip"
    assert arguments[arguments.index("--shard") + 1] == "2/3"
    assert arguments[arguments.index("--timeout") + 1] == "5.0"
    assert arguments[arguments.index("--baseline") + 1] == str(baseline.resolve())
    assert "--dry-run" in arguments
    assert "s3cret" not in arguments  # credentials travel in the environment only
    assert "--profile" not in arguments  # set by the one invocation builder


def test_importing_the_front_ends_registers_no_hypothesis_profile() -> None:
    probe = (
        "import hypothesis, ticonf.report, ticonf.cli.main;"
        "print(sorted(p for p in hypothesis.settings._profiles if p.startswith('ticonf')))"
    )
    result = run("-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
