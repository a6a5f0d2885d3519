"""The client's manners: a 429 is retried after Retry-After, a bounded number of times."""

from __future__ import annotations

import httpx
import pytest

from ticonf.client import ApiClient
from ticonf.exchanges import Recorder
from ticonf.outcomes import classify
from ticonf.politeness import (
    MAX_RETRY_WAIT,
    Politeness,
    RateLimiter,
    TargetGone,
    retry_after_seconds,
)
from ticonf.settings import Target

TARGET = Target("http://target.test/v1", "key", "secret")


def throttling_transport(refusals: int, retry_after: str = "2") -> httpx.MockTransport:
    """Answers 429 `refusals` times, then 200."""
    calls = {"n": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= refusals:
            return httpx.Response(429, headers={"Retry-After": retry_after}, json={})
        return httpx.Response(200, json={"model": {"id": "m"}})

    return httpx.MockTransport(handle)


def client(transport: httpx.MockTransport, sleeps: list[float], retries: int = 3) -> ApiClient:
    politeness = Politeness(retries=retries, sleep=sleeps.append)
    return ApiClient(TARGET, Recorder(), transport=transport, politeness=politeness)


def test_429_is_retried_after_retry_after_and_counted() -> None:
    sleeps: list[float] = []
    api = client(throttling_transport(2), sleeps)
    assert api.get_model("m").status_code == 200
    assert sleeps == [2.0, 2.0]
    assert api.recorder.retries == 2


def test_retries_are_bounded() -> None:
    sleeps: list[float] = []
    api = client(throttling_transport(10), sleeps, retries=3)
    assert api.get_model("m").status_code == 429
    assert len(sleeps) == 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (None, 1.0),
        ("soon", 1.0),
        ("99999", MAX_RETRY_WAIT),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_forms(header: str | None, expected: float) -> None:
    assert retry_after_seconds(header) == expected


def test_rate_limiter_spaces_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": 100.0}
    slept: list[float] = []
    monkeypatch.setattr("ticonf.politeness.time.monotonic", lambda: clock["now"])
    monkeypatch.setattr("ticonf.politeness.time.sleep", slept.append)
    limiter = RateLimiter(rate=4)
    for _ in range(3):
        limiter.wait()
    assert slept == [0.25, 0.5]


def test_authorization_never_reaches_the_record() -> None:
    api = client(throttling_transport(0), [])
    api.get_model("m")
    exchange = api.recorder.exchanges[0].to_dict()
    assert "secret" not in str(exchange)
    assert TARGET.authorization.split()[1] not in str(exchange)
    assert '"$TICONF_API_KEY:$TICONF_API_SECRET"' in exchange["curl"]


def test_curl_replays_deliberately_wrong_credentials_without_the_real_secret() -> None:
    api = client(throttling_transport(0), [])
    api.with_auth(("key", 'wrong"$')).get_model("m")
    api.with_auth(None).get_model("m")
    wrong, anonymous = (e.to_dict()["curl"] for e in api.recorder.exchanges)
    assert '-u "$TICONF_API_KEY:wrong\\"\\$"' in wrong
    assert "-u" not in anonymous
    assert "secret" not in wrong + anonymous


def test_a_target_that_keeps_failing_is_given_up_on() -> None:
    calls = {"n": 0}

    def refuse(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ConnectError("refused", request=request)

    api = client(httpx.MockTransport(refuse), [])
    for _ in range(8):
        with pytest.raises((httpx.ConnectError, TargetGone)):
            api.get_model("m")
    assert calls["n"] == api.politeness.give_up_after
    assert classify(TargetGone("gone")).kind == "network"
