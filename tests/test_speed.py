"""Speed against distant targets: workers follow the round trip, fixtures go out together."""

from __future__ import annotations

import itertools
import json
import threading

import httpx
import pytest

from ticonf.client.api import ApiClient
from ticonf.client.config import Target
from ticonf.client.exchanges import Recorder
from ticonf.client.politeness import Limits
from ticonf.client.preflight import choose_workers
from ticonf.client.provisioning import Ledger, Provisioner, live_resources, together

TARGET = Target("http://target.test/v1", "key", "secret")


def test_loopback_gets_the_cores() -> None:
    assert choose_workers(0.0, cores=2, load=0) == 2
    assert choose_workers(0.001, cores=2, load=0) == 2
    assert choose_workers(None, cores=4, load=0) == 4


def test_a_distant_target_gets_more_workers_up_to_the_cap() -> None:
    near, far, farther = (choose_workers(rtt, cores=2, load=0) for rtt in (0.01, 0.05, 0.15))
    assert 2 < near <= far <= farther <= 6
    assert choose_workers(0.15, cores=2, max_workers=3, load=0) == 3
    assert choose_workers(0.15, cores=2, max_workers=12, load=0) > 6


def test_a_busy_machine_gets_fewer_workers() -> None:
    idle, busy = (choose_workers(0.05, cores=2, max_workers=20, load=x) for x in (0.5, 10))
    assert 2 <= busy < idle


class FakeApi:
    """A target that creates models and assets and deletes them, remembering the threads."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.threads: set[str] = set()
        self.live: set[str] = set()
        self.lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.threads.add(threading.current_thread().name)
            if request.method == "POST":
                kind = request.url.path.rsplit("/", 1)[-1].rstrip("s")
                resource_id = f"{kind}_{next(self.ids)}"
                self.live.add(resource_id)
                return httpx.Response(200, json={kind: {"id": resource_id}})
            if request.url.path.endswith("/assets"):
                for asset in json.loads(request.content)["assetIds"]:
                    self.live.discard(asset)
            else:
                self.live.discard(request.url.path.rsplit("/", 1)[-1])
            return httpx.Response(200, json={})


def provisioner(tmp_path) -> tuple[Provisioner, FakeApi, Ledger]:
    fake = FakeApi()
    api = ApiClient(TARGET, Recorder(), transport=httpx.MockTransport(fake.handle))
    ledger = Ledger(tmp_path / "resources.ndjson")
    return Provisioner(api, ledger, "run"), fake, ledger


def test_fixtures_created_together_are_owned_counted_and_cleaned_up(tmp_path) -> None:
    provision, fake, ledger = provisioner(tmp_path)
    models = provision.models_at_once(5)
    assets = provision.assets_at_once([1, 2, 3])
    assert len(set(models)) == 5 and len(set(assets)) == 3
    assert provision.api.recorder.total == 8
    assert len(list(live_resources([ledger.path]))) == 8
    provision.cleanup()
    assert fake.live == set()
    assert list(live_resources([ledger.path])) == []
    assert len(fake.threads) > 1, "the requests went out on several threads"


def test_a_model_fetched_ahead_is_cleaned_up_unused(tmp_path, monkeypatch) -> None:
    provision, fake, ledger = provisioner(tmp_path)
    monkeypatch.setattr(ApiClient, "round_trip", staticmethod(lambda: 0.05))
    first, second = provision.model(), provision.model()
    assert first != second
    provision.cleanup()
    assert fake.live == set() and list(live_resources([ledger.path])) == []
    assert provision.api.recorder.total == 3 + 3, "two used, one ahead, all three deleted"


def test_no_model_is_fetched_ahead_on_loopback_or_under_a_rate_limit(tmp_path, monkeypatch):
    provision, _, _ = provisioner(tmp_path)
    for _ in range(3):
        provision.model()
    assert provision.api.recorder.total == 3
    monkeypatch.setattr(ApiClient, "round_trip", staticmethod(lambda: 0.05))
    provision.api.politeness.pace.learn(Limits(rate=5.0), None)
    provision.model()
    assert provision.api.recorder.total == 4


def test_together_raises_the_first_error_after_every_call_ended() -> None:
    ended = []

    def slow_ok() -> int:
        ended.append("ok")
        return 1

    def broken() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        together([broken, slow_ok, slow_ok])
    assert ended == ["ok", "ok"]
