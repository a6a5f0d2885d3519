"""The documented 200 response schemas of spec/openapi.yaml, as plain JSON Schema checks.

The OpenAPI response schemas used here are plain JSON Schema (types, required, items, formats),
so a Draft 4 validator whose root carries the spec's components resolves every $ref in them.
The two formats the responses use are checked here, without optional packages: `date-time` as
RFC 3339 (what OpenAPI means by it) and `uri` as an absolute URI.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft4Validator, FormatChecker

from ticonf.catalog import OPENAPI_PATH

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


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
