"""Recording HTTP exchanges as evidence, with credentials removed.

A failure in a report is only as useful as the exchange that proves it. Every request the suite
sends is recorded here in a plain-data form; the Authorization header is replaced by a
placeholder before anything is kept, and long bodies (image data URLs) are shortened.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ticonf.core.records import ExchangeRecord

REDACTED = "[redacted]"
TARGET_CREDENTIALS = '"$TICONF_API_KEY:$TICONF_API_SECRET"'
MAX_BODY_CHARS = 4000
MAX_EXCHANGES = 50
KEPT_REQUEST_HEADERS = ("content-type", "accept")
_SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie")


@dataclass
class Exchange:
    """One request and its response (or the network error that replaced it)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    elapsed_ms: float | None = None
    authenticated: bool = True
    curl_user: str | None = None  # the curl -u argument when not the target's own credentials

    def to_dict(self) -> ExchangeRecord:
        """The exchange as the records and the exchange log keep it, with its curl line."""
        return ExchangeRecord(
            method=self.method,
            url=self.url,
            request_headers=dict(self.request_headers),
            request_body=self.request_body,
            status=self.status,
            response_headers=dict(self.response_headers),
            response_body=self.response_body,
            error=self.error,
            elapsed_ms=self.elapsed_ms,
            authenticated=self.authenticated,
            curl_user=self.curl_user,
            curl=curl_command(self),
        )


def shorten(text: str | None, limit: int = MAX_BODY_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters]"


def _abbreviate_data_urls(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("data:") and len(value) > 120:
        return f"{value[:80]}...[{len(value)} characters]"
    if isinstance(value, list):
        return [_abbreviate_data_urls(item) for item in value]
    if isinstance(value, dict):
        return {key: _abbreviate_data_urls(item) for key, item in value.items()}
    return value


def body_text(raw: bytes | str | None) -> str | None:
    """A body as evidence: JSON with data URLs abbreviated, else text, shortened."""
    if raw is None or raw == b"" or raw == "":
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than json can follow
        return shorten(text)
    return shorten(json.dumps(_abbreviate_data_urls(parsed), ensure_ascii=False))


def safe_headers(headers: Any, keep: tuple[str, ...] | None = None) -> dict[str, str]:
    """Headers with credentials replaced; `keep` limits which ones are kept at all."""
    result = {}
    for name, value in dict(headers).items():
        lower = name.lower()
        if keep is not None and lower not in keep and lower not in _SECRET_HEADERS:
            continue
        result[lower] = REDACTED if lower in _SECRET_HEADERS else str(value)
    return result


def _double_quoted(literal: str) -> str:
    for char in ("\\", '"', "`", "$"):
        literal = literal.replace(char, "\\" + char)
    return literal


def curl_user(auth: tuple[str, str], real: tuple[str, str]) -> str:
    """The curl -u argument for `auth`: the real key and secret as shell variables, any other
    (deliberately wrong) value as itself, so that the line replays that very request."""
    user = "$TICONF_API_KEY" if auth[0] == real[0] else _double_quoted(auth[0])
    password = "$TICONF_API_SECRET" if auth[1] == real[1] else _double_quoted(auth[1])
    return f'"{user}:{password}"'


def curl_command(exchange: Exchange) -> str:
    """A curl line that replays the request, with credentials as shell variables."""
    parts = ["curl", "-sS", "-X", exchange.method, shlex.quote(exchange.url)]
    if exchange.authenticated:
        parts += ["-u", exchange.curl_user or TARGET_CREDENTIALS]
    for name, value in exchange.request_headers.items():
        if name not in _SECRET_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body is not None:
        parts += ["--data-binary", shlex.quote(exchange.request_body)]
    return " ".join(parts)


class Recorder:
    """The exchanges of one test, newest last, bounded so a long property run stays small."""

    def __init__(self, limit: int = MAX_EXCHANGES) -> None:
        self.limit = limit
        self.exchanges: list[Exchange] = []
        self.total = 0
        self.retries = 0
        self.sink: Callable[[Exchange], None] | None = None  # sees every exchange (the run log)

    def count_retry(self) -> None:
        """A request was sent again after a 429; the report counts these."""
        self.retries += 1

    def add(self, exchange: Exchange) -> None:
        self.total += 1
        self.exchanges.append(exchange)
        if self.sink is not None:
            self.sink(exchange)
        if len(self.exchanges) > self.limit:
            del self.exchanges[0]

    def last(self, count: int) -> list[Exchange]:
        return self.exchanges[-count:]
