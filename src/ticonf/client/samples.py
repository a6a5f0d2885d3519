"""Small, genuine images for requests, generated rather than shipped.

Any target may decode what it receives, so the suite only ever sends real images: tiny PNGs
built here byte by byte (signature, IHDR, IDAT, IEND with correct CRCs), in any size and colour,
and realistic images (PNG, JPEG, WebP, GIF, up to photos of a few MB) encoded by Pillow.
"""

from __future__ import annotations

import base64
import functools
import io
import random
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


# -- realistic images (Pillow) --------------------------------------------------------------
# Users train on their photos: JPEGs of a few MB, PNG screenshots, WebP and GIF exports. These
# are encoded by Pillow from deterministic pixels (gradients plus noise, so that compressors
# cannot shrink them to nothing), in any of the formats the real service accepts.

IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


@functools.cache
def image_bytes(kind: str, width: int = 16, height: int = 16, seed: int = 0) -> bytes:
    """An image in format `kind` (png, jpeg, webp, gif): a gradient under seeded noise."""
    from PIL import Image

    rng = random.Random(seed)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    gradient = Image.linear_gradient("L").resize((width, height))
    tint = tuple(rng.randrange(256) for _ in range(3))
    base = Image.merge("RGB", [gradient, gradient.rotate(90), Image.new("L", (width, height))])
    picture = Image.blend(Image.blend(base, Image.new("RGB", base.size, tint), 0.3), noise, 0.5)
    if kind == "gif":
        picture = picture.convert("P", palette=Image.Palette.ADAPTIVE)
    out = io.BytesIO()
    options = {"quality": 95} if kind in ("jpeg", "webp") else {}
    picture.save(out, format=IMAGE_FORMATS[kind], **options)
    return out.getvalue()


def image_data_url(kind: str, width: int = 16, height: int = 16, seed: int = 0) -> str:
    """A data URL of `image_bytes(kind, width, height, seed)`."""
    encoded = base64.b64encode(image_bytes(kind, width, height, seed)).decode("ascii")
    return f"data:{MEDIA_TYPES[kind]};base64,{encoded}"


def photo_data_url(side: int = 1024, seed: int = 0) -> str:
    """A training photo as users upload it: a noisy JPEG data URL (1.3 MB at 1024, 5 MB at 2048)."""
    return image_data_url("jpeg", side, side, seed)
