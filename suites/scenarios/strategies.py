"""Input strategies of the scenario suites.

They generate only what the documentation settles: a server is never failed for an answer the
documentation leaves open. File names avoid path separators and surrounding blanks (a server
may reasonably treat a name as a path or trim it); pairs never repeat a (source, target) couple
nor pair an image with itself (both undocumented); malformed bodies never start with a complete
JSON value (a streaming parser may read one value and stop).
"""

from __future__ import annotations

import base64
import json
import string
from typing import Any

from hypothesis import strategies as st

from .support import PRESETS

ID_ALPHABET = string.ascii_letters + string.digits + "_-"

# Names in many scripts, to be returned exactly; a decomposed accent catches normalisation.
SCRIPT_NAMES = (
    "トレーニング画像.png",
    "صورة التدريب.jpg",
    "प्रशिक्षण-चित्र.png",
    "Ελληνικά.png",
    "한국어 사진.png",
    "Кириллица.jpeg",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ.png",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🖼️.png",
    "👩\u200d💻 at work.png",
    "Cafe\u0301 crème.png",
)

_IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8", b"GIF8", b"BM", b"RIFF", b"II*", b"MM\x00*")


def unknown_ids() -> st.SearchStrategy[str]:
    """IDs that name nothing on the server (path-safe; odd paths are HTTP tests' business)."""
    random_text = st.text(ID_ALPHABET, min_size=1, max_size=32)
    asset_like = st.binary(min_size=11, max_size=11).map(lambda b: f"asset_{b.hex()}")
    return st.one_of(asset_like, random_text).filter(lambda s: s != "pairs")


def file_names() -> st.SearchStrategy[str]:
    """File names in any script: letters, marks, numbers, punctuation, symbols, spaces."""
    characters = st.characters(categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="/\\")
    return st.text(characters, min_size=1, max_size=40).map(str.strip).filter(bool)


def instructions() -> st.SearchStrategy[str]:
    """Any Unicode text but lone surrogates and NUL, which JSON stores cannot all keep."""
    characters = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
    return st.text(characters, min_size=1, max_size=60)


def pair_plans(images: int, min_size: int = 0, max_size: int = 8) -> st.SearchStrategy:
    """Lists of (source index, target index, instruction), to be mapped onto real image IDs."""
    couple = st.tuples(st.integers(0, images - 1), st.integers(0, images - 1))
    couples = couple.filter(lambda c: c[0] != c[1])
    plans = st.lists(
        st.tuples(couples, instructions()),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda entry: entry[0],
    )
    return plans.map(lambda entries: [(s, t, text) for (s, t), text in entries])


def realise(plan: list[tuple[int, int, str]], ids: list[str]) -> list[dict[str, str]]:
    return [{"sourceId": ids[s], "targetId": ids[t], "instruction": text} for s, t, text in plan]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _not_an_image(raw: bytes) -> bool:
    return not raw.startswith(_IMAGE_SIGNATURES) and raw[4:8] != b"ftyp"


def non_image_data() -> st.SearchStrategy[Any]:
    """Values of `data` that are not an image data URL (never null nor "": read as absent)."""
    text = st.text(min_size=1, max_size=40).filter(lambda s: not s.startswith("data:"))
    wrong_type = st.sampled_from(
        ["text/plain", "application/json", "application/octet-stream", "audio/wav", "video/mp4"]
    ).map(lambda t: f"data:{t};base64,{_b64(b'these bytes are no image')}")
    not_image = st.binary(min_size=1, max_size=48).filter(_not_an_image)
    image_type_wrong_bytes = not_image.map(lambda raw: f"data:image/png;base64,{_b64(raw)}")
    broken = st.sampled_from(
        [
            "data:image/png;base64,",
            "data:image/png;base64,@@@@",
            "data:image/png;base64,iVBORw0KGgo=!",
            "data:image/png",
            "data:,",
        ]
    )
    not_text = st.one_of(
        st.integers(),
        st.booleans(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )
    return st.one_of(text, wrong_type, image_type_wrong_bytes, broken, not_text)


def bad_presets() -> st.SearchStrategy[Any]:
    """Presets outside default, style and subject (never null: read as absent)."""
    near_misses = st.sampled_from(["Style", "DEFAULT", "subject ", "portrait", ""])
    others = st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.booleans(),
        st.lists(st.sampled_from(PRESETS), min_size=1, max_size=2),
    )
    return st.one_of(near_misses, others).filter(lambda p: p not in PRESETS)


def invalid_image_bodies(name: str, valid_data: str) -> st.SearchStrategy[dict[str, Any]]:
    """Add/Replace bodies that must be rejected: bad data, or a good image with a bad preset."""
    bad_data = non_image_data().map(lambda data: {"data": data, "name": name})
    bad_preset = bad_presets().map(
        lambda preset: {"data": valid_data, "name": name, "preset": preset}
    )
    return st.one_of(bad_data, bad_preset)


def json_non_arrays() -> st.SearchStrategy[Any]:
    """Any JSON value but an array."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=6,
    )
    return st.one_of(scalars, st.dictionaries(st.text(max_size=8), values, max_size=4))


def _starts_with_json(text: str) -> bool:
    """True when some lenient parser could read a complete JSON value from the start."""
    try:
        json.JSONDecoder().raw_decode(text.lstrip().lstrip("\ufeff").lstrip())
    except ValueError:
        return False
    return True


FIXED_MALFORMED = (
    b"{",
    b"[",
    b"{'name': 'x.png'}",
    b'{"name": }',
    b'{"name" "x.png"}',
    b"undefined",
    b"<image/>",
    b"name=x.png&data=abc",
    b"\xff\xfe\xfd\xfc",
)


def malformed_json(valid: Any) -> st.SearchStrategy[bytes]:
    """Bodies that are not well-formed JSON: a valid body cut short, text, fixed classics."""
    text = json.dumps(valid)
    truncated = st.integers(1, len(text) - 1).map(lambda k: text[:k].encode())
    garbage = (
        st.text(min_size=1, max_size=40)
        .filter(lambda s: s.strip() and not _starts_with_json(s))
        .map(str.encode)
    )
    return st.one_of(st.sampled_from(FIXED_MALFORMED), truncated, garbage)


def path_segments() -> st.SearchStrategy[str]:
    """Arbitrary text for a path segment, percent-encoded by the test.

    Never empty, "." or "..": those make another path (outside the documented operations,
    maybe outside the API), not an odd value of a path parameter.
    """
    text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
    return text.filter(lambda s: s not in (".", ".."))
