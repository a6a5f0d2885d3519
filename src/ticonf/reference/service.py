"""The reference implementation of the training-images API, in memory.

`ReferenceService` holds the state and the documented behaviour; the HTTP layer (`app.py`)
only translates requests into calls of its methods. Each rule lives in one small method so that
the fault catalog can change exactly one behaviour by overriding exactly one method.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.reference.images import decode_data_url, decode_image

PRESETS = ("default", "style", "subject")
MAX_BATCH_ASSETS = 10
MAX_DELETE_ASSETS = 100
DOWNLOAD_BASE = "https://assets.reference.invalid"


class ApiError(Exception):
    """An error response: its status code and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(11)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Asset:
    id: str
    name: str
    media_type: str
    created_at: str = field(default_factory=now_iso)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "mimeType": self.media_type,
            "url": f"{DOWNLOAD_BASE}/assets/{self.id}",
            "createdAt": self.created_at,
        }


@dataclass
class TrainingImage:
    id: str
    name: str
    created_at: str = field(default_factory=now_iso)
    description: str = ""
    automatic_captioning: str = ""


@dataclass
class Model:
    id: str
    name: str
    type: str
    created_at: str = field(default_factory=now_iso)
    images: dict[str, TrainingImage] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImageSource:
    """What an Add or Replace body asks for: one new image, or existing assets."""

    names: tuple[str, ...]


