"""The options of a conformance run, declared once for `ticonf run` and the pytest plugin.

Both front ends add RUN_OPTIONS to their parser (`add_cli_options`: argparse,
`add_pytest_options`: a pytest option group), so a flag has the same validation, default and
help in `ticonf run` and in plain pytest. `ticonf run` hands what it was given on to its
pytest child with `pytest_arguments`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ticonf.client.api import DEFAULT_TIMEOUT
from ticonf.client.config import ENV_API_KEY, ENV_API_SECRET, ENV_TARGET, parse_shard
from ticonf.client.politeness import DEFAULT_MAX_THROTTLE
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE
from ticonf.client.targets_file import label_argument
from ticonf.core.errors import ConfigError
from ticonf.run.profiles import PROFILES

if TYPE_CHECKING:
    import pytest

VARIANT_HELP = "legal variants of the reference (see `ticonf variants`): NAME[,NAME...] or all"


def positive(value: str) -> float:
    """argparse type of a number of seconds or requests per second: more than 0."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if number <= 0:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds/requests, not {value!r}"
        )
    return number


def positive_count(value: str) -> int:
    """argparse type of a count (targets at once, sweep jobs): a whole number, 1 or more."""
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise argparse.ArgumentTypeError(f"expected a number >= 1, not {value!r}")


def variant_names(value: str) -> str:
    """argparse type of the reference's variants: the names, comma-separated, checked."""
    from ticonf.reference.variants import parse_variants  # the server's code, only if asked

    try:
        return ",".join(parse_variants(value))
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def shard_text(shard: tuple[int, int]) -> str:
    """(2, 3) -> '2/3', the form `--shard` takes and reports show."""
    return f"{shard[0]}/{shard[1]}"


def _resolved(path: str) -> str:
    """A file named to ticonf run, for its pytest, which runs in another folder ("" stays none)."""
    return str(Path(path).resolve()) if path else path


class Passing(Enum):
    """How `ticonf run` hands an option on to its pytest child."""

    ARGUMENT = "argument"  # on the command line, when its value is not the default
    ENVIRONMENT = "environment"  # credentials: in the child's environment only (run_environment)
    BUILDER = "builder"  # set by invocation.suite_command, which the fault sweep shares


@dataclass(frozen=True)
class RunOption:
    """One option of a run, as both front ends declare it."""

    flag: str
    help: str
    type: Callable[[str], object] | None = None
    default: object = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    switch: bool = False  # a flag without a value (store_true)
    pytest_flag: str | None = None  # the plugin's name, where it differs from ticonf run's
    pytest_help: str | None = None  # the plugin's help, where ticonf run's does not fit
    cli: bool = True  # False: an option of the plugin only, which ticonf run never passes
    passing: Passing = Passing.ARGUMENT
    render: Callable[[Any], str] = str  # the value on the child's command line

    @property
    def plugin_flag(self) -> str:
        return self.pytest_flag or self.flag

    @property
    def dest(self) -> str:
        """The attribute of ticonf run's namespace that holds the value."""
        return self.flag.lstrip("-").replace("-", "_")

    def pytest_arguments(self, value: object) -> list[str]:
        """This option with `value` on the pytest child's command line, if it goes there."""
        if self.passing is not Passing.ARGUMENT or value is None or value == self.default:
            return []
        if self.switch:
            return [self.plugin_flag] if value else []
        return [self.plugin_flag, self.render(value)]

    def settings(self, help_text: str) -> dict[str, Any]:
        """The keyword arguments of argparse's add_argument (pytest's addoption takes them)."""
        if self.switch:
            return {"action": "store_true", "help": help_text}
        given = {"type": self.type, "choices": self.choices, "metavar": self.metavar}
        return {"default": self.default, "help": help_text} | {
            name: value for name, value in given.items() if value is not None
        }


RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "--target", f"base URL ending in /v1 (env {ENV_TARGET})", passing=Passing.ENVIRONMENT
    ),
    RunOption(
        "--api-key",
        f"API key, the Basic auth user (env {ENV_API_KEY})",
        passing=Passing.ENVIRONMENT,
    ),
    RunOption(
        "--api-secret",
        f"API secret, the Basic auth password (env {ENV_API_SECRET})",
        passing=Passing.ENVIRONMENT,
    ),
    RunOption(
        "--report-dir",
        "where to write reports (default reports/<run-id>)",
        passing=Passing.BUILDER,
    ),
    RunOption(
        "--run-id",
        "name of this run (default: time-based)",
        cli=False,
    ),
    RunOption(
        "--label",
        "short name of the target in the reports and in `ticonf compare` (default: its host, "
        "or 'reference' for the embedded server)",
        type=label_argument,
    ),
    RunOption(
        "--profile",
        "quick (CI gate) or full (release)",
        choices=PROFILES,
        default="quick",
        passing=Passing.BUILDER,
    ),
    RunOption("--seed", "repeat the inputs of an earlier run", type=int, passing=Passing.BUILDER),
    RunOption(
        "--baseline",
        "gate on regressions: exit 1 only for requirements that passed there and fail now",
        metavar="OLD/report.json",
        render=_resolved,
    ),
    RunOption(
        "--expect-fail",
        "YAML file of known deviations (deviations: [{id, reason}]); they never fail the gate",
        metavar="FILE",
        render=_resolved,
    ),
    RunOption(
        "--shard",
        "run only shard I of N (then `ticonf merge` the shards' report directories)",
        type=parse_shard,
        metavar="I/N",
        render=shard_text,
    ),
    RunOption(
        "--model-type",
        f"type of the scratch models the suite creates (default {DEFAULT_MODEL_TYPE})",
        default=DEFAULT_MODEL_TYPE,
    ),
    RunOption(
        "--timeout",
        f"seconds allowed per request (default {DEFAULT_TIMEOUT:g})",
        type=positive,
        default=DEFAULT_TIMEOUT,
    ),
    RunOption("--max-rps", "cap on requests per second, all workers together", type=positive),
    RunOption(
        "--max-throttle",
        "seconds a target may keep answering 429 to one request before that test ends with a "
        f"network error (default {DEFAULT_MAX_THROTTLE:g}; a 429 itself is never a failure)",
        type=positive,
        default=DEFAULT_MAX_THROTTLE,
    ),
    RunOption(
        "--embedded-latency",
        "embedded reference only: ms added before each answer (remote conditions)",
        type=float,
        default=0.0,
        metavar="MS",
    ),
    RunOption(
        "--embedded-rate-limit",
        "embedded reference only: answer 429 beyond RPS requests/s (remote conditions)",
        type=positive,
        metavar="RPS",
    ),
    RunOption(
        "--variant",
        "embedded reference only: " + VARIANT_HELP,
        type=variant_names,
        metavar="NAME[,NAME...]",
        pytest_flag="--embedded-variant",
    ),
    RunOption(
        "--replays",
        "replay each problem N times to confirm it (default 3; 0: no replay)",
        type=int,
        default=3,
        metavar="N",
    ),
    RunOption(
        "--flaky",
        "does a MUST failure that replays as flaky fail the gate? (default fail)",
        choices=("fail", "pass"),
        default="fail",
    ),
    RunOption(
        "--dry-run",
        "list the tests and the calls they would make; send nothing",
        switch=True,
        pytest_help="write the plan (the tests and their requirements) to "
        "<report-dir>/plan.json; with --collect-only, nothing is sent",
    ),
)


def add_cli_options(parser: argparse.ArgumentParser) -> None:
    """The run options of `ticonf run`."""
    for option in RUN_OPTIONS:
        if option.cli:
            parser.add_argument(option.flag, **option.settings(option.help))


def add_pytest_options(group: pytest.OptionGroup) -> None:
    """The run options of the pytest plugin, under the names the plugin reads."""
    for option in RUN_OPTIONS:
        group.addoption(option.plugin_flag, **option.settings(option.pytest_help or option.help))


def pytest_arguments(values: argparse.Namespace) -> list[str]:
    """The pytest arguments of what `ticonf run` was given: every option passed as an argument
    whose value is not its default (the plugin has the same defaults)."""
    arguments: list[str] = []
    for option in RUN_OPTIONS:
        if option.cli:
            arguments += option.pytest_arguments(getattr(values, option.dest))
    return arguments
