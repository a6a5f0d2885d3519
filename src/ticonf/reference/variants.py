"""Legal variants of the reference server: other answers to what the documentation leaves open.

The documentation of the training-images API fixes the 200 responses and a few rules, and
leaves much open: which 4xx an error gets, whether Replace keeps the ID, the ID and timestamp
formats, extra fields, the fate of pairs of a deleted image, compression, extra methods...
Each variant here is one such choice a correct server could make, written as a small mixin of
the reference service. The suite must pass (exit 0) against every variant alone and against
all of them at once: a variant may fail a SHOULD (a convention), never a MUST.

`ticonf serve --variant NAME[,NAME...]` (or `--variant all`) composes the chosen mixins into
one service class, on top of a fault when `--fault` is given too. Variants that act on the HTTP
layer (extra routes, middleware) provide `extra_routes()` or `middleware()`, which the app
picks up from the service.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticonf.core.registry import Registry
from ticonf.reference.service import (
    ApiError,
    Asset,
    ImageSource,
    Model,
    ReferenceService,
    TrainingImage,
)

ALL = "all"


@dataclass(frozen=True)
class Variant:
    """A legal variant. `concerns` names the requirements whose checks could wrongly fail it:
    the project's calibration test runs those checks against the variant alone."""

    name: str
    summary: str
    concerns: tuple[str, ...]
    mixin: type[ReferenceService]


VARIANTS: Registry[Variant] = Registry("variant", "`ticonf variants` lists them")


def variant(name: str, summary: str, *concerns: str):
    """Register the decorated service mixin as the variant `name`."""
    return VARIANTS.register(name, lambda cls: Variant(name, summary, concerns, cls))


def all_variants() -> list[Variant]:
    return VARIANTS.entries()