class ReferenceService:
    """State and rules of the API. Thread-safe: every public operation holds one lock."""

    # The HTTP layer calls the operations on its event loop, one at a time; a service that
    # sets this is called from a thread pool instead, so that requests really overlap (the
    # concurrency faults need it to show their races).
    runs_in_threads = False

    def __init__(
        self, api_key: str = DEFAULT_API_KEY, api_secret: str = DEFAULT_API_SECRET
    ) -> None:
        self.lock = threading.RLock()
        self.models: dict[str, Model] = {}
        self.assets: dict[str, Asset] = {}
        self.credentials = (api_key, api_secret)

    # -- HTTP-facing rules ---------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """Basic auth with the API key as user and the API secret as password."""
        if not authorization:
            raise ApiError(401, "credentials are required (HTTP Basic: API key and secret)")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "basic" or self.basic_credentials(token) != self.credentials:
            raise ApiError(401, "the API key or secret is not valid")

    def basic_credentials(self, token: str) -> tuple[str, str] | None:
        try:
            user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return (user, password) if sep else None

    def check_query(self, method: str, params: dict[str, str]) -> None:
        """The documented query parameters: projectId (any value), originalAssets true|false."""
        original = params.get("originalAssets")
        if original is not None and original not in ("true", "false"):
            raise bad_request("originalAssets must be true or false")

    def parse_json(self, raw: bytes) -> Any:
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise bad_request(f"the body is not valid JSON: {type(error).__name__}") from None

    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        """Status, body and content type of a response. ASCII-escaped, so any string survives."""
        return status, json.dumps(payload).encode("ascii"), "application/json"

    # -- fixture endpoints -------------------------------------------------------------

    def create_model(self, body: Any) -> dict[str, Any]:
        body = self.require_object(body)
        name = self.optional_string(body, "name", default="untitled")
        model_type = self.optional_string(body, "type", default="flux.1-lora")
        model = Model(id=new_id("model"), name=name, type=model_type)
        with self.lock:
            self.models[model.id] = model
        return {"model": self.model_view(model)}

    def get_model(self, model_id: str) -> dict[str, Any]:
        with self.lock:
            return {"model": self.model_view(self.find_model(model_id))}

    def delete_model(self, model_id: str) -> dict[str, Any]:
        with self.lock:
            self.find_model(model_id)
            del self.models[model_id]
        return {}

    def create_asset(self, body: Any) -> dict[str, Any]:
        body = self.require_object(body)
        image = body.get("image")
        decoded = decode_image(image) if isinstance(image, str) else None
        if decoded is None:
            raise bad_request("image must be an image, as base64 or as a data URL")
        name = self.optional_string(body, "name", default="asset")
        asset = Asset(id=new_id("asset"), name=name, media_type=decoded[0])
        with self.lock:
            self.assets[asset.id] = asset
        return {"asset": asset.view()}

    def delete_assets(self, body: Any) -> dict[str, Any]:
        """DELETE /assets with {"assetIds": [...]} (at most 100), as the SDK sends it."""
        asset_ids = self.require_object(body).get("assetIds")
        if not isinstance(asset_ids, list) or not 1 <= len(asset_ids) <= MAX_DELETE_ASSETS:
            raise bad_request(f"assetIds must be an array of 1 to {MAX_DELETE_ASSETS} asset IDs")
        with self.lock:
            for asset_id in asset_ids:
                if isinstance(asset_id, str):
                    self.assets.pop(asset_id, None)
        return {}

    # -- the four operations -------------------------------------------------------------

    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            source = self.image_source(body)
            added = [self.store_image(model, name) for name in source.names]
        response: dict[str, Any] = {"trainingImage": self.image_view(model, added[0])}
        if len(added) > 1:
            response["trainingImages"] = [self.image_view(model, image) for image in added]
        return response

    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            image = self.find_image(model, image_id)
            source = self.image_source(body)
            if len(source.names) != 1:
                raise bad_request("Replace takes one image: use data or assetId, not assetIds")
            replacement = self.overwrite_image(model, image, source.names[0])
            return {"trainingImage": self.image_view(model, replacement)}

    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            self.find_image(model, image_id)
            self.remove_image(model, image_id)
        return {}

    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            pairs = self.validate_pairs(model, body)
            self.store_pairs(model, pairs)
            stored = self.pairs_view(model)
        return {"count": len(stored), "pairs": stored}

    # -- lookups -------------------------------------------------------------------------

    def find_model(self, model_id: str) -> Model:
        model = self.models.get(model_id)
        if model is None:
            raise not_found(f"model {model_id!r} does not exist")
        return model

    def find_image(self, model: Model, image_id: str) -> TrainingImage:
        image = model.images.get(image_id)
        if image is None:
            raise not_found(f"training image {image_id!r} does not exist in this model")
        return image

    def find_asset(self, asset_id: Any) -> Asset:
        if not isinstance(asset_id, str) or not asset_id:
            raise bad_request("an asset ID must be a non-empty string")
        asset = self.assets.get(asset_id)
        if asset is None:
            raise not_found(f"asset {asset_id!r} does not exist")
        return asset

    # -- validation ----------------------------------------------------------------------

    def require_object(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("the body must be a JSON object")
        return body

    def optional_string(self, body: dict[str, Any], key: str, default: str) -> str:
        value = body.get(key, default)
        if not isinstance(value, str):
            raise bad_request(f"{key} must be a string")
        return value

    def image_source(self, body: Any) -> ImageSource:
        body = self.require_object(body)
        self.check_preset(body)
        if "assetIds" in body:
            return self.batch_source(body)
        if "assetId" in body:
            return ImageSource(names=(self.find_asset(body["assetId"]).name,))
        return ImageSource(names=(self.data_url_name(body),))

    def check_preset(self, body: dict[str, Any]) -> None:
        if "preset" in body and body["preset"] not in PRESETS:
            raise bad_request(f"preset must be one of {', '.join(PRESETS)}")

    def batch_source(self, body: dict[str, Any]) -> ImageSource:
        self.check_batch_alone(body)
        asset_ids = body["assetIds"]
        self.check_batch_size(asset_ids)
        return ImageSource(names=tuple(self.find_asset(i).name for i in asset_ids))

    def check_batch_alone(self, body: dict[str, Any]) -> None:
        mixed = sorted({"assetId", "data", "name"} & body.keys())
        if mixed:
            raise bad_request(f"assetIds cannot be combined with {', '.join(mixed)}")

    def check_batch_size(self, asset_ids: Any) -> None:
        if not isinstance(asset_ids, list) or not 1 <= len(asset_ids) <= MAX_BATCH_ASSETS:
            raise bad_request(f"assetIds must be an array of 1 to {MAX_BATCH_ASSETS} asset IDs")

    def data_url_name(self, body: dict[str, Any]) -> str:
        data = body.get("data")
        if data is None:
            raise bad_request("one of data, assetId or assetIds is required")
        if not isinstance(data, str) or decode_data_url(data) is None:
            raise bad_request("data must be an image as a data URL (data:image/...;base64,...)")
        return self.optional_string(body, "name", default="image")

    def validate_pairs(self, model: Model, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, list):
            raise bad_request("the body must be a JSON array of pairs")
        return [self.validate_pair(model, pair) for pair in body]

    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        pair = self.require_object(pair)
        for key in ("sourceId", "targetId"):
            value = pair.get(key)
            if not isinstance(value, str) or value not in model.images:
                raise bad_request(f"{key} must be the ID of a training image of this model")
        if not isinstance(pair.get("instruction", ""), str):
            raise bad_request("instruction must be a string")
        return {k: pair[k] for k in ("sourceId", "targetId", "instruction") if k in pair}

    # -- state changes -------------------------------------------------------------------

    def store_image(self, model: Model, name: str) -> TrainingImage:
        image = TrainingImage(id=new_id("asset"), name=name)
        model.images[image.id] = image
        return image

    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        replacement = TrainingImage(id=image.id, name=name)
        model.images[image.id] = replacement
        return replacement

    def remove_image(self, model: Model, image_id: str) -> None:
        del model.images[image_id]

    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        model.pairs = pairs

    # -- views ---------------------------------------------------------------------------

    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        return {
            "id": image.id,
            "name": image.name,
            "createdAt": image.created_at,
            "description": image.description,
            "automaticCaptioning": image.automatic_captioning,
            "downloadUrl": f"{DOWNLOAD_BASE}/{model.id}/{image.id}",
        }

    def pairs_view(self, model: Model) -> list[dict[str, Any]]:
        return [dict(pair) for pair in model.pairs]

    def model_view(self, model: Model) -> dict[str, Any]:
        images = list(model.images.values())
        return {
            "id": model.id,
            "name": model.name,
            "type": model.type,
            "status": "new",
            "createdAt": model.created_at,
            "trainingImagesNumber": len(images),
            "trainingImages": [self.image_view(model, image) for image in images[:3]],
            "trainingImagePairs": self.pairs_view(model),
        }
