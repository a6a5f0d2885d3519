"""Being a polite client of somebody's deployment: pacing, rate limits learned, 429 handling.

Users point the suite at staging and production, often behind a rate limit. The suite:

- never sends faster than `--max-rps`, all workers together (a hard cap);
- learns the target's limit and paces itself below it: from the IETF `RateLimit-Policy`
  header (`"default";q=20;w=1`, or the older `20;w=1`) when the target sends one, else from
  its 429s (each one lowers the pace to what was being sent, and the pace creeps back up
  while no 429 comes);
- waits out a 429's `Retry-After` (all workers together) and sends the request again: a 429
  is never a failure. Only a target that keeps refusing one request for longer than
  `--max-throttle` seconds ends that test with a network error (no verdict), never a fail;
- gives up on a target that keeps failing at the network level, so a dead target cannot make
  a run wait out every timeout.

The workers of a run are separate processes, so the pace lives in a small memory-mapped file
in the run's directory (`SharedPace`): one spacing of requests for the whole run, one pause
after a 429, one learned limit. Without a file (a lone client) the same state is private.
"""

from __future__ import annotations

import fcntl
import mmap
import re
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TypeVar

MAX_RETRY_WAIT = 30.0
DEFAULT_RETRY_WAIT = 1.0
DEFAULT_MAX_THROTTLE = 120.0
GIVE_UP_AFTER = 5

# Pace below a limit the target advertises: its windows and our clock never quite agree.
ADVERTISED_SHARE = 0.98
# A 429 without advertised limits: pace at what the target accepted since the last pause
# (the pause included), never below FLOOR_SHARE of the first such estimate, so a target
# whose 429s have nothing to do with the pace cannot slow a run to a crawl...
FLOOR_SHARE = 0.5
# ...and speed up by this factor for every RECOVER_AFTER seconds without a 429.
RECOVER_BY = 1.03
RECOVER_AFTER = 1.5
# A gap this long between two requests of the run starts a new count of what the target
# accepted: idle time (the pre-flight check, then the workers' start-up) says nothing of its
# limit, and counting it made one 429 of a throttling target look like a limit of 1 request/s.
IDLE_RESTART = 1.0

Response = TypeVar("Response")


class TargetGone(ConnectionError):
    """The target stopped answering; a network error of the run, never a server's failure."""


class TargetThrottled(ConnectionError):
    """The target kept answering 429 for longer than allowed: no verdict, never a failure."""


# -- what a target says about its limits ---------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one response said: a sustainable rate (requests/s), and a wait before more."""

    rate: float | None = None
    wait: float | None = None


_PARAM = re.compile(r"(?:^|;)\s*([a-z]+)\s*=\s*\"?([0-9.]+)")


def _params(item: str) -> dict[str, float]:
    return {name: float(value) for name, value in _PARAM.findall(item.strip().lower())}


def policy_rate(value: str) -> float | None:
    """The most restrictive quota/window of a RateLimit-Policy field, in requests/second.

    Draft 08+ items are `"name";q=20;w=1`; drafts up to 07 wrote `20;w=1` (or several items,
    comma separated). A quota without a window is read as per second.
    """
    rates = []
    for item in value.split(","):
        params = _params(item)
        quota = params.get("q")
        if quota is None:
            leading = re.match(r"\s*([0-9.]+)", item)
            quota = float(leading.group(1)) if leading else None
        window = params.get("w", 1.0)
        if quota is not None and quota > 0 and window > 0:
            rates.append(quota / window)
    return min(rates) if rates else None


def _delta_seconds(value: float, now: float) -> float:
    """A reset given as seconds from now, or (as some APIs do) as a Unix time."""
    return max(value - now, 0.0) if value > 1e9 else value


