"""Live progress of a run, read from the files the pytest child writes as it goes.

Every pytest process of a run writes how many tests it collected (`collected-*.json`) and one
record per finished test (`records-*.ndjson`) into the run's raw/ folder; `ticonf run` reads
them while it waits. On a terminal it keeps one line up to date; in a CI log (no TTY) it
prints a plain line every few seconds, so that a long run shows it is alive.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ticonf.core.locations import RECORDS, raw_glob
from ticonf.core.vocabulary import Status

TTY_INTERVAL_S = 0.5
LOG_INTERVAL_S = 10.0
COLLECTED_GLOB = "collected-*.json"


def write_collected(raw_dir: Path, process_name: str, tests: int) -> None:
    """How many tests this pytest process will run (every xdist worker sees them all)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    path = raw_dir / f"collected-{process_name}.json"
    path.write_text(json.dumps({"tests": tests}), encoding="utf-8")


@dataclass
class Tally:
    """What the finished tests of a run add up to, read incrementally from their records."""

    raw_dir: Path
    done: int = 0
    requests: int = 0
    failing: int = 0
    _offsets: dict[Path, int] = field(default_factory=dict)

    def total(self) -> int | None:
        for path in sorted(self.raw_dir.glob(COLLECTED_GLOB)):
            try:
                return int(json.loads(path.read_text(encoding="utf-8"))["tests"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return None

    def update(self) -> None:
        for path in sorted(self.raw_dir.glob(raw_glob(RECORDS))):
            self._read_new_lines(path)

    def _read_new_lines(self, path: Path) -> None:
        offset = self._offsets.get(path, 0)
        try:
            with path.open("rb") as file:
                file.seek(offset)
                chunk = file.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written waits for next time
        self._offsets[path] = offset + len(complete)
        for line in complete.splitlines():
            self._count(line)

    def _count(self, line: bytes) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        self.done += 1
        self.requests += int(record.get("requests") or 0)
        self.failing += record.get("outcome") == Status.FAILED


def clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def progress_line(tally: Tally, total: int | None, elapsed: float) -> str:
    """`37/101 tests, 912 requests, 1 failing, 0:08 elapsed, about 0:14 left`."""
    if total is None and not tally.done:
        return f"starting (pre-flight check, collecting the tests), {clock(elapsed)} elapsed"
    tests = f"{tally.done}/{total} tests" if total else f"{tally.done} tests"
    line = (
        f"{tests}, {tally.requests:,} requests, {tally.failing} failing, {clock(elapsed)} elapsed"
    )
    if total and tally.done:
        left = elapsed / tally.done * max(total - tally.done, 0)
        line += f", about {clock(left)} left"
    return line


class ProgressReporter:
    """A thread that reports progress until stopped; `with ProgressReporter(...)`."""

    def __init__(self, raw_dir: Path, stream: TextIO, *, started: float | None = None) -> None:
        self.tally = Tally(raw_dir)
        self.stream = stream
        self.tty = stream.isatty()
        self.started = started or time.monotonic()
        self.interval = TTY_INTERVAL_S if self.tty else LOG_INTERVAL_S
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ticonf-progress", daemon=True)

    def __enter__(self) -> ProgressReporter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self.tty:
            self.stream.write("\r\x1b[K")  # the summary that follows replaces the live line
            self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.show()

    def show(self) -> None:
        self.tally.update()
        line = progress_line(self.tally, self.tally.total(), time.monotonic() - self.started)
        try:
            if self.tty:
                self.stream.write(f"\r\x1b[Kticonf: {line}")
            else:
                self.stream.write(f"ticonf: {line}\n")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away; the run goes on
            self._stop.set()
