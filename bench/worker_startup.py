"""Where a pytest-xdist worker's start-up goes (issue 15): CPU seconds, never wall time.

    .venv/bin/python bench/worker_startup.py [--repeat N] [--root DIR]

Every worker of a run imports the plugin and collects the whole suite before it sends its
first request; on two shared cores that CPU is what a distant target waits for. Measured
here, each as the CPU time (user + system) of a fresh process, the lowest of N runs (other
jobs on the machine only ever add to it):

- importing the plugin (ticonf.plugin.hooks) alone;
- collecting the suites as a worker does (`--collect-only --dry-run`: no server, no
  pre-flight), with pytest's assertion rewriting (its default) and with `--assert=plain`;
- collecting only the scenario suites, and only the schema suites (schemathesis builds its
  tests, coverage cases included, while they are collected).

With PYTHONDONTWRITEBYTECODE set, pytest cannot keep the modules it rewrote, so it rewrites
every one again in every process: the hypothesis and schemathesis packages too, since their
pytest plugins are loaded from entry points. The environment is printed with the figures.
`--root` measures another checkout (its src/ comes first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU of one child process and its own children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def collect_command(root: Path, paths: list[str], *extra: str) -> list[str]:
    report_dir = tempfile.mkdtemp(prefix="ticonf-startup-")
    command = [sys.executable, "-m", "pytest", *[str(root / p) for p in paths]]
    command += ["-p", "ticonf.plugin.hooks", "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += ["--rootdir", str(root / "src" / "ticonf"), "-q", "--collect-only"]
    command += ["--dry-run", "--run-id", "startup", "--report-dir", report_dir, *extra]
    return command


def measurements(root: Path) -> list[tuple[str, list[str]]]:
    both = ["suites"]
    return [
        ("import ticonf.plugin.hooks", [sys.executable, "-c", "import ticonf.plugin.hooks"]),
        ("collect all suites (assertion rewriting)", collect_command(root, both)),
        ("collect all suites, --assert=plain", collect_command(root, both, "--assert=plain")),
        (
            "collect suites/scenarios, --assert=plain",
            collect_command(root, ["suites/scenarios"], "--assert=plain"),
        ),
        (
            "collect suites/schema, --assert=plain",
            collect_command(root, ["suites/schema"], "--assert=plain"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the lowest counts")
    parser.add_argument("--root", type=Path, default=PROJECT, help="the checkout to measure")
    args = parser.parse_args()
    root = args.root.resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICONF_", "PYTEST_"))}
    env["PYTHONPATH"] = str(root / "src")
    writes = "unset" if "PYTHONDONTWRITEBYTECODE" not in env else "set"
    print(f"root {root}, PYTHONDONTWRITEBYTECODE {writes}, load {os.getloadavg()[0]:.1f}")
    for label, command in measurements(root):
        best = min(cpu_seconds(command, env) for _ in range(args.repeat))
        print(f"{best:6.2f} s CPU  {label}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
