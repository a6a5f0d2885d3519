"""Small text helpers shared by the renderings: server text is untrusted and unbounded."""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(value: Any) -> str:
    """`value` as text without the control characters XML forbids and terminals misread."""
    return _CONTROL.sub("\ufffd", value if isinstance(value, str) else str(value))


def one_line(value: Any, limit: int = 160) -> str:
    """The first `limit` characters of `value` on a single line."""
    text = " ".join(clean(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_value(value: Any) -> str:
    """An observed value as compact JSON (strings without quotes)."""
    if isinstance(value, str):
        return clean(value)
    return clean(json.dumps(value, ensure_ascii=False, sort_keys=True))


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def reason(message: str) -> str:
    """A failure message without the exception class a reader does not need."""
    for prefix in ("RequirementFailure: ", "AssertionError: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message
