"""The client's manners: one pace for the whole run, limits learned, 429s waited out."""

from __future__ import annotations

import httpx
import pytest

from ticonf.client.api import ApiClient
from ticonf.client.config import Target
from ticonf.client.exchanges import Recorder
from ticonf.client.politeness import (
    ADVERTISED_SHARE,
    MAX_RETRY_WAIT,
    RECOVER_AFTER,
    Limits,
    Politeness,
    SharedPace,
    TargetGone,
    TargetThrottled,
    advertised_limits,
    policy_rate,
    retry_after_seconds,
)
from ticonf.schema.outcomes import classify

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


class FakeTime:
    """A clock that moves only when somebody sleeps; the sleeps are kept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(transport: httpx.MockTransport, time_: FakeTime | None = None, **options) -> ApiClient:
    time_ = time_ or FakeTime()
    politeness = Politeness(sleep=time_.sleep, clock=time_.clock, **options)
    return ApiClient(TARGET, Recorder(), transport=transport, politeness=politeness)


def test_429_is_retried_after_retry_after_and_counted() -> None:
    time_ = FakeTime()
    api = client(throttling_transport(2), time_)
    assert api.get_model("m").status_code == 200
    assert time_.sleeps == [2.0, 2.0]
    assert api.recorder.retries == 2


def test_a_429_is_waited_out_however_often_it_comes() -> None:
    time_ = FakeTime()
    api = client(throttling_transport(12, retry_after="1"), time_)
    assert api.get_model("m").status_code == 200
    assert api.recorder.retries == 12


def test_a_target_refusing_longer_than_max_throttle_is_a_network_error() -> None:
    time_ = FakeTime()
    api = client(throttling_transport(1000, retry_after="5"), time_, max_throttle=20)
    with pytest.raises(TargetThrottled, match="--max-throttle 20"):
        api.get_model("m")
    assert sum(time_.sleeps) <= 25
    assert classify(TargetThrottled("refused")).kind == "network"


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


def test_the_cap_spaces_requests() -> None:
    pace = SharedPace(clock=lambda: 100.0)
    assert [pace.slot(cap=4) for _ in range(3)] == [0.0, 0.25, 0.5]


def test_no_limit_no_wait() -> None:
    pace = SharedPace(clock=lambda: 100.0)
    assert [pace.slot(cap=None) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_processes_sharing_a_pace_file_take_turns(tmp_path) -> None:
    """Two workers (two SharedPace on one file) share one spacing, not one each."""
    first, second = (SharedPace(tmp_path / "pace.bin", clock=lambda: 50.0) for _ in range(2))
    waits = [pace.slot(cap=10) for pace in (first, second, first, second)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3])


def test_an_advertised_policy_sets_the_pace_of_every_process(tmp_path) -> None:
    first, second = (SharedPace(tmp_path / "pace.bin", clock=lambda: 50.0) for _ in range(2))
    first.learn(Limits(rate=20.0), throttled=None)
    assert second.read()["rate"] == pytest.approx(20 * ADVERTISED_SHARE)
    assert second.slot(cap=None) == 0.0
    assert second.slot(cap=None) == pytest.approx(1 / (20 * ADVERTISED_SHARE))


def test_a_429_pauses_every_process_until_retry_after(tmp_path) -> None:
    first, second = (SharedPace(tmp_path / "pace.bin", clock=lambda: 50.0) for _ in range(2))
    first.learn(Limits(), throttled=3.0)
    assert second.slot(cap=None) == pytest.approx(3.0)


def test_429s_without_headers_slow_the_pace_then_it_recovers() -> None:
    clock = {"now": 10.0}
    pace = SharedPace(clock=lambda: clock["now"])
    for _ in range(20):  # 100 requests/s
        pace.slot(cap=None)
        clock["now"] += 0.01
    pace.learn(Limits(), throttled=1.0)
    slowed = pace.read()["rate"]
    assert 10 < slowed < 100
    clock["now"] += RECOVER_AFTER + 1
    pace.learn(Limits(), throttled=None)
    assert pace.read()["rate"] > slowed


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ('"default";q=20;w=1', 20.0),
        ('"burst";q=100;w=10, "daily";q=1000;w=86400', 1000 / 86400),
        ("20;w=1", 20.0),
        ("100;w=60", 100 / 60),
        ('"default";q=5', 5.0),
        ("nonsense", None),
    ],
)
def test_policy_forms(value: str, rate: float | None) -> None:
    assert policy_rate(value) == (pytest.approx(rate) if rate else None)


def test_advertised_limits_forms() -> None:
    assert advertised_limits({"Content-Type": "application/json"}) == Limits()
    ietf = {"RateLimit-Policy": '"default";q=20;w=1', "RateLimit": '"default";r=0;t=2'}
    assert advertised_limits(ietf) == Limits(rate=20.0, wait=2.0)
    assert advertised_limits({"RateLimit": "limit=10, remaining=0, reset=3"}).wait == 3.0
    legacy = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}
    assert advertised_limits(legacy, now=1000000.0).wait == 5.0
    github = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2000000004"}
    assert advertised_limits(github, now=2000000000.0).wait == 4.0
    assert advertised_limits({"RateLimit-Remaining": "5", "RateLimit-Reset": "1"}).wait is None


def test_the_client_learns_from_the_headers_of_any_answer() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"RateLimit-Policy": "10;w=1"}, json={})

    time_ = FakeTime()
    api = client(httpx.MockTransport(handle), time_)
    for _ in range(4):
        api.get_model("m")
    # The first answer teaches the pace; the slot after it was already taken.
    assert time_.sleeps == pytest.approx([1 / (10 * ADVERTISED_SHARE)] * 2, abs=1e-5)


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


def test_429s_unrelated_to_the_pace_cannot_slow_a_run_to_a_crawl() -> None:
    """A target refusing every fifth request at any pace: the learned rate keeps a floor."""
    clock = {"now": 10.0}
    pace = SharedPace(clock=lambda: clock["now"])
    first = None
    for _ in range(50):
        for _ in range(5):
            clock["now"] += pace.slot(cap=None) + 0.001
        pace.learn(Limits(), throttled=0.0)
        first = first or pace.read()["rate"]
    assert pace.read()["rate"] >= 0.5 * first > 0


def test_idle_time_before_a_429_is_not_taken_for_the_target_s_limit() -> None:
    """The pre-flight check sends a few requests, the workers start seconds later and hit a
    429 at full speed: the pace must follow the speed the target accepted, not the idle gap."""
    clock = {"now": 10.0}
    pace = SharedPace(clock=lambda: clock["now"])
    for _ in range(3):  # the pre-flight check
        clock["now"] += pace.slot(cap=None) + 0.01
    clock["now"] += 8.0  # workers importing and collecting
    for _ in range(6):
        clock["now"] += pace.slot(cap=None) + 0.01
    pace.learn(Limits(), throttled=0.0)
    assert pace.read()["rate"] >= 50  # six requests in 0.06 s, not nine in eight seconds
