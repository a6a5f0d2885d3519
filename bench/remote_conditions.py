"""The speed benchmark of issue 15, run by hand (never in CI); writes bench/results/remote.md.

    .venv/bin/python bench/remote_conditions.py [--before /tmp/ticonf-before] [--only after]
        [--after /tmp/ticonf-after]

Runs the quick profile (`ticonf run`, `--workers auto`, seed 1) against a reference server
started with remote conditions (`python -m ticonf.reference --latency MS --rate-limit RPS`):
0, 50 and 150 ms of latency, and a cap of 20 requests/s. Both the code of this checkout
("after") and, with `--before DIR`, an older checkout of the project ("before", e.g. made with
`git worktree add /tmp/ticonf-before <commit>`) are run the same way, each as `--target`
against the same kind of server (run by the "after" code, which has the conditions), with the
same Python environment (the older code comes first on PYTHONPATH). `--after DIR` measures a
worktree of a commit instead of this checkout (whose files others may be editing meanwhile).

For each run: wall time, tests, requests the suite made (report.json, retries included),
the share of them answered 429, the workers chosen, and the peak of the summed RSS of every
process of the run (the `ticonf run` tree and the server), sampled every 0.2 s from /proc.
The machine's load average is written down too: the cores are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results" / "remote.md"
CONDITIONS = [
    ("loopback", 0.0, None),
    ("50 ms", 50.0, None),
    ("150 ms", 150.0, None),
    ("20 rps cap", 0.0, 20.0),
]
READY = "ticonf-reference listening on "


def clean_env(pythonpath: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICONF_", "PYTEST_"))}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def start_server(code: Path, latency: float, rate_limit: float | None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "ticonf.reference", "--port", "0", "--latency", str(latency)]
    if rate_limit:
        command += ["--rate-limit", str(rate_limit)]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, cwd=code, env=clean_env(str(code / "src"))
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith(READY):
        server.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    server.base_url = line[len(READY) :].strip()  # type: ignore[attr-defined]
    return server


def rss_of_tree(roots: list[int]) -> int:
    """Summed RSS (bytes) of `roots` and all their descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo, seen = 0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


class PeakSampler(threading.Thread):
    def __init__(self, roots: list[int]) -> None:
        super().__init__(daemon=True)
        self.roots, self.peak, self.done = roots, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, rss_of_tree(self.roots))
            self.done.wait(0.2)


def one_run(code: Path, server_code: Path, latency: float, rate_limit: float | None) -> dict:
    server = start_server(server_code, latency, rate_limit)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            command = [
                sys.executable, "-m", "ticonf", "run", "--seed", "1", "--report-dir", scratch,
                "--target", server.base_url, "--api-key", "ticonf", "--api-secret", "ticonf-secret",
            ]  # fmt: skip
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            run = subprocess.Popen(
                command,
                cwd=code,
                env=clean_env(str(code / "src")),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            sampler = PeakSampler([run.pid, server.pid])
            sampler.start()
            output, _ = run.communicate()
            wall = time.perf_counter() - started
            sampler.done.set()
            sampler.join()
            report_path = Path(scratch) / "report.json"
            if not report_path.exists():
                raise RuntimeError(f"no report (exit {run.returncode}): {output[-1500:]}")
            report = json.loads(report_path.read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)
    requests = report["run"]["requests"] + report["run"].get("retries", 0)
    return {
        "wall_s": wall,
        "exit": run.returncode,
        "verdict": report["verdict"],
        "tests": report["run"]["tests"],
        "requests": requests,
        "throttled": report["run"].get("retries", 0),
        "workers": report["run"].get("workers") or 1,
        "peak_mib": sampler.peak / 2**20,
        "load": (load_before + os.getloadavg()[0]) / 2,
        "output": output[-400:],
    }


def table(label: str, runs: list[tuple[str, float | None, dict]]) -> list[str]:
    lines = [
        f"### {label}",
        "",
        "| condition | wall (s) | vs loopback | tests | requests | 429s | workers | peak RSS "
        "(MiB) | verdict | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    loopback = next((r["wall_s"] for name, _, r in runs if name == "loopback"), None)
    for name, rate_limit, r in runs:
        ratio = f"{r['wall_s'] / loopback:.2f}x" if loopback else "-"
        if rate_limit:
            ratio = f"{r['wall_s'] / (r['requests'] / rate_limit):.2f}x requests/{rate_limit:g}"
        share = r["throttled"] / r["requests"] if r["requests"] else 0.0
        lines.append(
            f"| {name} | {r['wall_s']:.1f} | {ratio} | {r['tests']} | {r['requests']} | "
            f"{r['throttled']} ({share:.1%}) | {r['workers']} | {r['peak_mib']:.0f} | "
            f"{r['verdict']} | {r['load']:.1f} |"
        )
    return lines


def commit_of(code: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=code
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="checkout of the code before the change")
    parser.add_argument("--after", type=Path, default=PROJECT, help="checkout of the new code")
    parser.add_argument("--only", choices=("before", "after"), help="run one side only")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "remote.json")
    parser.add_argument(
        "--conditions", nargs="*", help="run only these (e.g. loopback '50 ms'); others are kept"
    )
    args = parser.parse_args()
    after = args.after.resolve()
    sides = [("after", after)]
    if args.before:
        sides.insert(0, ("before", args.before.resolve()))
    if args.only:
        sides = [side for side in sides if side[0] == args.only]
    saved = json.loads(args.json.read_text()) if args.json.exists() else {}
    chosen = [c for c in CONDITIONS if not args.conditions or c[0] in args.conditions]
    for side, code in sides:
        kept = [r for r in saved.get(side, {}).get("runs", []) if args.conditions]
        saved[side] = {"commit": commit_of(code), "runs": kept}
    # Both sides under one condition, one after the other: the machine's load drifts.
    for name, latency, rate_limit in chosen:
        for side, code in sides:
            result = one_run(code, after, latency, rate_limit)
            print(side, name, {k: v for k, v in result.items() if k != "output"}, flush=True)
            runs = [r for r in saved[side]["runs"] if r[0] != name] + [[name, rate_limit, result]]
            order = [c[0] for c in CONDITIONS]
            saved[side]["runs"] = sorted(runs, key=lambda r: order.index(r[0]))
            args.json.write_text(json.dumps(saved, indent=1) + "\n")
    lines = [
        f"# Remote conditions ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores)",
        "",
        f"Command: `.venv/bin/python bench/remote_conditions.py {' '.join(sys.argv[1:])}`",
        "",
    ]
    for side in ("before", "after"):
        if side in saved:
            label = f"{side} (commit {saved[side]['commit']})"
            lines += [*table(label, [tuple(r) for r in saved[side]["runs"]]), ""]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
