"""Real resources for generated requests, and the completion of positive cases.

A generated request is only a valid request if the IDs in it exist: a random modelId tests
the 404 path and nothing else. The spec cannot say "a real image" or "an existing asset"
either. So before a positive case is sent, its path points at the test's scratch model and at
a fresh training image, and its body gets a genuine PNG data URL, real assets and real training
images where the spec only says "string". Fields the spec does not document are dropped: a
correct server may reject them. Negative cases keep their invalid parts (see `negative`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ticonf.client.provisioning import Provisioner
from ticonf.client.samples import png_data_url
from ticonf.core import operations

# The operations as operation_key() gives them: (method, path template).
ADD, PAIRS = operations.ADD.route, operations.REPLACE_PAIRS.route
REPLACE, DELETE = operations.REPLACE.route, operations.DELETE.route

IMAGE_FIELDS = ("data", "name", "assetId", "assetIds", "preset")
PAIR_FIELDS = ("sourceId", "targetId", "instruction")
IMAGE_SOURCES = ("data", "assetId", "assetIds")
# The training guide allows 50 images per model; a scratch model is retired well before.
MODEL_CAPACITY = 40
PAIR_IMAGES = 3
DATA_URL = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2}$")


def operation_key(case: Any) -> tuple[str, str]:
    return (case.method.upper(), case.operation.path)


class Workspace:
    """The scratch models, images and assets of one test item (deleted with the item)."""

    def __init__(self, provision: Provisioner) -> None:
        self.provision = provision
        self._model: str | None = None
        self._images = 0
        self._pair_model: tuple[str, list[str]] | None = None
        self._kept_image: tuple[str, str] | None = None
        self._seed = 0

    def seed(self) -> int:
        self._seed += 1
        return self._seed

    def model(self, room: int = 1) -> str:
        """A scratch model with room for `room` more images; a fresh one when it is full."""
        if self._model is None or self._images + room > MODEL_CAPACITY:
            self._model = self.provision.model()
            self._images = 0
        self._images += room
        return self._model

    def image(self) -> tuple[str, str]:
        """(modelId, trainingImageId) of a new image, added through Add."""
        model_id = self.model()
        image = self.provision.image(model_id, seed=self.seed())
        return model_id, str(image["id"])

    def kept_image(self) -> tuple[str, str]:
        """One image for requests that must leave it as it is (rejected ones)."""
        if self._kept_image is None:
            self._kept_image = self.image()
        return self._kept_image

    def asset(self) -> str:
        return self.provision.asset(self.seed())

    def assets(self, count: int) -> list[str]:
        """`count` new assets, created together (independent requests)."""
        return self.provision.assets_at_once([self.seed() for _ in range(count)])

    def pair_model(self) -> tuple[str, list[str]]:
        """A model with a few training images that pairs can refer to (pairs add no images)."""
        if self._pair_model is None:
            model_id = self.provision.model()
            images = [self.provision.image(model_id, seed=self.seed()) for _ in range(PAIR_IMAGES)]
            self._pair_model = (model_id, [str(image["id"]) for image in images])
        return self._pair_model


def complete_positive(case: Any, workspace: Workspace) -> None:
    """Point a positive case at real resources and give it what only a real server can check."""
    key = operation_key(case)
    if key == ADD:
        body = image_body(case.body, workspace, batch=True)
        case.path_parameters = {"modelId": workspace.model(room=images_added(body))}
        case.body = body
    elif key == REPLACE:
        model_id, image_id = workspace.image()
        case.path_parameters = {"modelId": model_id, "trainingImageId": image_id}
        case.body = image_body(case.body, workspace, batch=False)
    elif key == DELETE:
        model_id, image_id = workspace.image()
        case.path_parameters = {"modelId": model_id, "trainingImageId": image_id}
    elif key == PAIRS:
        model_id, images = workspace.pair_model()
        case.path_parameters = {"modelId": model_id}
        case.body = pairs_body(case.body, images)


def is_data_url(value: Any) -> bool:
    """Whether `value` matches the spec's pattern for `data` (real image or not)."""
    return isinstance(value, str) and DATA_URL.match(value) is not None


def images_added(body: dict[str, Any]) -> int:
    return len(body["assetIds"]) if "assetIds" in body else 1


def image_body(generated: Any, workspace: Workspace, *, batch: bool) -> dict[str, Any]:
    """An Add or Replace body with a real image source.

    Replace replaces one image, so a generated batch becomes one asset there: whether a
    batch may replace a single image is not documented.
    """
    body = {k: v for k, v in dict(generated or {}).items() if k in IMAGE_FIELDS}
    if "assetIds" in body:
        if batch:
            body["assetIds"] = workspace.assets(len(body["assetIds"]))
        else:
            del body["assetIds"]
            body["assetId"] = workspace.asset()
    if "assetId" in body:
        body["assetId"] = workspace.asset()
    if "data" in body or not any(k in body for k in IMAGE_SOURCES):
        body["data"] = png_data_url(workspace.seed())
    return body


def pairs_body(generated: Any, images: list[str]) -> list[dict[str, Any]]:
    """Pairs between training images of the model, source and target always different, and
    each (source, target) couple once: whether a server takes a self-pair or a repeated couple
    is not documented (a server may refuse them), so a valid body has neither."""
    couples = [(s, t) for s in images for t in images if s != t]
    pairs = []
    for item in list(generated or [])[: len(couples)]:
        pair = {k: v for k, v in dict(item).items() if k in PAIR_FIELDS}
        pick = _pick((pair.get("sourceId"), pair.get("targetId")), len(couples))
        pair["sourceId"], pair["targetId"] = couples.pop(pick)
        pairs.append(pair)
    return pairs


def _pick(value: Any, count: int) -> int:
    """A stable index from a generated value, so shrinking keeps the same choice."""
    digest = hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=4)
    return int.from_bytes(digest.digest(), "big") % max(count, 1)
