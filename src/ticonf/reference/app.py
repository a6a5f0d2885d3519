"""The HTTP layer of the reference server: routes, body limits and error rendering.

Every rule of the API lives in `ReferenceService`; this module only maps HTTP onto it, so a
fault (a subclass of the service) changes behaviour without touching the routing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from ticonf.reference.service import ApiError, ReferenceService

MAX_BODY_BYTES = 16 * 1024 * 1024
BASE_PATH = "/v1"

Handler = Callable[[ReferenceService, Request, Any], Any]


def _respond(service: ReferenceService, status: int, payload: Any, headers=None) -> Response:
    code, body, media_type = service.encode(status, payload)
    return Response(body, status_code=code, media_type=media_type, headers=headers)


def _error(service: ReferenceService, status: int, message: str, headers=None) -> Response:
    return _respond(service, status, {"error": {"status": status, "message": message}}, headers)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_query(request: Request) -> None:
    request.app.state.service.check_query(request.method, dict(request.query_params))


def endpoint(handler: Handler, *, with_body: bool) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a service call: authenticate, validate the query, parse the body, render."""

    async def run(request: Request) -> Response:
        service: ReferenceService = request.app.state.service
        try:
            service.authenticate(request.headers.get("authorization"))
            _check_query(request)
            body = service.parse_json(await _read_body(request)) if with_body else None
            if service.runs_in_threads:
                payload = await run_in_threadpool(handler, service, request, body)
                return _respond(service, 200, payload)
            return _respond(service, 200, handler(service, request, body))
        except ApiError as error:
            return _error(service, error.status, error.message)

    return run


def _path(request: Request, name: str) -> str:
    return request.path_params[name]


def _model(request: Request) -> str:
    return _path(request, "modelId")


def _image(request: Request) -> str:
    return _path(request, "trainingImageId")


class ImageIdConvertor(StringConvertor):
    """A training image ID is any path segment but `pairs`, which names the pairs resource:
    DELETE .../training-images/pairs is then a 405 (Allow: PUT), not a lookup of image "pairs"."""

    regex = r"(?!pairs(?:/|$))[^/]+"


register_url_convertor("image_id", ImageIdConvertor())

IMAGES = f"{BASE_PATH}/models/{{modelId}}/training-images"

ROUTES = [
    Route(
        f"{BASE_PATH}/models",
        endpoint(lambda s, r, b: s.create_model(b), with_body=True),
        methods=["POST"],
    ),
    Route(
        f"{BASE_PATH}/models/{{modelId}}",
        endpoint(lambda s, r, b: s.get_model(_model(r)), with_body=False),
        methods=["GET"],
    ),
    Route(
        f"{BASE_PATH}/models/{{modelId}}",
        endpoint(lambda s, r, b: s.delete_model(_model(r)), with_body=False),
        methods=["DELETE"],
    ),
    Route(
        f"{BASE_PATH}/assets",
        endpoint(lambda s, r, b: s.create_asset(b), with_body=True),
        methods=["POST"],
    ),
    Route(
        f"{BASE_PATH}/assets",
        endpoint(lambda s, r, b: s.delete_assets(b), with_body=True),
        methods=["DELETE"],
    ),
    Route(
        IMAGES,
        endpoint(lambda s, r, b: s.add_images(_model(r), b), with_body=True),
        methods=["POST"],
    ),
    Route(
        f"{IMAGES}/pairs",
        endpoint(lambda s, r, b: s.replace_pairs(_model(r), b), with_body=True),
        methods=["PUT"],
    ),
    Route(
        f"{IMAGES}/{{trainingImageId:image_id}}",
        endpoint(lambda s, r, b: s.replace_image(_model(r), _image(r), b), with_body=True),
        methods=["PUT"],
    ),
    Route(
        f"{IMAGES}/{{trainingImageId:image_id}}",
        endpoint(lambda s, r, b: s.delete_image(_model(r), _image(r)), with_body=False),
        methods=["DELETE"],
    ),
]


def _allowed_methods(request: Request) -> str:
    scope = {**request.scope, "method": "GET"}
    routes = request.app.routes
    methods = {m for r in routes if r.matches(scope)[0] != Match.NONE for m in r.methods or ()}
    return ", ".join(sorted(methods - {"HEAD"}))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = exc.headers
    if exc.status_code == 405:
        headers = {"Allow": _allowed_methods(request)}
    return _error(request.app.state.service, exc.status_code, exc.detail, headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return _error(request.app.state.service, 500, "internal error")


def create_app(service: ReferenceService | None = None) -> Starlette:
    """A reference server application around `service` (a fresh correct one by default).

    A service of a legal variant (reference/variants.py) may add routes after the documented
    ones and ASGI middleware: its `extra_routes()` and `middleware()`."""
    service = service or ReferenceService()
    extra_routes: list[BaseRoute] = getattr(service, "extra_routes", list)()
    app = Starlette(
        routes=[*ROUTES, *extra_routes],
        middleware=getattr(service, "middleware", list)(),
        exception_handlers={HTTPException: _http_exception, Exception: _unexpected},
    )
    app.state.service = service
    return app
