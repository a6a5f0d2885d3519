"""Every request schemathesis sends becomes evidence of the running test, credentials removed.

Schemathesis' `after_call` hooks see the generated requests only; the probes its checks send
(the same request without credentials, for `ignored_auth`) go straight to the transport. So the
recording sits on the transport itself: one place that sees every request, every response and
every network error, and that also applies the run's politeness (rate cap, 429 retries) and
reuses connections (schemathesis opens one per request otherwise: a TLS handshake each time
against a real deployment).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from schemathesis.core.transport import Response
from schemathesis.transport.requests import REQUESTS_TRANSPORT, ManagedCookiesSession

from ticonf.client.exchanges import KEPT_REQUEST_HEADERS, Exchange, body_text, safe_headers
from ticonf.run import state as run_state

_INSTALLED = "_ticonf_recording"


def install() -> None:
    """Wrap schemathesis' HTTP transport once per process (idempotent)."""
    if getattr(REQUESTS_TRANSPORT, _INSTALLED, False):
        return
    # One session for the process: it forgets cookies after each request and carries no auth.
    session = ManagedCookiesSession()
    recorded = _recording(REQUESTS_TRANSPORT.send, session)
    REQUESTS_TRANSPORT.send = recorded  # type: ignore[method-assign]
    setattr(REQUESTS_TRANSPORT, _INSTALLED, True)


def _recording(send: Callable[..., Response], session: requests.Session) -> Callable[..., Response]:
    @functools.wraps(send)
    def recorded_send(case: Any, **kwargs: Any) -> Response:
        if kwargs.get("session") is None:
            kwargs["session"] = session
        started = time.perf_counter()
        try:
            response = _polite(lambda: send(case, **kwargs))
        except Exception as error:  # network errors, and a target given up on
            _record(_failed_exchange(case, error))
            raise
        _record(response_exchange(response, time.perf_counter() - started))
        return response

    return recorded_send


def _polite(send: Callable[[], Response]) -> Response:
    """The run's pace and 429 handling, shared with the suite's own client."""
    recorder = run_state.current_recorder()
    return run_state.current().politeness.call(
        send,
        status_of=lambda r: r.status_code,
        retry_after_of=lambda r: _header(r.headers, "retry-after"),
        on_retry=recorder.count_retry if recorder is not None else None,
        headers_of=lambda r: _flat(r.headers),
    )


def _record(exchange: Exchange) -> None:
    recorder = run_state.current_recorder()
    if recorder is not None:
        recorder.add(exchange)


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _flat(headers: Any) -> dict[str, str]:
    return {name: _header(headers, name) or "" for name in headers}


def response_exchange(response: Response, elapsed: float) -> Exchange:
    """The exchange behind a schemathesis response, from what was actually sent."""
    request = response.request
    return Exchange(
        method=str(request.method),
        url=str(request.url),
        request_headers=safe_headers(request.headers, keep=KEPT_REQUEST_HEADERS),
        request_body=body_text(_sent_body(request.body)),
        status=response.status_code,
        response_headers=safe_headers(_flat(response.headers)),
        response_body=body_text(response.content),
        elapsed_ms=round(elapsed * 1000, 1),
        authenticated=_authenticated(request.headers),
    )


def _sent_body(body: object) -> bytes | str | None:
    """The body a prepared request carries, when it is one we can show (never a stream)."""
    return body if isinstance(body, bytes | str) else None


def _failed_exchange(case: Any, error: Exception) -> Exchange:
    request = getattr(error, "request", None)
    if isinstance(request, requests.PreparedRequest):
        method, url, headers, body = request.method, request.url, request.headers, request.body
    else:  # never sent
        url = run_state.current().context.target.base_url + case.formatted_path
        method, headers, body = case.method, CaseInsensitiveDict(), None
    return Exchange(
        method=str(method),
        url=str(url),
        request_headers=safe_headers(headers, keep=KEPT_REQUEST_HEADERS),
        request_body=body_text(_sent_body(body)),
        error=f"{type(error).__name__}: {error}",
        authenticated=_authenticated(headers),
    )


def _authenticated(headers: Any) -> bool:
    return any(name.lower() == "authorization" for name in dict(headers))
