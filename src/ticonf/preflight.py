"""The pre-flight check: is the target there, does it accept us, has it the fixture endpoints?

A run that cannot reach its target, or whose credentials are refused, says so in one line
and exits 3 before any test runs, instead of failing every requirement.
"""

from __future__ import annotations

import httpx

from ticonf.client import ApiClient
from ticonf.provisioning import DEFAULT_MODEL_TYPE, NAME_PREFIX
from ticonf.settings import Target

PREFLIGHT_TIMEOUT = 10.0


class PreflightError(Exception):
    """The target cannot be tested; the message says why and what to do."""


def _describe(response: httpx.Response, what: str) -> str:
    return f"{what} answered {response.status_code}: {response.text[:120]!r}"


def preflight(
    target: Target,
    run_id: str,
    model_type: str = DEFAULT_MODEL_TYPE,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Create, read and delete one scratch model; raise PreflightError on the first problem."""
    api = ApiClient(target, timeout=PREFLIGHT_TIMEOUT, transport=transport)
    try:
        _check(api, run_id, model_type)
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise PreflightError(
            f"target {target.base_url} is unreachable ({reason}); is the server running?"
        ) from None
    finally:
        api.close()


def _check(api: ApiClient, run_id: str, model_type: str) -> None:
    created = api.create_model(f"{NAME_PREFIX}{run_id}-preflight", model_type)
    if created.status_code in (401, 403):
        raise PreflightError(
            f"target {api.target.base_url} rejected the credentials (HTTP {created.status_code});"
            " check --api-key and --api-secret"
        )
    if created.status_code == 404:
        raise PreflightError(
            f"target {api.target.base_url} has no POST /models (404);"
            " is it the API's base URL ending in /v1?"
        )
    try:
        model_id = created.json()["model"]["id"]
    except (ValueError, KeyError, TypeError):
        raise PreflightError(_describe(created, "POST /models")) from None
    read = api.get_model(model_id)
    deleted = api.delete_model(model_id)
    if read.status_code != 200:
        raise PreflightError(_describe(read, "GET /models/{modelId}"))
    if deleted.status_code not in (200, 204):
        raise PreflightError(_describe(deleted, "DELETE /models/{modelId}"))
