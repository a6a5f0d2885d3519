"""Credentials close to the right ones: every near miss is refused, never served, never a 5xx.

test_auth.py sends no credentials, a secret far from the right one and malformed headers. Real
servers go wrong nearer the truth: a secret compared case-insensitively, with startswith, on a
prefix of its characters, or a key that is not checked once the secret matches. The mutations
here are derived from the run's own credentials, so they hold against any deployment.
"""

from __future__ import annotations

import base64

import pytest

from ticonf.client.api import ApiClient

from .support import (
    OPERATIONS,
    FixedAuthorization,
    check_unchanged,
    expect_4xx,
    scene,
    snapshot,
)


def _other(character: str) -> str:
    """A different printable ASCII character."""
    return "x" if character != "x" else "y"


def near_misses(text: str) -> dict[str, str]:
    """Texts one small edit away from `text` (each differs from it), by what was done."""
    middle = len(text) // 2
    edits = {
        "case-swapped": text.swapcase(),
        "upper-case": text.upper(),
        "lower-case": text.lower(),
        "first-dropped": text[1:],
        "last-dropped": text[:-1],
        "middle-dropped": text[:middle] + text[middle + 1 :],
        "char-prepended": "x" + text,
        "char-appended": text + "x",
        "char-inserted": text[:middle] + "x" + text[middle:],
        "first-changed": _other(text[:1]) + text[1:],
        "last-changed": text[:-1] + _other(text[-1:]),
        "middle-changed": text[:middle] + _other(text[middle : middle + 1]) + text[middle + 1 :],
        "half-prefix": text[: max(1, len(text) // 2)],
        "first-char-only": text[:1],
    }
    return {name: edit for name, edit in edits.items() if edit and edit != text}


def _basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode("ascii")


def wrong_secret_clients(api: ApiClient, key: str, secret: str) -> dict[str, ApiClient]:
    """The right key with a secret one edit away from the right one (AUTH-002)."""
    return {
        f"secret-{name}": api.with_auth((key, wrong)) for name, wrong in near_misses(secret).items()
    }


def invalid_credential_clients(api: ApiClient, key: str, secret: str) -> dict[str, ApiClient]:
    """Keys one edit away with the right secret, and malformed headers around them (AUTH-003)."""
    clients = {
        f"key-{name}": api.with_auth((wrong, secret))
        for name, wrong in near_misses(key).items()
        if name in ("last-dropped", "char-appended", "middle-changed", "first-changed")
    }
    token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
    headers = {
        "empty-header": "",
        "scheme-only": "Basic",
        "secret-without-key": _basic(f":{secret}"),
        "key-without-secret": _basic(f"{key}:"),
        "key-and-secret-without-colon": _basic(key + secret),
        "secret-and-key-swapped": _basic(f"{secret}:{key}"),
        "token-not-encoded": f"Basic {key}:{secret}",
        "token-truncated": f"Basic {token[:-4]}",
        "credentials-as-bearer": f"Bearer {token}",
    }
    clients.update({name: FixedAuthorization(api, value) for name, value in headers.items()})
    return clients


def refuse_all(provision, clients: dict[str, ApiClient], operation: str, req: str) -> None:
    """Every client is refused with a 4xx on `operation`, and the model does not change."""
    setting = scene(provision)
    before = snapshot(provision, setting.model_id)
    for name, client in clients.items():
        response = OPERATIONS[operation](client, setting)
        expect_4xx(response, req, f"{operation} with near-miss credentials ({name})")
    check_unchanged(
        provision, setting.model_id, before, req, f"after {operation} with near-miss credentials"
    )


@pytest.mark.req("AUTH-002")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_secret_one_edit_away_is_refused(api, target, provision, operation) -> None:
    """The secret with its case changed, a character dropped, added or changed, a prefix."""
    clients = wrong_secret_clients(api, target.api_key, target.api_secret)
    refuse_all(provision, clients, operation, "AUTH-002")


@pytest.mark.req("AUTH-003")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_key_one_edit_away_or_a_mangled_header_is_refused(
    api, target, provision, operation
) -> None:
    """The right secret with a wrong key; the right credentials in a malformed header."""
    clients = invalid_credential_clients(api, target.api_key, target.api_secret)
    refuse_all(provision, clients, operation, "AUTH-003")