def advertised_limits(headers: Mapping[str, str], now: float | None = None) -> Limits:
    """The limits a response advertises: IETF RateLimit-Policy/RateLimit (drafts 07 to 10),
    or the common RateLimit-Remaining/-Reset and X-RateLimit-* fields. A quota used up means
    a wait until its reset."""
    lower = {name.lower(): value for name, value in headers.items() if "ratelimit" in name.lower()}
    if not lower:
        return Limits()
    now = time.time() if now is None else now
    rate = policy_rate(lower["ratelimit-policy"]) if "ratelimit-policy" in lower else None
    remaining = reset = None
    if "ratelimit" in lower:
        params = _params(lower["ratelimit"].replace(",", ";"))
        remaining = params.get("r", params.get("remaining"))
        reset = params.get("t", params.get("reset"))
    for prefix in ("ratelimit-", "x-ratelimit-"):
        if remaining is None and prefix + "remaining" in lower:
            remaining = _number(lower[prefix + "remaining"])
            reset = _number(lower.get(prefix + "reset", ""))
    wait = None
    if remaining is not None and remaining <= 0 and reset is not None:
        wait = min(_delta_seconds(reset, now), MAX_RETRY_WAIT)
    return Limits(rate=rate, wait=wait)


def _number(value: str) -> float | None:
    try:
        return float(value.strip())
    except ValueError:
        return None


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


# -- the pace of a whole run ---------------------------------------------------------------

# rate (req/s, 0: none learned), learned from a header (1.0) or from 429s (0.0), pause until,
# next free slot; since the last pause: its end, requests sent, 429s; the floor of a learned
# rate; the last speed-up; the last request sent.
_FIELDS = ("rate", "advertised", "paused_until", "next_slot", "episode", "sent", "refused",
           "floor", "last_raise", "last_sent")  # fmt: skip
_LAYOUT = struct.Struct(f"{len(_FIELDS)}d")


class SharedPace:
    """The pacing state of a run, shared by its processes through a memory-mapped file.

    Reads are lock-free (a run without limits pays a few microseconds per request); every
    change takes an exclusive `flock` on the file. Times are `time.monotonic()`, one clock for
    every process of the machine. `path=None` keeps the state in this process only.
    """

    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._thread_lock = threading.Lock()
        self._file = None
        if path is None:
            self._buffer: mmap.mmap | bytearray = bytearray(_LAYOUT.size)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a+b")  # noqa: SIM115 - lives as long as the pace
        with self._locked():
            if self._file.seek(0, 2) < _LAYOUT.size:
                self._file.write(bytes(_LAYOUT.size - self._file.tell()))
                self._file.flush()
        self._buffer = mmap.mmap(self._file.fileno(), _LAYOUT.size)

    def read(self) -> dict[str, float]:
        return dict(zip(_FIELDS, _LAYOUT.unpack_from(self._buffer, 0), strict=True))

    def _write(self, state: dict[str, float]) -> None:
        _LAYOUT.pack_into(self._buffer, 0, *(state[name] for name in _FIELDS))

    class _Locked:
        def __init__(self, pace: SharedPace) -> None:
            self.pace = pace

        def __enter__(self) -> None:
            self.pace._thread_lock.acquire()
            if self.pace._file is not None:
                fcntl.flock(self.pace._file.fileno(), fcntl.LOCK_EX)

        def __exit__(self, *exc: object) -> None:
            if self.pace._file is not None:
                fcntl.flock(self.pace._file.fileno(), fcntl.LOCK_UN)
            self.pace._thread_lock.release()

    def _locked(self) -> SharedPace._Locked:
        return SharedPace._Locked(self)

    def slot(self, cap: float | None) -> float:
        """Seconds to wait before sending, after taking the next free slot of the run."""
        now = self.clock()
        with self._locked():
            state = self.read()
            rates = [rate for rate in (state["rate"], cap) if rate]
            start = max(now, state["paused_until"], state["next_slot"])
            state["next_slot"] = start + (1.0 / min(rates) if rates else 0.0)
            if not state["episode"] or start - state["last_sent"] > IDLE_RESTART:
                state["episode"], state["sent"], state["refused"] = start, 0.0, 0.0
            state["last_sent"] = start
            state["sent"] += 1
            self._write(state)
        return start - now

    def learn(self, limits: Limits, throttled: float | None) -> None:
        """Take in what a response said: an advertised rate, a wait, or a 429 (its delay)."""
        if limits.rate is None and limits.wait is None and throttled is None:
            self._recover()
            return
        now = self.clock()
        with self._locked():
            state = self.read()
            if limits.rate is not None:
                state["rate"], state["advertised"] = limits.rate * ADVERTISED_SHARE, 1.0
            # A quota used up matters only when no rate is known: the pace keeps below it.
            used_up = limits.wait if not state["advertised"] else None
            wait = max(used_up or 0.0, throttled or 0.0)
            if wait:
                state["paused_until"] = max(state["paused_until"], now + wait)
            if throttled is not None:
                state["refused"] += 1
                if not state["advertised"] and now >= state["episode"]:
                    self._estimate(state, now, throttled)
            self._write(state)

    @staticmethod
    def _estimate(state: dict[str, float], now: float, wait: float) -> None:
        """The first 429 after a pause: the target accepted `sent - refused` requests from the
        end of the last pause to the end of this one; that is the pace it allows. 429s of
        requests already in flight arrive during the new pause and change nothing."""
        accepted = state["sent"] - state["refused"]
        if accepted > 0:
            estimate = accepted / max(now + wait - state["episode"], 0.05)
            state["floor"] = state["floor"] or FLOOR_SHARE * estimate
            state["rate"] = max(estimate, state["floor"])
        state["episode"], state["sent"], state["refused"] = now + wait, 0.0, 0.0
        state["last_raise"] = now

    def _recover(self) -> None:
        """A pace learned from 429s creeps back up while the target accepts it."""
        state = self.read()
        if not state["rate"] or state["advertised"]:
            return
        now = self.clock()
        if now - state["last_raise"] < RECOVER_AFTER:
            return
        with self._locked():
            state = self.read()
            if (
                state["rate"]
                and not state["advertised"]
                and now - state["last_raise"] >= RECOVER_AFTER
            ):
                state["rate"] *= RECOVER_BY
                state["last_raise"] = now
                self._write(state)


