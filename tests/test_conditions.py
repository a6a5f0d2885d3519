"""The reference server's remote conditions: a latency before each answer, a rate limit."""

from __future__ import annotations

import asyncio
import time

from starlette.testclient import TestClient

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.reference.app import create_app
from ticonf.reference.conditions import Conditions, FixedWindow, with_conditions

AUTH = (DEFAULT_API_KEY, DEFAULT_API_SECRET)


def client(**conditions) -> TestClient:
    return TestClient(with_conditions(create_app(), **conditions))


def test_no_condition_leaves_the_app_alone() -> None:
    app = create_app()
    assert with_conditions(app) is app


def test_latency_comes_before_the_answer() -> None:
    """The app is called only after the delay (a loose lower bound, no upper one)."""
    events: list[tuple[str, float]] = []

    async def app(scope, receive, send) -> None:
        events.append(("app", time.monotonic()))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    started = time.monotonic()
    response = TestClient(Conditions(app, latency_ms=30)).get("/v1/anything")
    assert response.status_code == 200
    assert [name for name, _ in events] == ["app"]
    assert events[0][1] - started >= 0.025


def test_latency_does_not_block_other_requests() -> None:
    """Ten requests at once with 100 ms each take far less than ten times 100 ms."""
    seen: list[int] = []

    async def app(scope, receive, send) -> None:
        seen.append(1)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    delayed = Conditions(app, latency_ms=100)

    async def one() -> None:
        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            return None

        await delayed({"type": "http", "method": "GET", "path": "/", "headers": []}, receive, send)

    async def all_at_once() -> float:
        started = time.monotonic()
        await asyncio.gather(*(one() for _ in range(10)))
        return time.monotonic() - started

    assert asyncio.run(all_at_once()) < 0.9
    assert len(seen) == 10


def test_beyond_the_rate_limit_comes_429_with_retry_after() -> None:
    api = client(rate_limit=3)
    statuses = [api.get("/v1/models/none", auth=AUTH) for _ in range(5)]
    assert [r.status_code for r in statuses] == [404, 404, 404, 429, 429]
    refused = statuses[3]
    assert refused.headers["retry-after"].isdigit() and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["error"]["status"] == 429


def test_every_answer_advertises_the_ietf_rate_limit_fields() -> None:
    api = client(rate_limit=3)
    first, second, *_, refused = [api.get("/v1/models/none", auth=AUTH) for _ in range(4)]
    assert first.headers["ratelimit-policy"] == '"default";q=3;w=1'
    assert first.headers["ratelimit"].startswith('"default";r=2;t=')
    assert second.headers["ratelimit"].startswith('"default";r=1;t=')
    assert refused.headers["ratelimit"].startswith('"default";r=0;t=')


def test_without_advertising_only_the_429_tells() -> None:
    api = TestClient(Conditions(create_app(), rate_limit=1, advertise=False))
    ok, refused = (api.get("/v1/models/none", auth=AUTH) for _ in range(2))
    assert "ratelimit" not in ok.headers and refused.status_code == 429
    assert "retry-after" in refused.headers


def test_the_window_opens_again() -> None:
    clock = {"now": 1000.0}
    window = FixedWindow(2, clock=lambda: clock["now"])
    assert [window.admit()[0] for _ in range(3)] == [True, True, False]
    clock["now"] += 0.4
    assert window.admit()[0] is False and window.refused == 2
    clock["now"] += 0.7
    admitted, left, reset = window.admit()
    assert admitted and left == 1 and 0 < reset <= 1
