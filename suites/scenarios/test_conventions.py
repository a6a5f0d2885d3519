"""Conventions the documentation does not fix: exact error codes and strict request typing.

The MUST tests accept any 4xx where the documentation fixes no status, and never fail a server
for reading null as absent. These SHOULD tests hold a server to the conventions (401, 404, 400,
strict types), each in a test of its own so that a failed convention never hides a MUST, and
record what the server chose.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from ticonf.client.samples import png_data_url
from ticonf.core.catalog import check
from ticonf.core.operations import ADD, REPLACE, REPLACE_PAIRS

from .support import (
    OPERATIONS,
    Scene,
    also_server_error,
    check_no_server_error,
    expect_status,
    scene,
    send_raw,
    show,
    valid_body,
)

UNKNOWN = "asset_0000000000000000000000"


def not_found_probes(api, provision) -> dict[str, Any]:
    """Requests naming a model or an image in the path that is not there, by what is missing."""
    setting = scene(provision)
    other = provision.model()
    doomed = provision.image(setting.model_id, "doomed.png", seed=5)["id"]
    expect_status(api.delete(setting.model_id, doomed), 200, "STATUS-003", "Delete of an image")
    body = valid_body("probe.png", seed=6)
    return {
        "add-unknown-model": lambda: api.add("model_0000000000000000000000", body),
        "pairs-unknown-model": lambda: api.replace_pairs("model_0000000000000000000000", []),
        "replace-unknown-image": lambda: api.replace(setting.model_id, UNKNOWN, body),
        "delete-unknown-image": lambda: api.delete(setting.model_id, UNKNOWN),
        "replace-deleted-image": lambda: api.replace(setting.model_id, doomed, body),
        "delete-deleted-image": lambda: api.delete(setting.model_id, doomed),
        "delete-foreign-image": lambda: api.delete(other, setting.image_ids[0]),
    }


@pytest.mark.req("STATUS-003")
def test_missing_resources_give_404(api, provision, observe) -> None:
    for name, probe in not_found_probes(api, provision).items():
        response = probe()
        observe("not-found-status", {name: response.status_code})
        expect_status(response, 404, "STATUS-003", f"{name} (a missing resource in the path)")


MALFORMED = (b"{", b'{"name": }', b"\xff\xfe", b"[{]")


@pytest.mark.req("HTTP-005")
def test_malformed_json_gives_400(api, provision) -> None:
    model_id = provision.model()
    image = provision.image(model_id)["id"]
    for called in (ADD, REPLACE_PAIRS, REPLACE):
        operation, method, path = called.name, called.method, called.path_for(model_id, image)
        for body in MALFORMED:
            response = send_raw(api, method, path, body)
            expect_status(response, 400, "HTTP-005", f"{operation} with the body {body!r}")


@pytest.mark.req("AUTH-004")
def test_authentication_errors_use_their_codes(api, target, provision) -> None:
    setting = scene(provision)
    wrong = api.with_auth((target.api_key, target.api_secret + secrets.token_hex(4)))
    for operation, call in OPERATIONS.items():
        response = call(api.with_auth(None), setting)
        expect_status(response, 401, "AUTH-004", f"{operation} without credentials")
        response = call(wrong, setting)
        expect_status(response, (401, 403), "AUTH-004", f"{operation} with a wrong secret")


# name: (operation, body builder); each body departs from the request schema in one field
# only, in a way the documentation does not rule out in words (types and nulls).
LOOSE_BODIES: dict[str, tuple[str, Any]] = {
    "name-null": ("add", lambda s: {"data": png_data_url(21), "name": None}),
    "name-number": ("add", lambda s: {"data": png_data_url(22), "name": 123}),
    "preset-null": ("add", lambda s: {**valid_body(seed=23), "preset": None}),
    "asset-id-null": ("add", lambda s: {**valid_body(seed=24), "assetId": None}),
    "asset-ids-empty": ("add", lambda s: {"assetIds": []}),
    "replace-name-null": ("replace", lambda s: {"data": png_data_url(25), "name": None}),
    "instruction-null": (
        "replace-pairs",
        lambda s: [{"sourceId": s.image_ids[0], "targetId": s.image_ids[1], "instruction": None}],
    ),
    "instruction-number": (
        "replace-pairs",
        lambda s: [{"sourceId": s.image_ids[0], "targetId": s.image_ids[1], "instruction": 5}],
    ),
}


def send_loose(api, setting: Scene, name: str):
    operation, build = LOOSE_BODIES[name]
    body = build(setting)
    if operation == "add":
        return api.add(setting.model_id, body)
    if operation == "replace":
        return api.replace(setting.model_id, setting.image_ids[0], body)
    return api.replace_pairs(setting.model_id, body)


@pytest.mark.req("SCHEMA-004", "HTTP-001")
@pytest.mark.parametrize("name", list(LOOSE_BODIES))
def test_loosely_typed_fields_are_refused(api, provision, observe, name) -> None:
    """Null for an optional field, or another JSON type: a strict server refuses (the SHOULD);
    a lenient one that reads null as absent is recorded, and fails no MUST."""
    response = send_loose(api, scene(provision), name)
    refused = 400 <= response.status_code < 500
    observe(
        "null-for-optional-fields" if "null" in name else "wrong-json-types",
        {name: "refused" if refused else f"accepted ({response.status_code})"},
    )
    check_no_server_error(response, f"{name} body")
    check(
        refused,
        also_server_error("SCHEMA-004", response),
        f"a body with {name} (outside the documented schema): expected a 4xx, got {show(response)}",
    )


@pytest.mark.req("HTTP-001")
@pytest.mark.parametrize("method", ["GET", "OPTIONS", "HEAD"])
def test_other_methods_on_the_images_path(api, provision, observe, method) -> None:
    """Extra methods (a GET list, CORS OPTIONS) are allowed; only a crash would be wrong."""
    model_id = provision.model()
    response = api.send(method, f"/models/{model_id}/training-images")
    observe("other-methods-status", {method: response.status_code})
    check_no_server_error(response, f"{method} on the images path")
