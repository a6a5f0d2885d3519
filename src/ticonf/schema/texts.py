"""Unusual but valid text for the names and instructions of generated requests.

Hypothesis draws strings from all of Unicode, but whether a run of twenty examples contains an
emoji, a right-to-left override or a combining accent is a matter of luck. Half of the generated
image bodies and pair lists get one of these texts instead, so every run sends them; each is a
valid file name or instruction in some script, with no NUL and no lone surrogate.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

UNUSUAL_TEXTS = (
    "🦊 fox.png",
    "𝕿𝖗𝖆𝖎𝖓𝖎𝖓𝖌.png",
    "日本語の画像.jpg",
    "صورة-تدريب.png",
    "e\u0301te\u0301 cafe\u0301.png",
    "a\u200db\u200ec\u202ed.png",
    "\ufeffbom.png",
    "\U0010fffd private.png",
    "Ω≈ç√∫˜µ≤≥÷ ﷽.png",
    "👩🏽\u200d💻 nested 🇫🇷.webp",
)


def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """Schemathesis hook: keep the body, or give it an unusual name or instruction."""
    texts: st.SearchStrategy[Any]
    if isinstance(body, dict):
        texts = st.sampled_from(UNUSUAL_TEXTS).map(lambda text: {**body, "name": text})
    elif isinstance(body, list) and body and isinstance(body[0], dict):
        texts = st.sampled_from(UNUSUAL_TEXTS).map(
            lambda text: [{**body[0], "instruction": text}, *body[1:]]
        )
    else:
        return st.just(body)
    return st.one_of(st.just(body), texts)


def send_unusual_texts(schema: Any) -> None:
    """Register the hook on `schema` (positive generation only: the texts are valid)."""
    schema.hook(flatmap_body)