# -- one process's manners -----------------------------------------------------------------


@dataclass
class Politeness:
    """Pacing, 429 handling and give-up policy of one process, with the count of retries.

    `shared` is the run's pacing file (all workers together); None paces this process alone.
    """

    max_rps: float | None = None
    max_throttle: float = DEFAULT_MAX_THROTTLE
    sleep: Callable[[float], None] = time.sleep
    give_up_after: int = GIVE_UP_AFTER
    shared: Path | None = None
    clock: Callable[[], float] = time.monotonic
    retried: int = 0
    failures_in_a_row: int = 0
    pace: SharedPace = field(init=False)

    def __post_init__(self) -> None:
        self.pace = SharedPace(self.shared, self.clock)

    def call(
        self,
        send: Callable[[], Response],
        status_of: Callable[[Response], int],
        retry_after_of: Callable[[Response], str | None],
        on_retry: Callable[[], None] | None = None,
        headers_of: Callable[[Response], Mapping[str, str]] | None = None,
    ) -> Response:
        """Send when the run's pace allows; after a 429, wait as asked and send again."""
        first_refusal: float | None = None
        while True:
            delay = self.pace.slot(self.max_rps)
            if delay > 0:
                self.sleep(delay)
            response = self._send_unless_gone(send)
            limits = advertised_limits(headers_of(response)) if headers_of else Limits()
            if status_of(response) != 429:
                self.pace.learn(limits, None)
                return response
            wait = retry_after_seconds(retry_after_of(response))
            self.pace.learn(limits, wait)
            now = self.clock()
            first_refusal = now if first_refusal is None else first_refusal
            throttled_for = now + wait - first_refusal
            if throttled_for > self.max_throttle:
                raise TargetThrottled(
                    f"the target kept answering 429 (Too Many Requests) for {throttled_for:.0f} s,"
                    f" longer than --max-throttle {self.max_throttle:g} s"
                )
            self.retried += 1
            if on_retry is not None:
                on_retry()

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
