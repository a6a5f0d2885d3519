"""The suite's client for a target: the four operations, the fixture endpoints, and evidence.

Every call goes through `ApiClient.send`, which records the exchange (credentials removed) so
that a failing test can show exactly what the server was asked and what it answered.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from ticonf.client.config import Target
from ticonf.client.exchanges import (
    KEPT_REQUEST_HEADERS,
    Exchange,
    Recorder,
    body_text,
    curl_user,
    safe_headers,
)
from ticonf.client.politeness import Politeness
from ticonf.core.operations import ADD, DELETE, REPLACE, REPLACE_PAIRS

DEFAULT_TIMEOUT = 30.0
_RECORD_LOCK = threading.Lock()  # fixture requests may run on several threads of one test
_ROUND_TRIP = {"seconds": 0.0}  # smoothed time of this process's exchanges

Hook = Callable[[Exchange], None]


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one costs tens of milliseconds per test."""
    return ssl.create_default_context()


def images_path(model_id: str) -> str:
    return ADD.path_for(model_id)


def image_path(model_id: str, image_id: str) -> str:
    return REPLACE.path_for(model_id, image_id)


class ApiClient:
    """A recording client for one target. `auth=None` sends no credentials at all."""

    def __init__(
        self,
        target: Target,
        recorder: Recorder | None = None,
        auth: tuple[str, str] | str | None = "target",
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        politeness: Politeness | None = None,
    ) -> None:
        self.target = target
        self.politeness = politeness or Politeness()
        self.recorder = recorder if recorder is not None else Recorder()
        self.auth: tuple[str, str] | None = (
            target.basic_auth if auth == "target" else auth if isinstance(auth, tuple) else None
        )
        self._http = httpx.Client(
            base_url=target.base_url, timeout=timeout, transport=transport, verify=ssl_context()
        )

    def close(self) -> None:
        self._http.close()

    @staticmethod
    def round_trip() -> float:
        """The smoothed duration of this process's exchanges so far, in seconds."""
        return _ROUND_TRIP["seconds"]

    def with_auth(self, auth: tuple[str, str] | None) -> ApiClient:
        """The same target and recorder with other credentials (None: none at all)."""
        clone = ApiClient.__new__(ApiClient)
        clone.__dict__.update(self.__dict__)
        clone.auth = auth
        return clone

    # -- the four operations under test ----------------------------------------------------

    def add(self, model_id: str, body: Any, **params: str) -> httpx.Response:
        return self.send(ADD.method, ADD.path_for(model_id), json_body=body, params=params)

    def replace_pairs(self, model_id: str, pairs: Any, **params: str) -> httpx.Response:
        return self.send(
            REPLACE_PAIRS.method, REPLACE_PAIRS.path_for(model_id), json_body=pairs, params=params
        )

    def replace(self, model_id: str, image_id: str, body: Any, **params: str) -> httpx.Response:
        return self.send(
            REPLACE.method, REPLACE.path_for(model_id, image_id), json_body=body, params=params
        )

    def delete(self, model_id: str, image_id: str, **params: str) -> httpx.Response:
        return self.send(DELETE.method, DELETE.path_for(model_id, image_id), params=params)

    # -- fixture endpoints -----------------------------------------------------------------

    def create_model(self, name: str, model_type: str) -> httpx.Response:
        return self.send("POST", "/models", json_body={"name": name, "type": model_type})

    def get_model(self, model_id: str) -> httpx.Response:
        return self.send("GET", f"/models/{model_id}")

    def delete_model(self, model_id: str) -> httpx.Response:
        return self.send("DELETE", f"/models/{model_id}")

    def create_asset(self, name: str, image: str) -> httpx.Response:
        return self.send("POST", "/assets", json_body={"name": name, "image": image})

    def delete_assets(self, asset_ids: list[str]) -> httpx.Response:
        return self.send("DELETE", "/assets", json_body={"assetIds": asset_ids})

    # -- transport -------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request and record it; network errors are recorded, then raised."""
        request = self._build(method, path, json_body, content, headers, params)
        exchange = Exchange(
            method=method,
            url=str(request.url),
            request_headers=safe_headers(request.headers, keep=KEPT_REQUEST_HEADERS),
            request_body=body_text(request.content),
            authenticated=self.auth is not None,
            curl_user=curl_user(self.auth, self.target.basic_auth) if self.auth else None,
        )
        started = time.perf_counter()
        try:
            response = self.politeness.call(
                lambda: self._http.send(request),
                status_of=lambda r: r.status_code,
                retry_after_of=lambda r: r.headers.get("retry-after"),
                on_retry=self.recorder.count_retry,
                headers_of=lambda r: r.headers,
            )
        except httpx.TransportError as error:
            exchange.error = f"{type(error).__name__}: {error}"
            self._record(exchange)
            raise
        elapsed = time.perf_counter() - started
        seen = _ROUND_TRIP["seconds"]
        _ROUND_TRIP["seconds"] = 0.9 * seen + 0.1 * elapsed if seen else elapsed
        exchange.elapsed_ms = round(elapsed * 1000, 1)
        exchange.status = response.status_code
        exchange.response_headers = safe_headers(response.headers)
        exchange.response_body = body_text(response.content)
        self._record(exchange)
        return response

    def _record(self, exchange: Exchange) -> None:
        with _RECORD_LOCK:
            self.recorder.add(exchange)

    def _build(self, method, path, json_body, content, headers, params) -> httpx.Request:
        all_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body).encode()
            all_headers.setdefault("content-type", "application/json")
        request = self._http.build_request(
            method, path, content=content, headers=all_headers, params=params or None
        )
        if self.auth is not None:
            request = next(httpx.BasicAuth(*self.auth).auth_flow(request))
        return request
