"""Misbehaving loopback targets for the safety tests, started and stopped by the tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from ticonf.reference.app import create_app
from ticonf.reference.server import bind_socket


class Throttle:
    """ASGI middleware counting requests; every `every`-th one to a training-images path
    gets a 429 with the given Retry-After."""

    def __init__(self, app: ASGIApp, every: int, retry_after: str) -> None:
        self.app, self.every, self.retry_after = app, every, retry_after
        self.seen = 0
        self.throttled = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen += scope["type"] == "http"
        if scope["type"] == "http" and "/training-images" in scope["path"]:
            self.throttled += 1
            if self.throttled % self.every == 0:
                self.refused += 1
                await self._refuse(send)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", self.retry_after.encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"error": "slow down"}'})


@contextlib.contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port in this process; yields the base URL."""
    sock = bind_socket("127.0.0.1", 0)
    config = uvicorn.Config(app, log_level="error", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def throttling_reference(every: int = 7, retry_after: str = "0") -> Iterator[tuple[str, Throttle]]:
    throttle = Throttle(create_app(), every, retry_after)
    with serve_in_thread(throttle) as base_url:
        yield base_url, throttle


@contextlib.contextmanager
def hanging_after_preflight(answer_first: int) -> Iterator[str]:
    """A reference that answers its first `answer_first` requests, then never answers again."""
    state = {"n": 0}
    app = create_app()

    async def hang_later(scope: Scope, receive: Receive, send: Send) -> None:
        import asyncio

        state["n"] += scope["type"] == "http"
        if state["n"] > answer_first:
            await asyncio.sleep(3600)
        await app(scope, receive, send)

    with serve_in_thread(hang_later) as base_url:
        yield base_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DyingTarget:
    """ASGI middleware: the first `answer` requests are served, then the server shuts down
    for good, so every later connection is refused (a deployment that went away mid-run)."""

    def __init__(self, app: ASGIApp, answer: int) -> None:
        self.app, self.answer = app, answer
        self.seen = 0
        self.server: uvicorn.Server | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen += 1
            if self.seen > self.answer:
                self.die()
                await asyncio.sleep(3600)  # cancelled by the shutdown: the client sees a reset
        await self.app(scope, receive, send)

    def die(self) -> None:
        """Reset every open connection (no answer can follow, not even a 500), stop listening."""
        if self.server is None:
            return
        for connection in list(self.server.server_state.connections):
            connection.transport.abort()
        self.server.should_exit = True
        self.server.force_exit = True


@contextlib.contextmanager
def dying_reference(answer: int) -> Iterator[str]:
    """A reference that answers `answer` requests and then stops listening."""
    dying = DyingTarget(create_app(), answer)
    sock = bind_socket("127.0.0.1", 0)
    config = uvicorn.Config(
        dying, log_level="critical", lifespan="off", timeout_graceful_shutdown=1
    )
    dying.server = uvicorn.Server(config)
    thread = threading.Thread(target=dying.server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not dying.server.started:
        time.sleep(0.01)
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    try:
        yield base_url
    finally:
        dying.die()
        thread.join(timeout=10)
        sock.close()
