"""Add (POST /models/{modelId}/training-images): what it returns, stores and refuses."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ticonf.client.provisioning import ProvisioningError
from ticonf.client.samples import png_base64, png_data_url
from ticonf.core.catalog import check

from .strategies import (
    SCRIPT_NAMES,
    bad_presets,
    file_names,
    non_image_data,
    unknown_ids,
)
from .support import (
    ROOMY_IMAGES,
    check_count,
    check_image_fields,
    empty_model,
    examples,
    expect_4xx,
    expect_refusal,
    expect_status,
    gallery,
    image_count,
    image_id,
    json_body,
    keep_empty,
    show,
    training_image,
    valid_body,
)


def every_script(test):
    """Run `test` with each of the fixed script names, besides the generated ones."""
    for name in SCRIPT_NAMES:
        test = example(name=name)(test)
    return test


@pytest.mark.req("ADD-001")
@pytest.mark.parametrize("preset", [None, "default", "style", "subject"])
def test_add_returns_the_training_image(api, model_id, preset) -> None:
    body = valid_body("ticonf-first.png")
    if preset:
        body["preset"] = preset
    action = f"Add of a PNG data URL (preset {preset})"
    image = training_image(api.add(model_id, body), "ADD-001", action)
    check_image_fields(image, "ADD-001", action)
    check(
        image["name"] == "ticonf-first.png",
        "ADD-001",
        f"{action}: expected name 'ticonf-first.png', got {image['name']!r}",
    )


@pytest.mark.req("ADD-002")
def test_add_dates_and_links_are_well_formed(api, model_id) -> None:
    image = training_image(api.add(model_id, valid_body()), "ADD-002", "Add")
    created = image.get("createdAt")
    try:
        parsed = "T" in str(created).upper() and bool(datetime.fromisoformat(str(created)))
    except ValueError:
        parsed = False
    check(parsed, "ADD-002", f"Add: expected createdAt as an ISO-8601 timestamp, got {created!r}")
    url = image.get("downloadUrl")
    parts = urlsplit(str(url))
    check(
        bool(parts.scheme) and bool(parts.netloc),
        "ADD-002",
        f"Add: expected downloadUrl to be an absolute URL, got {url!r}",
    )


@pytest.mark.long(requests=100)
@pytest.mark.req("ADD-003")
@given(batches=st.lists(st.integers(1, 3), min_size=1, max_size=4))
@examples(0.5)
def test_add_increases_the_image_count(api, provision, batches) -> None:
    # The model and count an earlier example checked last, while it has room for more.
    model_id, expected = provision.take("counted") or (provision.model(), 0)
    if expected >= ROOMY_IMAGES:
        model_id, expected = provision.model(), 0
    for done, size in enumerate(batches, start=1):
        if size == 1:
            response = api.add(model_id, valid_body(seed=expected))
        else:
            response = api.add(model_id, {"assetIds": provision.assets_at_once(list(range(size)))})
        expect_status(response, 200, "ADD-003", f"Add of {size} image(s)")
        expected += size
        check_count(provision, model_id, expected, "ADD-003", f"after Adds of {batches[:done]}")
    provision.keep("counted", (model_id, expected))


@pytest.mark.req("ADD-004")
def test_add_by_asset_id_ignores_data_and_name(api, provision, model_id, observe) -> None:
    plain = training_image(api.add(model_id, {"assetId": provision.asset(1)}), "ADD-004", "Add")
    check_image_fields(plain, "ADD-004", "Add with assetId")
    observe("add-asset-name", plain.get("name"))
    unnamed = training_image(api.add(model_id, {"data": png_data_url(8)}), "ADD-004", "Add")
    observe("add-default-name", unnamed.get("name"))
    body = {"assetId": provision.asset(2), "data": "not a data URL", "name": "ignored.png"}
    action = "Add with assetId, a bad data and a name (both to be ignored)"
    image = training_image(api.add(model_id, body), "ADD-004", action)
    check(
        image.get("name") != "ignored.png",
        "ADD-004",
        f"{action}: expected the given name to be ignored, got {image.get('name')!r}",
    )
    check_count(provision, model_id, 3, "ADD-004", "after two Adds with assetId and one without")


@pytest.mark.req("ADD-005")
@given(size=st.integers(1, 10))
@example(size=10)
@examples(0.25)
def test_add_a_batch_of_assets(api, provision, observe, size) -> None:
    model_id = provision.model()
    assets = provision.assets_at_once(list(range(size)))
    response = api.add(model_id, {"assetIds": assets})
    expect_status(response, 200, "ADD-005", f"Add with {size} assetIds")
    body = json_body(response)
    observe("add-batch-response-keys", sorted(body) if isinstance(body, dict) else body)
    check_count(provision, model_id, size, "ADD-005", f"after Add with {size} assetIds")


@pytest.mark.req("ADD-006")
def test_more_than_ten_asset_ids_are_refused(api, provision, model_id) -> None:
    assets = provision.assets_at_once(list(range(11)))
    expect_4xx(api.add(model_id, {"assetIds": assets}), "ADD-006", "Add with 11 assetIds")
    check_count(provision, model_id, 0, "ADD-006", "after a refused Add of 11 assetIds")


@pytest.mark.req("ADD-007")
@pytest.mark.parametrize("extra", ["assetId", "data", "name", "data+name", "all"])
def test_asset_ids_cannot_be_combined(api, provision, model_id, extra) -> None:
    fields: dict[str, Any] = {
        "assetId": provision.asset(3),
        "data": png_data_url(4),
        "name": "combined.png",
    }
    chosen = list(fields) if extra == "all" else extra.split("+")
    body = {"assetIds": [provision.asset(5)], **{key: fields[key] for key in chosen}}
    action = f"Add with assetIds and {extra}"
    expect_4xx(api.add(model_id, body), "ADD-007", action)
    check_count(provision, model_id, 0, "ADD-007", f"after a refused {action}")


@pytest.mark.req("ADD-008")
@given(preset=bad_presets())
@examples(0.5)
def test_unknown_presets_are_refused(api, provision, preset) -> None:
    model_id = empty_model(provision)
    body = {**valid_body(), "preset": preset}
    action = f"Add with preset {preset!r}"
    expect_4xx(api.add(model_id, body), "ADD-008", action)
    check_count(provision, model_id, 0, "ADD-008", f"after a refused {action}")
    keep_empty(provision, model_id)


@pytest.mark.req("ADD-009")
@given(data=non_image_data())
@example(data="data:image/png;base64," + base64.b64encode(b"no image, only text").decode())
@example(data="data:text/plain;base64," + png_base64(1))
@example(data="hello.png")
@example(data=42)
@examples(0.5)
def test_data_that_is_no_image_is_refused(api, provision, data) -> None:
    model_id = empty_model(provision)
    action = f"Add with data {str(data)[:80]!r}"
    expect_4xx(api.add(model_id, {"data": data, "name": "x.png"}), "ADD-009", action)
    check_count(provision, model_id, 0, "ADD-009", f"after a refused {action}")
    keep_empty(provision, model_id)


def add_to_missing_model(api, model_id: str, action: str, expectation: str) -> None:
    """ADD-010: Add to a model that does not exist is refused (a 4xx: the code is not
    documented, STATUS-003 holds the 404 convention) and does not create it."""
    expect_4xx(api.add(model_id, valid_body()), "ADD-010", action)
    after = api.get_model(model_id)
    check(
        not 200 <= after.status_code < 300,
        "ADD-010",
        f"{action}: expected {expectation} afterwards, GET gave {after.status_code}",
    )


@pytest.mark.req("ADD-010")
@given(unknown=unknown_ids())
@examples(0.5)
def test_unknown_model_is_refused(api, unknown) -> None:
    add_to_missing_model(api, unknown, f"Add to unknown model {unknown!r}", "no model to exist")


@pytest.mark.req("ADD-010")
def test_deleted_model_is_refused(api, provision) -> None:
    model_id = provision.model()
    deleted = api.delete_model(model_id)
    if not 200 <= deleted.status_code < 300:
        raise ProvisioningError(f"DELETE /models/{model_id} gave {show(deleted)}")
    add_to_missing_model(api, model_id, f"Add to deleted model {model_id}", "it to stay deleted")


@pytest.mark.req("ADD-011")
@given(unknown=unknown_ids())
@examples(0.5)
def test_unknown_asset_is_refused(api, provision, observe, unknown) -> None:
    model_id = empty_model(provision)
    action = f"Add with unknown assetId {unknown!r}"
    response = api.add(model_id, {"assetId": unknown})
    expect_refusal(response, "ADD-011", action, observe, "unknown-asset-status")
    check_count(provision, model_id, 0, "ADD-011", f"after a refused {action}")
    keep_empty(provision, model_id)


@pytest.mark.req("ADD-011")
def test_a_batch_with_an_unknown_asset(api, provision, model_id, observe) -> None:
    """All or nothing is not documented for a batch; a refused batch must add nothing."""
    batch = [provision.asset(6), "asset_0000000000000000000000", provision.asset(7)]
    response = api.add(model_id, {"assetIds": batch})
    count = image_count(provision, model_id)
    observe("add-batch-with-unknown-asset", {"status": response.status_code, "count": count})
    if 400 <= response.status_code < 500:
        check(
            count == 0,
            "ADD-011",
            f"Add of a batch with an unknown asset was refused ({response.status_code}), "
            f"yet trainingImagesNumber is {count!r}, expected 0",
        )


@pytest.mark.req("ADD-012")
@given(name=file_names())
@every_script
@examples(0.5)
def test_names_in_any_script_come_back_exactly(api, provision, name) -> None:
    model = gallery(provision, "names", name)
    action = f"Add with name {name!r}"
    response = api.add(model.model_id, valid_body(name, model.seed()))
    image = training_image(response, "ADD-012", action)
    check(
        image.get("name") == name,
        "ADD-012",
        f"{action}: expected the name back exactly, got {image.get('name')!r}",
    )
    provision.keep("names", model)


@pytest.mark.req("ADD-013")
@pytest.mark.parametrize(
    "body", [{}, {"name": "alone.png"}, {"preset": "style"}], ids=["empty", "name", "preset"]
)
def test_a_body_without_an_image_is_refused(api, model_id, provision, body) -> None:
    action = f"Add with body {body!r}"
    expect_4xx(api.add(model_id, body), "ADD-013", action)
    check_count(provision, model_id, 0, "ADD-013", f"after a refused {action}")


@pytest.mark.req("ADD-014")
def test_the_added_id_addresses_the_image(api, provision, model_id) -> None:
    first = image_id(api.add(model_id, valid_body("a.png")), "ADD-014", "Add")
    second = image_id(api.add(model_id, valid_body("b.png", seed=1)), "ADD-014", "Add")
    response = api.replace(model_id, first, valid_body("renamed.png", seed=2))
    expect_status(response, 200, "ADD-014", f"Replace by the ID Add returned ({first})")
    response = api.delete(model_id, second)
    expect_status(response, 200, "ADD-014", f"Delete by the ID Add returned ({second})")
