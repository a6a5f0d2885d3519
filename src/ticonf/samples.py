"""Small, genuine images for requests, generated rather than shipped.

Any target may decode what it receives, so the suite only ever sends real images: PNGs built
here byte by byte (signature, IHDR, IDAT, IEND with correct CRCs), in any size and colour.
"""

from __future__ import annotations

import base64
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A valid RGB PNG of one colour."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(rgb) * width
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def png_data_url(seed: int = 0) -> str:
    """A data URL of a tiny PNG; different seeds give different images."""
    rgb = (seed * 37 % 256, seed * 91 % 256, seed * 13 % 256)
    encoded = base64.b64encode(png_bytes(rgb=rgb)).decode("ascii")
    return f"data:image/png;base64,{encoded}"


def png_base64(seed: int = 0) -> str:
    return png_data_url(seed).split(",", 1)[1]
