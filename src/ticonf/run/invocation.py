"""The one pytest invocation of a conformance run, shared by `ticonf run` and the fault sweep.

The suites are run where they are installed (ticonf.core.locations), with ticonf's plugin named
explicitly, so that a wheel installed anywhere behaves as a checkout does. Test IDs are kept
relative to the folder that holds suites/ (`suites/scenarios/test_add.py::...`) in both.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ticonf.core.locations import SUITES_DIR

# Variables of an enclosing pytest (the project's own tests, a user's CI job) that would
# confuse the run's own pytest: xdist's worker identity and options meant for other runs.
LEAKING_PREFIXES = ("PYTEST_XDIST_", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")
ROOT_DIR = SUITES_DIR.parent
# hypothesis keeps caches (no example database: the profiles turn it off) in a folder of its
# own; by default `.hypothesis/` in the working directory, which is inside site-packages here.
HYPOTHESIS_STORAGE = Path(tempfile.gettempdir()) / f"ticonf-hypothesis-{os.getuid()}"


def suite_command(
    *,
    run_id: str,
    report_dir: Path,
    profile: str,
    seed: int | None,
    workers: int,
    extra: Sequence[str] = (),
) -> list[str]:
    """`python -m pytest` over the installed suites, writing records into `report_dir`."""
    command = [sys.executable, "-m", "pytest", str(SUITES_DIR), "-p", "ticonf.plugin.hooks"]
    # No assertion rewriting: the suites fail through check() and schemathesis, never a bare
    # assert, and rewriting every module of hypothesis and schemathesis costs each worker
    # seconds of CPU (bench/worker_startup.py).
    command += ["-p", "no:cacheprovider", "--assert=plain", "--rootdir", str(ROOT_DIR)]
    command += ["-q", "-rN", "--color=no"]
    command += ["--run-id", run_id, "--report-dir", str(report_dir), "--profile", profile]
    # One test at a time per worker after the first two: a worker never holds a queue of
    # tests that an idle worker could take (the long tests start first, plugin/hooks.py).
    command += ["-n", str(workers), "--maxschedchunk", "1"] if workers > 1 else ["-p", "no:xdist"]
    if seed is not None:
        command += ["--seed", str(seed)]
    return [*command, *extra]


def child_environment(updates: Mapping[str, str | None] = {}) -> dict[str, str]:
    """This process's environment without an enclosing pytest's variables, plus `updates`
    (credentials travel here, never on the command line); a None value removes a variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKING_PREFIXES)}
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(HYPOTHESIS_STORAGE))
    for name, value in updates.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