def parse_variants(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Variant names from `a,b` (or `all`), checked against the registry; () for none."""
    if not text:
        return ()
    items = text.split(",") if isinstance(text, str) else [n for t in text for n in t.split(",")]
    names = [item.strip() for item in items if item.strip()]
    if ALL in names:
        return VARIANTS.names()
    for name in names:
        VARIANTS.lookup(name)  # a ConfigError for the first unknown name
    return tuple(dict.fromkeys(names))


def compose(
    names: Iterable[str], base: type[ReferenceService] = ReferenceService
) -> type[ReferenceService]:
    """One service class: the variants' mixins, in registry order, on top of `base`; a
    variant that `base` already is (a fault built on it) is not added twice, which would
    leave no consistent method order."""
    wanted = set(names)
    chosen = [
        entry.mixin
        for entry in VARIANTS.entries()
        if entry.name in wanted and not issubclass(base, entry.mixin)
    ]
    if not chosen:
        return base
    label = "".join(mixin.__name__ for mixin in chosen)
    return type(f"{label}On{base.__name__}", (*chosen, base), {})


def _error_status(body: Any) -> Any:
    return body.get("error") if isinstance(body, dict) else None


class HttpOptions(ReferenceService):
    """The hooks of variants that change the HTTP layer; the app reads them from the service."""

    def extra_routes(self) -> list[Route]:
        """Routes served after the documented ones (so they only add methods or paths)."""
        return []

    def middleware(self) -> list[Middleware]:
        return []


# -- Replace, Add, Delete: what the documentation leaves open -----------------------------


@variant(
    "replace-new-id",
    "Replace stores the replacement under a new ID; the old ID is gone",
    "REPLACE-001",
    "REPLACE-002",
    "REPLACE-005",
    "ADD-014",
    "DELETE-002",
    "PAIRS-003",
)
class ReplaceNewId(ReferenceService):
    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        super().overwrite_image(model, image, name)
        self.remove_image(model, image.id)
        return self.store_image(model, name)


@variant(
    "batch-add-last",
    "Add with assetIds describes the last image added, and only that one",
    "ADD-003",
    "ADD-005",
    "SCHEMA-001",
)
class BatchAddLast(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().add_images(model_id, body)
        batch = response.pop("trainingImages", None)
        if batch:
            response["trainingImage"] = batch[-1]
        return response


@variant(
    "delete-body",
    "Delete answers an object with fields (deleted, id) instead of {}",
    "DELETE-001",
    "SCHEMA-001",
)
class DeleteBody(ReferenceService):
    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        super().delete_image(model_id, image_id)
        return {"deleted": True, "id": image_id, "modelId": model_id}


@variant(
    "name-default",
    "Add without a name names the image '' (data) or after its asset ID",
    "ADD-001",
    "ADD-004",
    "SCHEMA-003",
)
class NameDefault(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        name = super().data_url_name(body)
        return name if "name" in body else ""

    def find_asset(self, asset_id: Any) -> Asset:
        asset = super().find_asset(asset_id)
        return Asset(id=asset.id, name=asset.id, media_type=asset.media_type)


@variant(
    "pairs-prune",
    "Pairs naming a deleted or replaced image are removed from the model",
    "DELETE-002",
    "REPLACE-001",
    "PAIRS-003",
    "ISO-002",
)
class PairsPrune(ReferenceService):
    def prune(self, model: Model, image_id: str) -> None:
        model.pairs = [
            p for p in model.pairs if image_id not in (p.get("sourceId"), p.get("targetId"))
        ]

    def remove_image(self, model: Model, image_id: str) -> None:
        super().remove_image(model, image_id)
        self.prune(model, image_id)

    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        replacement = super().overwrite_image(model, image, name)
        self.prune(model, image.id)
        return replacement


@variant(
    "pairs-sorted",
    "Replace Pairs stores and returns the pairs sorted by sourceId, targetId",
    "PAIRS-001",
    "PAIRS-002",
    "PAIRS-003",
    "PAIRS-009",
    "PAIRS-010",
)
class PairsSorted(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        key = lambda p: (str(p.get("sourceId")), str(p.get("targetId")))  # noqa: E731
        super().store_pairs(model, sorted(pairs, key=key))


@variant(
    "pairs-unique",
    "Replace Pairs refuses a self-pair or a repeated (source, target) couple",
    "PAIRS-001",
    "PAIRS-005",
    "SCHEMA-003",
)
class PairsUnique(ReferenceService):
    def validate_pairs(self, model: Model, body: Any) -> list[dict[str, Any]]:
        pairs = super().validate_pairs(model, body)
        couples = [(p["sourceId"], p["targetId"]) for p in pairs]
        if any(s == t for s, t in couples) or len(set(couples)) != len(couples):
            raise ApiError(400, "a pair needs two different images, and each couple once")
        return pairs


@variant(
    "images-newest-first",
    "A model's trainingImages lists its 3 newest images, newest first",
    "ADD-003",
    "DELETE-003",
    "REPLACE-004",
    "ISO-001",
    "ISO-002",
)
class ImagesNewestFirst(ReferenceService):
    def model_view(self, model: Model) -> dict[str, Any]:
        view = super().model_view(model)
        newest = list(model.images.values())[::-1][:3]
        view["trainingImages"] = [self.image_view(model, image) for image in newest]
        return view


# -- formats -------------------------------------------------------------------------------


def _rekey(table: dict[str, Any], old: str, new: str) -> Any:
    item = table.pop(old)
    item.id = new
    table[new] = item
    return item


@variant(
    "ids-uuid",
    "Every ID is a bare UUID (no asset_ or model_ prefix)",
    "ADD-010",
    "ADD-011",
    "ADD-014",
    "REPLACE-003",
    "DELETE-003",
    "SCHEMA-001",
)
class IdsUuid(ReferenceService):
    def create_model(self, body: Any) -> dict[str, Any]:
        with self.lock:
            response = super().create_model(body)
            model = _rekey(self.models, response["model"]["id"], str(uuid.uuid4()))
            return {**response, "model": self.model_view(model)}

    def create_asset(self, body: Any) -> dict[str, Any]:
        with self.lock:
            response = super().create_asset(body)
            asset = _rekey(self.assets, response["asset"]["id"], str(uuid.uuid4()))
            return {**response, "asset": asset.view()}

    def store_image(self, model: Model, name: str) -> TrainingImage:
        image = super().store_image(model, name)
        return _rekey(model.images, image.id, str(uuid.uuid4()))


def _parsed(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@variant(
    "timestamps-offset",
    "createdAt in +02:00 with microseconds (...T13:19:41.579000+02:00)",
    "ADD-002",
    "SCHEMA-001",
)
class TimestampsOffset(ReferenceService):
    ZONE = timezone(timedelta(hours=2))

    def restamp(self, stamp: str) -> str:
        return _parsed(stamp).astimezone(self.ZONE).isoformat(timespec="microseconds")

    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        return {**view, "createdAt": self.restamp(view["createdAt"])}


@variant(
    "timestamps-local",
    "createdAt without fraction nor offset (2023-02-03T11:19:41)",
    "ADD-002",
    "SCHEMA-001",
)
class TimestampsLocal(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        plain = _parsed(view["createdAt"]).replace(tzinfo=None).isoformat(timespec="seconds")
        return {**view, "createdAt": plain}


@variant(
    "download-url-signed",
    "downloadUrl is a signed CDN URL with a query string",
    "ADD-002",
    "SCHEMA-001",
)
class DownloadUrlSigned(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        url = f"https://cdn.reference.invalid/{image.id}.png?Expires=1999999999&Signature=abc%2B1"
        return {**view, "downloadUrl": url}


@variant(
    "count-float",
    "Replace Pairs writes count as a float (2.0)",
    "PAIRS-001",
    "PAIRS-007",
    "PAIRS-009",
    "SCHEMA-001",
)
class CountFloat(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().replace_pairs(model_id, body)
        return {**response, "count": float(response["count"])}


@variant(
    "extra-fields",
    "Every object of every answer carries fields the documentation never names",
    "ADD-001",
    "PAIRS-001",
    "PAIRS-003",
    "DELETE-001",
    "SCHEMA-001",
)
class ExtraFields(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        return {**view, "status": "ready", "tags": [], "width": 1, "ownerId": "user_x"}

    def pairs_view(self, model: Model) -> list[dict[str, Any]]:
        return [{**pair, "id": f"pair_{n}"} for n, pair in enumerate(super().pairs_view(model))]

    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        if isinstance(payload, dict):
            payload = {**payload, "requestId": uuid.uuid4().hex}
        return super().encode(status, payload)


# -- lenient parsing -----------------------------------------------------------------------


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


@variant(
    "lenient-null",
    "null for an optional field is read as the field being absent",
    "SCHEMA-002",
    "ADD-008",
    "ADD-009",
    "PAIRS-005",
    "SCHEMA-004",
)
class LenientNull(ReferenceService):
    def image_source(self, body: Any) -> ImageSource:
        return super().image_source(_without_nulls(body))

    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        return super().validate_pair(model, _without_nulls(pair))


@variant(
    "lenient-types",
    "Numbers and booleans given for name or instruction are kept as text",
    "SCHEMA-002",
    "ADD-012",
    "SCHEMA-004",
)
class LenientTypes(ReferenceService):
    @staticmethod
    def as_text(body: Any, *keys: str) -> Any:
        if not isinstance(body, dict):
            return body
        loose = {k: str(body[k]) for k in keys if isinstance(body.get(k), int | float | bool)}
        return {**body, **loose}

    def image_source(self, body: Any) -> ImageSource:
        return super().image_source(self.as_text(body, "name"))

    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        return super().validate_pair(model, self.as_text(pair, "instruction"))


# -- error statuses and bodies -------------------------------------------------------------


@variant(
    "json-422",
    "A malformed JSON body answers 422 (as FastAPI does), not 400",
    "HTTP-003",
    "HTTP-002",
    "HTTP-005",
)
class Json422(ReferenceService):
    def parse_json(self, raw: bytes) -> Any:
        try:
            return super().parse_json(raw)
        except ApiError as error:
            raise ApiError(422, error.message) from None


@variant(
    "status-422",
    "Every validation error answers 422 instead of 400",
    "HTTP-003",
    "SCHEMA-002",
    "ADD-006",
    "ADD-007",
    "ADD-008",
    "ADD-009",
    "PAIRS-005",
    "PAIRS-006",
    "REPLACE-004",
    "HTTP-005",
)
class Status422(ReferenceService):
    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        if status == 400:
            status = 422
            error = _error_status(payload)
            if isinstance(error, dict):
                payload = {**payload, "error": {**error, "status": 422}}
        return super().encode(status, payload)


@variant(
    "status-409",
    "Unknown assets and pairs of foreign images answer 409 Conflict",
    "ADD-011",
    "PAIRS-005",
    "REPLACE-004",
)
class Status409(ReferenceService):
    def find_asset(self, asset_id: Any) -> Asset:
        try:
            return super().find_asset(asset_id)
        except ApiError as error:
            raise ApiError(409, error.message) from None

    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        try:
            return super().validate_pair(model, pair)
        except ApiError as error:
            if "training image" in error.message:
                raise ApiError(409, error.message) from None
            raise


@variant(
    "unknown-asset-400",
    "An unknown assetId answers 400 (invalid body), not 404",
    "ADD-011",
    "REPLACE-004",
)
class UnknownAsset400(ReferenceService):
    def find_asset(self, asset_id: Any) -> Asset:
        try:
            return super().find_asset(asset_id)
        except ApiError as error:
            raise ApiError(400, error.message) from None


@variant(
    "path-ids-422",
    "An ID in the path that is not of the server's format answers 422",
    "ADD-010",
    "PAIRS-008",
    "REPLACE-003",
    "DELETE-002",
    "DELETE-003",
    "ISO-001",
    "STATUS-003",
)
class PathIds422(ReferenceService):
    """What a framework with typed path parameters (a UUID, a prefixed ID) answers."""

    def well_formed(self, value: str, prefix: str) -> bool:
        try:
            uuid.UUID(value)
            return True
        except ValueError:
            head, _, tail = value.partition("_")
            return head == prefix and len(tail) == 22 and tail.isalnum()

    def find_model(self, model_id: str) -> Model:
        if not self.well_formed(model_id, "model"):
            raise ApiError(422, f"modelId {model_id!r} is not a model ID")
        return super().find_model(model_id)

    def find_image(self, model: Model, image_id: str) -> TrainingImage:
        if not self.well_formed(image_id, "asset"):
            raise ApiError(422, f"trainingImageId {image_id!r} is not an image ID")
        return super().find_image(model, image_id)


@variant(
    "auth-403",
    "A wrong API secret or an unknown key answers 403; missing credentials 401",
    "AUTH-001",
    "AUTH-002",
    "AUTH-003",
    "AUTH-004",
)
class Auth403(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        try:
            super().authenticate(authorization)
        except ApiError as error:
            if authorization and error.status == 401:
                raise ApiError(403, "these credentials may not use this API") from None
            raise


@variant(
    "error-shape",
    'Error bodies are {"detail": "..."} (FastAPI), not {"error": {...}}',
    "HTTP-002",
    "SCHEMA-001",
    "STATUS-001",
)
class ErrorShape(ReferenceService):
    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        error = _error_status(payload)
        if status >= 400 and isinstance(error, dict):
            payload = {"detail": error.get("message", "")}
        return super().encode(status, payload)


# -- HTTP transport ------------------------------------------------------------------------


async def _no_content(request: Request) -> Response:
    return Response(status_code=204, headers={"Allow": "OPTIONS, GET, POST, PUT, DELETE"})


@variant(
    "extra-methods",
    "A GET list on .../training-images, and OPTIONS answered 204 everywhere",
    "HTTP-001",
    "HTTP-004",
)
class ExtraMethods(HttpOptions):
    def list_images(self, model_id: str) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            return {"trainingImages": [self.image_view(model, i) for i in model.images.values()]}

    def extra_routes(self) -> list[Route]:
        from ticonf.reference.app import IMAGES, endpoint

        def list_images(service: Any, request: Any, body: Any) -> Any:
            return service.list_images(request.path_params["modelId"])

        listing = endpoint(list_images, with_body=False)
        paths = (IMAGES, f"{IMAGES}/pairs", f"{IMAGES}/{{trainingImageId:image_id}}")
        return [
            *super().extra_routes(),
            Route(IMAGES, listing, methods=["GET"]),
            *(Route(path, _no_content, methods=["OPTIONS"]) for path in paths),
        ]


class _HeaderMiddleware:
    """Adds fixed response headers to every answer."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)


@variant(
    "connection-close",
    "Every answer carries Connection: close (no keep-alive)",
    "HTTP-001",
    "HTTP-002",
    "SCHEMA-003",
)
class ConnectionClose(HttpOptions):
    def middleware(self) -> list[Middleware]:
        closing = Middleware(_HeaderMiddleware, headers={"Connection": "close"})
        return [*super().middleware(), closing]


class _GzipEverything:
    """Compresses every answer with a body when the client accepts gzip (also tiny ones)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepts = dict(scope.get("headers", [])).get(b"accept-encoding", b"")
        if scope["type"] != "http" or b"gzip" not in accepts:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collecting(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            if body:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
                headers["Vary"] = "Accept-Encoding"
            headers["Content-Length"] = str(len(body))
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collecting)


@variant(
    "gzip",
    "Every answer is gzip-compressed when the client accepts it",
    "HTTP-002",
    "SCHEMA-001",
)
class Gzip(HttpOptions):
    def middleware(self) -> list[Middleware]:
        return [*super().middleware(), Middleware(_GzipEverything)]


__all__ = ["VARIANTS", "Variant", "all_variants", "compose", "parse_variants", "variant"]
