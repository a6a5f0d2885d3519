"""Running the `ticonf` command as its users do (a subprocess) and reading the reports it writes.

The child gets this process's environment without ticonf's own settings (TICONF_*) and without
the variables of the pytest running these tests (PYTEST_*), so it behaves as it does for a user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ticonf.faults.sweep_plugin import ENV_REQUIREMENTS

COMMAND = (sys.executable, "-m", "ticonf")
# The sweep's plugin keeps only the tests of the requirements named in ENV_REQUIREMENTS (all
# when none are) and drops hypothesis' shrink phase: a run of a few requirements takes seconds.
NARROWING = ("-p", "ticonf.faults.sweep_plugin")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICONF_", "PYTEST_"))}
    return {**env, **extra}


def ticonf(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`ticonf ARGS` in a clean environment plus `env`."""
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(**(env or {})),
    )


def one_line_error(result: subprocess.CompletedProcess[str], *, exit_code: int) -> str:
    """The user error `ticonf` stopped with: its exit code, one line on stderr, no traceback."""
    assert result.returncode == exit_code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def target_options(base_url: str, api_key: str, api_secret: str) -> list[str]:
    """`ticonf run`'s options naming a target and its credentials."""
    return ["--target", base_url, "--api-key", api_key, "--api-secret", api_secret]


def read_report(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "report.json").read_text(encoding="utf-8"))


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        return read_report(self.report_dir)


def narrow_run(
    report_dir: Path,
    requirements: Iterable[str],
    *options: str,
    pytest_args: Iterable[str] = (),
    timeout: float = 300,
) -> Run:
    """`ticonf run OPTIONS` on one pytest worker, of the tests of `requirements` only (all
    tests when there are none), writing its reports to `report_dir`."""
    wanted = ",".join(requirements)
    result = ticonf(
        "run", "--report-dir", str(report_dir), "--workers", "1", *options,
        "--", *NARROWING, *pytest_args,
        env={ENV_REQUIREMENTS: wanted} if wanted else None,
        timeout=timeout,
    )  # fmt: skip
    return Run(result, report_dir)
