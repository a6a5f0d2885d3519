"""Creating the suite's own resources on the target, recording them, and removing them.

The suite touches only what it created. Every model carries the run's name prefix and is
written to a ledger file the moment the target confirms it, so that a run killed without
warning can still be cleaned up later (`ticonf cleanup`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from ticonf.catalog import RequirementFailure
from ticonf.client import ApiClient
from ticonf.politeness import TargetGone
from ticonf.samples import png_base64, png_data_url

NAME_PREFIX = "ticonf-"
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

    def name(self, kind: str) -> str:
        self._counter += 1
        return f"{NAME_PREFIX}{self.run_id}-{kind}-{os.getpid()}-{self._counter}"

    def model(self, model_type: str | None = None) -> str:
        response = self.api.create_model(self.name("model"), model_type or self.model_type)
        return self._created("model", response, "POST /models", self.models)

    def asset(self, seed: int = 0) -> str:
        response = self.api.create_asset(f"{self.name('asset')}.png", png_base64(seed))
        return self._created("asset", response, "POST /assets", self.assets)

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
        """Delete what this provisioner created; what fails stays in the ledger for later."""
        remove_all(self.api, self.ledger, "model", self.models)
        remove_all(self.api, self.ledger, "asset", self.assets)


GONE = (200, 204, 404)


def remove_all(api: ApiClient, ledger: Ledger, kind: str, ids: list[str]) -> list[str]:
    """Delete models one by one, assets 100 at a time; returns the IDs that could not go."""
    failed: list[str] = []
    while ids:
        batch = [ids.pop()] if kind == "model" else [ids.pop() for _ in range(min(len(ids), 100))]
        try:
            response = api.delete_model(batch[0]) if kind == "model" else api.delete_assets(batch)
            gone = response.status_code in GONE
        except (httpx.TransportError, TargetGone):
            gone = False  # stays in the ledger for `ticonf cleanup`
        for resource_id in batch:
            if gone:
                ledger.write("deleted", kind, resource_id)
            else:
                failed.append(resource_id)
    return failed
