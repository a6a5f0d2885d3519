"""Creating the suite's own resources on the target, recording them, and removing them.

The suite touches only what it created. Every model carries the run's name prefix and is
written to a ledger file the moment the target confirms it, so that a run killed without
warning can still be cleaned up later (`ticonf cleanup`).
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from ticonf.client.api import ApiClient
from ticonf.client.politeness import TargetGone
from ticonf.client.samples import png_base64, png_data_url
from ticonf.core.catalog import RequirementFailure

NAME_PREFIX = "ticonf-"
# Independent fixture requests (new models, new assets, deletions of different models) go
# out together on a few threads: against a distant target each would otherwise cost a round
# trip on the test's path. Writes to one model never overlap (a server may refuse that).
FIXTURE_THREADS = 8
# Fetching a model ahead for a test that keeps asking for fresh ones pays off only when a
# round trip costs more than a few milliseconds, and never while a rate limit is in force.
PREFETCH_ROUND_TRIP = 0.010
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def fixture_pool() -> ThreadPoolExecutor:
    """This process's threads for fixture requests (created on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(FIXTURE_THREADS, thread_name_prefix="ticonf-fixture")
        return _POOL


def together(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """The results of independent calls, made at once; the first error is raised after all
    of them ended (so every resource created is owned and cleaned up)."""
    if len(calls) <= 1:
        return [call() for call in calls]
    futures = [fixture_pool().submit(call) for call in calls]
    errors = [error for error in (f.exception() for f in futures) if error is not None]
    if errors:  # every call has ended by now: f.exception() waits for it
        raise errors[0]
    return [f.result() for f in futures]


# Scratch models are of an edit type: those train on before/after pairs (training guide), so
# a deployment may refuse pairs on any other type; they take training images all the same.
DEFAULT_MODEL_TYPE = "flux.2-dev-edit-lora"


class ProvisioningError(RuntimeError):
    """A fixture endpoint did not do what the suite needs; the test cannot proceed."""


class Ledger:
    """An append-only record of the resources a process created and deleted."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, kind: str, resource_id: str) -> None:
        if self.path is None:
            return
        line = json.dumps({"event": event, "kind": kind, "id": resource_id, "pid": os.getpid()})
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
            file.flush()


def live_resources(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """(kind, id) of every resource a ledger says was created and not yet deleted."""
    live: dict[tuple[str, str], None] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            key = (entry["kind"], entry["id"])
            if entry["event"] == "created":
                live[key] = None
            else:
                live.pop(key, None)
    yield from live


def _json_field(response: Any, *keys: str) -> Any:
    try:
        value = response.json()
        for key in keys:
            value = value[key]
        return value
    except (ValueError, KeyError, TypeError):
        return None


class Provisioner:
    """Scratch models, assets and training images for one test, removed when it ends."""

    def __init__(
        self, api: ApiClient, ledger: Ledger, run_id: str, model_type: str = DEFAULT_MODEL_TYPE
    ) -> None:
        self.api = api
        self.ledger = ledger
        self.run_id = run_id
        self.model_type = model_type
        self.models: list[str] = []
        self.assets: list[str] = []
        self._counter = 0
        self._asked = 0
        self._ahead: Future[str] | None = None
        self._lock = threading.Lock()
        self._kept: dict[str, Any] = {}

    def name(self, kind: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{NAME_PREFIX}{self.run_id}-{kind}-{os.getpid()}-{self._counter}"

    def model(self, model_type: str | None = None) -> str:
        """A fresh, empty scratch model. A test that asks again and again (one per generated
        example) gets the next one created while it works with this one, when that pays."""
        if model_type not in (None, self.model_type):
            return self._new_model(model_type)
        self._asked += 1
        ahead, self._ahead = self._ahead, None
        model_id = ahead.result() if ahead is not None else self._new_model()
        if self._asked >= 2 and self._prefetch_pays():
            self._ahead = fixture_pool().submit(self._new_model)
        return model_id

    def take(self, key: str) -> Any:
        """What an earlier example of this test kept under `key` for the next one, or None.

        A generated test whose examples each need a model in a state the previous example
        left it in, and checked, saves that model's creation and set-up this way. Taking it
        empties the slot, so an example that fails (and does not keep it again) leaves its
        model to nobody: the next example starts afresh. The model stays owned for cleanup."""
        return self._kept.pop(key, None)

    def keep(self, key: str, value: Any) -> None:
        """Offer `value` (a model and what is known of it) to the test's next example."""
        self._kept[key] = value

    def models_at_once(self, count: int) -> list[str]:
        """`count` fresh models, created together."""
        return together([self._new_model for _ in range(count)])

    def _new_model(self, model_type: str | None = None) -> str:
        response = self.api.create_model(self.name("model"), model_type or self.model_type)
        return self._created("model", response, "POST /models", self.models)

    def _prefetch_pays(self) -> bool:
        politeness = self.api.politeness
        if politeness.max_rps or politeness.pace.read()["rate"]:
            return False
        return self.api.round_trip() > PREFETCH_ROUND_TRIP

    def asset(self, seed: int = 0) -> str:
        response = self.api.create_asset(f"{self.name('asset')}.png", png_base64(seed))
        return self._created("asset", response, "POST /assets", self.assets)

    def assets_at_once(self, seeds: list[int]) -> list[str]:
        """One new asset per seed, created together, in the order of the seeds."""
        return together([functools.partial(self.asset, seed) for seed in seeds])

    def _created(self, kind: str, response: Any, call: str, owned: list[str]) -> str:
        """The new resource's ID, owned and written to the ledger the moment it exists."""
        resource_id = _json_field(response, kind, "id")
        if response.status_code != 200 or not isinstance(resource_id, str):
            raise ProvisioningError(f"{call} gave {response.status_code}: {response.text[:200]}")
        owned.append(resource_id)
        self.ledger.write("created", kind, resource_id)
        return resource_id

    def image(self, model_id: str, name: str | None = None, seed: int = 0) -> dict[str, Any]:
        """Add one image through the operation under test: if that fails, ADD-001 fails."""
        body = {"data": png_data_url(seed), "name": name or f"{self.name('image')}.png"}
        response = self.api.add(model_id, body)
        image = _json_field(response, "trainingImage")
        if response.status_code != 200 or not isinstance(image, dict) or "id" not in image:
            raise RequirementFailure(
                "ADD-001", f"Add of a valid PNG gave {response.status_code}: {response.text[:200]}"
            )
        return image

    def image_ids(self, model_id: str, count: int) -> list[str]:
        return [self.image(model_id, seed=i)["id"] for i in range(count)]

    def state(self, model_id: str) -> dict[str, Any]:
        """The model as GET /models/{modelId} shows it."""
        response = self.api.get_model(model_id)
        model = _json_field(response, "model")
        if response.status_code != 200 or not isinstance(model, dict):
            raise ProvisioningError(f"GET /models/{model_id} gave {response.status_code}")
        return model

    def cleanup(self) -> None:
        """Delete what this provisioner created, models and assets at once; what fails stays
        in the ledger for later. A model fetched ahead is waited for and deleted too."""
        if self._ahead is not None:
            self._ahead.exception()  # created (and owned) or failed: either way it is done
            self._ahead = None
        assets = None
        if self.assets:
            assets = fixture_pool().submit(remove_all, self.api, self.ledger, "asset", self.assets)
        remove_all(self.api, self.ledger, "model", self.models, FIXTURE_THREADS)
        if assets is not None:
            assets.result()


GONE = (200, 204, 404)


def remove_all(
    api: ApiClient, ledger: Ledger, kind: str, ids: list[str], at_once: int = 1
) -> list[str]:
    """Delete models one by one (`at_once` of them together), assets 100 at a time; returns
    the IDs that could not go."""
    batches: list[list[str]] = []
    while ids:
        batch = [ids.pop()] if kind == "model" else [ids.pop() for _ in range(min(len(ids), 100))]
        batches.append(batch)
    removed = [functools.partial(_remove, api, ledger, kind, batch) for batch in batches]
    if at_once > 1:
        return [i for chunk in together(removed) for i in chunk]
    return [i for remove in removed for i in remove()]


def _remove(api: ApiClient, ledger: Ledger, kind: str, batch: list[str]) -> list[str]:
    """Delete one model or one batch of assets; returns the IDs that are still there."""
    try:
        response = api.delete_model(batch[0]) if kind == "model" else api.delete_assets(batch)
        gone = response.status_code in GONE
    except (httpx.TransportError, TargetGone):
        gone = False  # stays in the ledger for `ticonf cleanup`
    if not gone:
        return list(batch)
    for resource_id in batch:
        ledger.write("deleted", kind, resource_id)
    return []
