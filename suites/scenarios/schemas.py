"""The documented 200 response schemas of spec/openapi.yaml, as plain JSON Schema checks.

The OpenAPI response schemas used here are plain JSON Schema (types, required, items, formats),
so a Draft 4 validator whose root carries the spec's components resolves every $ref in them.
The one format the responses use is checked here, without optional packages: `uri` as an
absolute URI. createdAt carries no format: the documentation says ISO-8601, not RFC 3339, and
ADD-002 checks it.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft4Validator, FormatChecker

from ticonf.core.catalog import OPENAPI_PATH

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


@functools.cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator(method: str, path: str) -> Draft4Validator:
    spec = _spec()
    operation = spec["paths"][path][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft4Validator({**schema, "components": spec["components"]}, format_checker=FORMATS)


def response_errors(method: str, path: str, body: Any) -> list[str]:
    """Where `body` breaks the documented 200 schema of the operation (empty: it conforms)."""
    errors = _validator(method, path).iter_errors(body)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors][:5]
