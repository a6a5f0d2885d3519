"""report.har: every exchange of the run in HAR 1.2, for the browser tools users already have.

Built from the run's exchange log (raw/exchanges-*.ndjson). The record keeps no credentials:
the Authorization header is `[redacted]`, and the report side scrubs the whole directory. Bodies
are the evidence forms of the record (image data URLs abbreviated, long bodies cut).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ticonf import __version__

HTTP_VERSION = "HTTP/1.1"


def _headers(headers: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"name": k, "value": str(v)} for k, v in (headers or {}).items()]


def _started(exchange: dict[str, Any]) -> str:
    at = float(exchange.get("at") or 0) - (exchange.get("elapsed_ms") or 0) / 1000
    stamp = datetime.fromtimestamp(max(at, 0), UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entry(exchange: dict[str, Any]) -> dict[str, Any]:
    request_headers = dict(exchange.get("request_headers") or {})
    if exchange.get("authenticated"):
        request_headers.setdefault("authorization", "[redacted]")
    body = exchange.get("request_body")
    response_body = exchange.get("response_body") or ""
    response_headers = exchange.get("response_headers") or {}
    request: dict[str, Any] = {
        "method": exchange.get("method", ""),
        "url": exchange.get("url", ""),
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(request_headers),
        "queryString": [
            {"name": k, "value": v}
            for k, v in parse_qsl(urlsplit(exchange.get("url", "")).query, True)
        ],
        "headersSize": -1,
        "bodySize": len(body.encode()) if body is not None else 0,
    }
    if body is not None:
        request["postData"] = {
            "mimeType": request_headers.get("content-type", ""),
            "text": body,
        }
    status = exchange.get("status")
    elapsed = float(exchange.get("elapsed_ms") or 0)
    return {
        "startedDateTime": _started(exchange),
        "time": elapsed,
        "request": request,
        "response": {
            "status": status if status is not None else 0,
            "statusText": "" if status is not None else (exchange.get("error") or "no response"),
            "httpVersion": HTTP_VERSION,
            "cookies": [],
            "headers": _headers(response_headers),
            "content": {
                "size": len(response_body.encode()),
                "mimeType": response_headers.get("content-type", ""),
                "text": response_body,
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response_body.encode()) if status is not None else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "comment": exchange.get("test", ""),
    }


def har(exchanges: list[dict[str, Any]], run: dict[str, Any]) -> dict[str, Any]:
    """The HAR 1.2 document of these exchanges, in the order they happened."""
    ordered = sorted(exchanges, key=lambda e: float(e.get("at") or 0))
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "ticonf", "version": __version__},
            "pages": [],
            "entries": [_entry(e) for e in ordered],
            "comment": f"ticonf run {run.get('run_id', '')} against {run.get('target', '')}",
        }
    }
