"""Recognising images in data URLs and base64 payloads.

The API documents `data` as "the image as a data URL". The reference server accepts a data URL
only when its media type is `image/*`, its payload is valid base64 and the decoded bytes start
with the signature of a common image format: a server that stored anything would be too lenient.
"""

from __future__ import annotations

import base64
import binascii
import re

_DATA_URL = re.compile(r"^data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$", re.DOTALL)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def sniff_image(payload: bytes) -> str | None:
    """The media type the bytes' signature announces, or None when they are no known image."""
    for signature, media_type in _SIGNATURES:
        if payload.startswith(signature):
            return media_type
    if payload[:4] == b"RIFF" and payload[8:12] == b"WEBP":
        return "image/webp"
    return None


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_data_url(value: str) -> tuple[str, bytes] | None:
    """(media type, bytes) of an image data URL, or None when `value` is not one."""
    match = _DATA_URL.match(value)
    if match is None:
        return None
    payload = _b64decode(match.group(2))
    if not payload:
        return None
    media_type = sniff_image(payload)
    return (media_type, payload) if media_type else None


def decode_image(value: str) -> tuple[str, bytes] | None:
    """An image given either as a data URL or as bare base64 (as POST /assets accepts)."""
    if value.startswith("data:"):
        return decode_data_url(value)
    payload = _b64decode(value)
    media_type = sniff_image(payload) if payload else None
    return (media_type, payload) if media_type and payload else None
