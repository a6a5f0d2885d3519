"""Remote conditions on loopback: a round-trip latency and a rate limit, as ASGI middleware.

Users point the suite at deployments far away and behind rate limits. `ticonf serve --latency
MS --rate-limit RPS` (and `ticonf run` for its embedded server) reproduce both on loopback, so
that tests and benchmarks can measure how the suite copes:

- the latency is added before each answer with `asyncio.sleep`, so the server keeps answering
  other requests meanwhile, as a distant deployment would;
- the rate limit is a fixed window of one second holding RPS requests: beyond it a request is
  answered 429 with `Retry-After`. Every answer advertises the quota with the IETF header
  fields of draft-ietf-httpapi-ratelimit-headers (`RateLimit-Policy: "default";q=20;w=1` and
  `RateLimit: "default";r=<left>;t=<seconds to the next window>`), unless `advertise` is off:
  then the 429 and its Retry-After are all a client learns.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY_NAME = "default"
WINDOW_SECONDS = 1


@dataclass
class FixedWindow:
    """At most `quota` requests in each window of `window` seconds, counted on arrival."""

    quota: int
    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _start: float = field(default=0.0, init=False)
    _used: int = field(default=0, init=False)
    refused: int = field(default=0, init=False)

    def admit(self) -> tuple[bool, int, float]:
        """(admitted, requests left in this window, seconds until the next window)."""
        now = self.clock()
        if now - self._start >= self.window:
            self._start = now - (now - self._start) % self.window if self._start else now
            self._used = 0
        reset = self.window - (now - self._start)
        if self._used >= self.quota:
            self.refused += 1
            return False, 0, reset
        self._used += 1
        return True, self.quota - self._used, reset


def rate_limit_headers(quota: int, window: float, left: int, reset: float) -> list[tuple]:
    """The IETF RateLimit-Policy and RateLimit fields (structured-field lists of one item)."""
    seconds = max(1, math.ceil(reset))
    return [
        (b"ratelimit-policy", f'"{POLICY_NAME}";q={quota};w={math.ceil(window)}'.encode()),
        (b"ratelimit", f'"{POLICY_NAME}";r={left};t={seconds}'.encode()),
    ]


class Conditions:
    """ASGI middleware adding a latency (milliseconds) and a rate limit (requests/second)."""

    def __init__(
        self,
        app: ASGIApp,
        latency_ms: float = 0.0,
        rate_limit: float | None = None,
        advertise: bool = True,
    ) -> None:
        self.app = app
        self.latency = max(latency_ms, 0.0) / 1000.0
        self.window = FixedWindow(max(1, round(rate_limit))) if rate_limit else None
        self.advertise = advertise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.window is None:
            await self._delayed()
            await self.app(scope, receive, send)
            return
        admitted, left, reset = self.window.admit()
        extra = self._advertised(left, reset)
        await self._delayed()
        if not admitted:
            await _too_many(send, reset, extra)
            return
        await self.app(scope, receive, _adding_headers(send, extra))

    async def _delayed(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    def _advertised(self, left: int, reset: float) -> list[tuple]:
        if not self.advertise or self.window is None:
            return []
        return rate_limit_headers(self.window.quota, self.window.window, left, reset)


def _adding_headers(send: Send, extra: list[tuple]) -> Send:
    if not extra:
        return send

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers


async def _too_many(send: Send, reset: float, extra: list[tuple]) -> None:
    body = b'{"error": {"status": 429, "message": "rate limit exceeded, retry later"}}'
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(max(1, math.ceil(reset))).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_conditions(
    app: ASGIApp, latency_ms: float = 0.0, rate_limit: float | None = None, advertise: bool = True
) -> ASGIApp:
    """`app` itself when no condition is asked for, else wrapped in `Conditions`."""
    if not latency_ms and not rate_limit:
        return app
    return Conditions(app, latency_ms, rate_limit, advertise)
