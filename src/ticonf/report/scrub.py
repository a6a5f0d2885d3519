"""Keeping credentials out of everything a run writes.

The client never records credentials, but a server may echo them (an error body quoting the
Authorization header, say). So the report side scrubs the secret, the Basic header and its
base64 token out of the report document and out of every file in the report directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4  # shorter strings are no secret worth garbling every report for


def _worth_hiding(secrets: Iterable[str]) -> list[str]:
    """The secrets long enough to hide, with their JSON-escaped forms, longest first."""
    kept = set()
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_CHARS:
            kept |= {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return sorted(kept, key=len, reverse=True)


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    return _replaced(text, _worth_hiding(secrets))


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON-like value with every secret replaced in every string."""
    hidden = _worth_hiding(secrets)
    return _replaced(value, hidden) if hidden else value


def _replaced(value: Any, hidden: list[str]) -> Any:
    """`value` with each of `hidden` (already escaped and sorted) replaced; walked once."""
    if isinstance(value, str):
        for secret in hidden:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [_replaced(item, hidden) for item in value]
    if isinstance(value, dict):
        return {_replaced(k, hidden): _replaced(v, hidden) for k, v in value.items()}
    return value


def scrub_tree(directory: Path, secrets: Iterable[str]) -> list[Path]:
    """Rewrite the files under `directory` that contain a secret; returns those files."""
    hidden = [s.encode() for s in _worth_hiding(secrets)]
    rewritten = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(secret in data for secret in hidden):
            for secret in hidden:
                data = data.replace(secret, REDACTED.encode())
            path.write_bytes(data)
            rewritten.append(path)
    return rewritten
