"""HTTP faults: crashes on odd input, wrong codes for malformed requests, wrong content types."""

from __future__ import annotations

from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import crash
from ticonf.reference.service import ApiError, Asset, ReferenceService
from ticonf.reference.variants import Json422


@fault(
    "json-malformed-500",
    "A malformed JSON body crashes the parser: 500 instead of 400",
    "HTTP-001",
    "HTTP-003",
    "HTTP-005",
)
class JsonMalformed500(ReferenceService):
    def parse_json(self, raw: bytes) -> Any:
        try:
            return super().parse_json(raw)
        except ApiError:
            raise crash("JSON decoder") from None


@fault(
    "json-malformed-422",
    "A malformed JSON body answers 422 instead of 400",
    "HTTP-005",
)
class JsonMalformed422(Json422):
    """The json-422 variant, as a fault: legal, but not the 400 that HTTP-005 asks for."""


@fault(
    "body-not-object-500",
    "A body (or pair) that is not a JSON object crashes the handler: 500 instead of 4xx",
    "HTTP-001",
)
class BodyNotObject500(ReferenceService):
    def require_object(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise crash(f"'{type(body).__name__}' object has no attribute 'get'")
        return super().require_object(body)


@fault(
    "asset-id-type-500",
    "An assetId (or an item of assetIds) that is not a string crashes the lookup: 500",
    "HTTP-001",
)
class AssetIdType500(ReferenceService):
    def find_asset(self, asset_id: Any) -> Asset:
        if not isinstance(asset_id, str):
            raise crash(f"unhashable type: '{type(asset_id).__name__}'")
        return super().find_asset(asset_id)


@fault(
    "content-type-text-plain",
    "Every response body is JSON but labelled text/plain",
    "HTTP-002",
)
class ContentTypeTextPlain(ReferenceService):
    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        code, body, _ = super().encode(status, payload)
        return code, body, "text/plain"


@fault(
    "errors-as-html",
    "Error responses are HTML pages (text/html) instead of JSON",
    "HTTP-002",
)
class ErrorsAsHtml(ReferenceService):
    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        code, body, media_type = super().encode(status, payload)
        if code < 400:
            return code, body, media_type
        page = f"<html><body><h1>{code}</h1></body></html>".encode()
        return code, page, "text/html"


@fault(
    "method-not-allowed-404",
    "An undocumented method on a documented path answers 404 instead of 405",
    "HTTP-004",
)
class MethodNotAllowed404(ReferenceService):
    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        code, body, media_type = super().encode(status, payload)
        return (404 if code == 405 else code), body, media_type
