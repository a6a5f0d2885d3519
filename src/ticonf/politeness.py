"""Being a polite client of somebody's deployment: a request rate cap and 429 handling.

Users point the suite at staging and production. It never sends faster than `--max-rps`
(shared out between the workers), and a 429 is retried after its Retry-After delay a bounded
number of times; every retry is counted, so the report shows how often the target pushed back.
A target that keeps failing at the network level is given up on, so a dead target cannot
make a run wait out every timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

DEFAULT_RETRIES = 3
MAX_RETRY_WAIT = 30.0
DEFAULT_RETRY_WAIT = 1.0

GIVE_UP_AFTER = 5

Response = TypeVar("Response")


class TargetGone(ConnectionError):
    """The target stopped answering; a network error of the run, never a server's failure."""


class RateLimiter:
    """Spaces requests at least 1/rate seconds apart (per process); rate None means no cap."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


def retry_after_seconds(value: str | None, now: float | None = None) -> float:
    """The delay a Retry-After header asks for (seconds or an HTTP date), bounded."""
    if not value:
        return DEFAULT_RETRY_WAIT
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_WAIT)
    try:
        moment = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return DEFAULT_RETRY_WAIT
    return min(max(moment - (now or time.time()), 0.0), MAX_RETRY_WAIT)


@dataclass
class Politeness:
    """Rate cap and retry policy of one process, with the count of retries made."""

    max_rps: float | None = None
    retries: int = DEFAULT_RETRIES
    sleep: Callable[[float], None] = time.sleep
    give_up_after: int = GIVE_UP_AFTER
    retried: int = 0
    failures_in_a_row: int = 0
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.max_rps)

    def call(
        self,
        send: Callable[[], Response],
        status_of: Callable[[Response], int],
        retry_after_of: Callable[[Response], str | None],
        on_retry: Callable[[], None] | None = None,
    ) -> Response:
        """Send, and resend after a 429 at most `retries` times."""
        for attempt in range(self.retries + 1):
            self.limiter.wait()
            response = self._send_unless_gone(send)
            if status_of(response) != 429 or attempt == self.retries:
                return response
            self.retried += 1
            if on_retry is not None:
                on_retry()
            self.sleep(retry_after_seconds(retry_after_of(response)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_unless_gone(self, send: Callable[[], Response]) -> Response:
        """A target that failed at the network level `give_up_after` times in a row is not
        asked again: the run ends in seconds instead of waiting out every timeout."""
        if self.failures_in_a_row >= self.give_up_after:
            raise TargetGone(
                f"not sent: the last {self.failures_in_a_row} requests failed at the network level"
            )
        try:
            response = send()
        except Exception:
            self.failures_in_a_row += 1
            raise
        self.failures_in_a_row = 0
        return response
