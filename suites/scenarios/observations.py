"""Formats and transport choices the documentation leaves open, described for the report.

Nothing here fails a server: each function turns what a response shows (an ID, a timestamp,
extra fields, compression) into a short phrase that `observe` records and the report's
"Observed choices" section lists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from .support import TRAINING_IMAGE_FIELDS, json_body

Observe = Callable[[str, Any], None]
_PREFIXED = re.compile(r"^[a-z]+_[A-Za-z0-9]+$")
_FRACTION = re.compile(r"T\d{2}:\d{2}:\d{2}(?:[.,](\d+))?")


def id_format(value: Any) -> str:
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    try:
        uuid.UUID(value)
        return "UUID"
    except ValueError:
        pass
    if _PREFIXED.match(value):
        return f"prefixed ({value.split('_', 1)[0]}_...)"
    return "other"


def timestamp_format(value: Any) -> str:
    """'Z, 3 decimals', '+02:00, 6 decimals', 'no offset, seconds'... of an ISO-8601 text."""
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "not ISO-8601"
    match = _FRACTION.search(value)
    digits = len(match.group(1)) if match and match.group(1) else 0
    precision = f"{digits} decimals" if digits else "seconds"
    if parsed.tzinfo is None:
        return f"no offset, {precision}"
    offset = "Z" if value.upper().endswith("Z") else value[-6:]
    return f"{offset}, {precision}"


def url_form(value: Any) -> str:
    """'absolute (https)', with ', with a query' for a signed URL; or what else it is."""
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    parts = urlsplit(value)
    if not (parts.scheme and parts.netloc):
        return "relative"
    return f"absolute ({parts.scheme})" + (", with a query" if parts.query else "")


def extra_fields(image: Any) -> list[str]:
    return sorted(set(image) - set(TRAINING_IMAGE_FIELDS)) if isinstance(image, dict) else []


def record_image_formats(observe: Observe, response: httpx.Response) -> None:
    body = json_body(response)
    image = body.get("trainingImage") if isinstance(body, dict) else None
    if not isinstance(image, dict):
        return
    observe("id-format", id_format(image.get("id")))
    observe("created-at-format", timestamp_format(image.get("createdAt")))
    observe("download-url-form", url_form(image.get("downloadUrl")))
    observe("training-image-extra-fields", extra_fields(image))


def record_transport(observe: Observe, response: httpx.Response) -> None:
    headers = response.headers
    observe("content-encoding", headers.get("content-encoding") or "none")
    observe("connection", (headers.get("connection") or "keep-alive (default)").lower())


def record_count_type(observe: Observe, response: httpx.Response) -> None:
    body = json_body(response)
    count = body.get("count") if isinstance(body, dict) else None
    observe("count-type", type(count).__name__ if count is not None else "absent")


def record_error_shape(observe: Observe, response: httpx.Response) -> None:
    body = json_body(response)
    shape = sorted(body) if isinstance(body, dict) else type(body).__name__
    observe("error-body-fields", shape)
