"""Running the pytest child so that nothing can hang the run or leave it half done.

The child runs in its own process group. Ctrl-C and SIGTERM given to `ticonf run`, and the
overall `--deadline`, are turned into one SIGINT to that whole group: pytest then tears its
fixtures down (deleting the scratch models) and writes its partial report. A child that has
not finished within the grace period is killed; the caller then builds the report itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from types import FrameType

GRACE_SECONDS = 10.0


@dataclass
class Ending:
    """How the child ended: its exit code and, when it was stopped, why."""

    returncode: int
    stopped_because: str | None = None
    killed: bool = False


class Supervisor:
    def __init__(self, process: subprocess.Popen[bytes], deadline: float | None) -> None:
        self.process = process
        self.deadline_at = time.monotonic() + deadline if deadline else None
        self.deadline = deadline
        self.reason: str | None = None

    def _interrupt(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        self._interrupt(f"interrupted by {signal.Signals(number).name}")

    def _wait(self, seconds: float | None) -> bool:
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def run(self) -> Ending:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._watch()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _watch(self) -> Ending:
        while self.reason is None:
            remaining = self.deadline_at - time.monotonic() if self.deadline_at else 0.5
            if self._wait(min(max(remaining, 0.0), 0.5)):
                return Ending(self.process.returncode)
            if self.deadline_at and time.monotonic() >= self.deadline_at:
                self._interrupt(f"the deadline of {self.deadline:g} s was reached")
        if self._wait(GRACE_SECONDS):
            return Ending(self.process.returncode, self.reason)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return Ending(self.process.returncode, self.reason, killed=True)


def run_supervised(command: list[str], deadline: float | None, **popen: object) -> Ending:
    """Run `command` to its end, its deadline, or the user's interrupt."""
    process = subprocess.Popen(command, start_new_session=True, **popen)  # type: ignore[call-overload]
    return Supervisor(process, deadline).run()
