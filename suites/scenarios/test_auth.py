"""Authentication: every operation refuses missing, wrong or invalid credentials, changing nothing.

Each request names a real model and real images, so that a 404 can never stand in for the
authentication answer.
"""

from __future__ import annotations

import base64
import secrets

import pytest

from ticonf.client.api import ApiClient

from .support import (
    OPERATIONS,
    FixedAuthorization,
    check_unchanged,
    expect_4xx,
    expect_refusal,
    scene,
    snapshot,
)


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode("ascii")


# Authorization header values that are no valid credentials, whatever the server's users.
INVALID_HEADERS = {
    "bearer-garbage": "Bearer not-a-token",
    "bearer-unsigned-jwt": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0aWNvbmYifQ.",
    "basic-not-base64": "Basic !!!not-base64!!!",
    "basic-without-colon": _basic(b"no-colon-here"),
    "unknown-scheme": "Digest username=ticonf",
}


@pytest.mark.req("AUTH-001")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_no_credentials_are_refused(api, provision, observe, operation) -> None:
    """Any 4xx refuses; the conventional 401 is AUTH-004's (test_conventions.py)."""
    setting = scene(provision)
    before = snapshot(provision, setting.model_id)
    response = OPERATIONS[operation](api.with_auth(None), setting)
    action = f"{operation} without credentials"
    expect_refusal(response, "AUTH-001", action, observe, "no-credentials-status")
    check_unchanged(provision, setting.model_id, before, "AUTH-001", f"after {operation}")


@pytest.mark.req("AUTH-002")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_wrong_secret_is_refused(api, target, provision, observe, operation) -> None:
    setting = scene(provision)
    before = snapshot(provision, setting.model_id)
    for secret in ("wrong", "empty"):
        wrong = "" if secret == "empty" else target.api_secret + secrets.token_hex(4)
        response = OPERATIONS[operation](api.with_auth((target.api_key, wrong)), setting)
        action = f"{operation} with the right key and a {secret} secret"
        expect_refusal(response, "AUTH-002", action, observe, "wrong-secret-status")
        check_unchanged(
            provision, setting.model_id, before, "AUTH-002", f"after {operation} ({secret} secret)"
        )


def invalid_clients(api, target) -> dict[str, ApiClient]:
    """Clients whose credentials are no valid credentials, by what is wrong with them."""
    stranger = (f"ticonf-unknown-{secrets.token_hex(6)}", target.api_secret)
    clients: dict[str, ApiClient] = {"unknown-key": api.with_auth(stranger)}
    for name, header in INVALID_HEADERS.items():
        clients[name] = FixedAuthorization(api, header)
    return clients


@pytest.mark.req("AUTH-003")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_invalid_credentials_are_refused(api, target, provision, operation) -> None:
    setting = scene(provision)
    before = snapshot(provision, setting.model_id)
    for name, client in invalid_clients(api, target).items():
        response = OPERATIONS[operation](client, setting)
        expect_4xx(response, "AUTH-003", f"{operation} with invalid credentials ({name})")
        check_unchanged(
            provision, setting.model_id, before, "AUTH-003", f"after {operation} ({name})"
        )
