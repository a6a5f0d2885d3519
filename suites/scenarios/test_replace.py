"""Replace (PUT /models/{modelId}/training-images/{trainingImageId}): one image, in place.

Whether the replacement keeps the old ID is not documented: the suite follows the ID in the
response and records which choice the server made.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given

from ticonf.client.samples import png_data_url
from ticonf.core.catalog import check

from .strategies import file_names, invalid_image_bodies, unknown_ids
from .support import (
    Snapshot,
    check_count,
    check_image_fields,
    check_unchanged,
    examples,
    expect_4xx,
    expect_refusal,
    expect_status,
    gallery,
    image_id,
    pairs_fate,
    snapshot,
    training_image,
    valid_body,
)

# What the examples of a generated test keep for the next one (Provisioner.keep).
ONE_IMAGE = "a model of one image"


@pytest.mark.req("REPLACE-001")
@given(name=file_names())
@examples(0.5)
def test_replace_returns_the_new_image(api, provision, name) -> None:
    model = gallery(provision, "replaced", name)
    old = provision.image(model.model_id, f"before-{model.images}.png", seed=model.seed())
    model.names.add(old["name"])
    action = f"Replace of {old['id']} with name {name!r}"
    body = valid_body(name, seed=model.seed())
    image = training_image(api.replace(model.model_id, old["id"], body), "REPLACE-001", action)
    check_image_fields(image, "REPLACE-001", action)
    check(
        image.get("name") == name,
        "REPLACE-001",
        f"{action}: expected name {name!r}, got {image.get('name')!r}",
    )
    provision.keep("replaced", model)


@pytest.mark.req("REPLACE-001")
def test_replace_by_asset_id(api, provision, model_id) -> None:
    old = provision.image(model_id, "before.png")
    action = "Replace with an assetId"
    image = training_image(
        api.replace(model_id, old["id"], {"assetId": provision.asset(8)}), "REPLACE-001", action
    )
    check_image_fields(image, "REPLACE-001", action)


@pytest.mark.req("REPLACE-002")
def test_replace_keeps_the_image_count(api, provision, model_id) -> None:
    ids = provision.image_ids(model_id, 3)
    for round_, slot in enumerate([1, 1, 0]):
        current = ids[slot]
        response = api.replace(model_id, current, valid_body(f"r{round_}.png", seed=round_))
        image = training_image(response, "REPLACE-002", f"Replace of {current}")
        ids[slot] = image.get("id", current)
        check_count(provision, model_id, 3, "REPLACE-002", f"after Replace #{round_ + 1}")


@pytest.mark.req("REPLACE-003")
@given(unknown=unknown_ids())
@examples(0.5)
def test_unknown_image_is_refused(api, provision, observe, unknown) -> None:
    model_id = provision.take(ONE_IMAGE)
    if model_id is None:
        model_id = provision.model()
        provision.image(model_id, "present.png")
    action = f"Replace of unknown image {unknown!r}"
    response = api.replace(model_id, unknown, valid_body("new.png"))
    expect_refusal(response, "REPLACE-003", action, observe, "unknown-image-status")
    check_count(provision, model_id, 1, "REPLACE-003", f"after a refused {action}")
    provision.keep(ONE_IMAGE, model_id)


@pytest.mark.req("REPLACE-003")
def test_an_asset_that_is_no_training_image_is_refused(api, provision, model_id) -> None:
    asset = provision.asset(4)
    action = f"Replace of asset {asset}, not a training image of the model"
    expect_4xx(api.replace(model_id, asset, valid_body("new.png")), "REPLACE-003", action)
    check_count(provision, model_id, 0, "REPLACE-003", f"after a refused {action}")


def one_image_model(provision) -> tuple[str, str, Snapshot]:
    """A model of one image, that image's ID and the model's snapshot. The model an earlier
    example of the test kept is taken when GET shows it with exactly one image, whose ID is
    then the one listed (a Replace may have given the image a new one)."""
    model_id = provision.take(ONE_IMAGE)
    if model_id is not None:
        before = snapshot(provision, model_id)
        if before.count == 1 and len(before.images) == 1:
            return model_id, before.images[0][0], before
    model_id = provision.model()
    kept = provision.image(model_id, "kept.png")["id"]
    return model_id, kept, snapshot(provision, model_id)


@pytest.mark.long(requests=90)
@pytest.mark.req("REPLACE-004")
@given(body=invalid_image_bodies("refused.png", png_data_url(6)))
@example(body={"data": png_data_url(6), "name": "refused.png", "preset": "portrait"})
@example(body={"data": "data:image/png;base64,aGVsbG8=", "name": "refused.png"})
def test_an_invalid_body_leaves_the_image(api, provision, body) -> None:
    model_id, kept, before = one_image_model(provision)
    action = f"Replace with the invalid body {str(body)[:120]}"
    expect_4xx(api.replace(model_id, kept, body), "REPLACE-004", action)
    check_unchanged(provision, model_id, before, "REPLACE-004", f"after a refused {action}")
    response = api.replace(model_id, kept, valid_body("after.png"))
    expect_status(response, 200, "REPLACE-004", f"Replace of {kept} after a refused one")
    provision.keep(ONE_IMAGE, model_id)


@pytest.mark.req("REPLACE-004")
def test_an_unknown_asset_leaves_the_image(api, provision, model_id) -> None:
    kept = provision.image(model_id, "kept.png")["id"]
    before = snapshot(provision, model_id)
    action = "Replace with an unknown assetId"
    body = {"assetId": "asset_0000000000000000000000"}
    expect_4xx(api.replace(model_id, kept, body), "REPLACE-004", action)
    check_unchanged(provision, model_id, before, "REPLACE-004", f"after a refused {action}")


@pytest.mark.req("REPLACE-005")
def test_the_replacement_is_addressable(api, provision, model_id, observe) -> None:
    old = provision.image(model_id, "before.png")["id"]
    response = api.replace(model_id, old, valid_body("one.png", seed=1))
    new = image_id(response, "REPLACE-005", f"Replace of {old}")
    observe("replace-keeps-id", new == old)
    if new != old:
        gone = api.replace(model_id, old, valid_body("stale.png", seed=3))
        observe("replace-old-id-after-new-id", gone.status_code)
    response = api.replace(model_id, new, valid_body("two.png", seed=2))
    second = training_image(response, "REPLACE-005", f"Replace by the returned ID {new}")
    check(
        second.get("name") == "two.png",
        "REPLACE-005",
        f"Replace by the returned ID {new}: expected name 'two.png', got {second.get('name')!r}",
    )
    latest = image_id(response, "REPLACE-005", f"Replace by the returned ID {new}")
    expect_status(
        api.delete(model_id, latest), 200, "REPLACE-005", f"Delete by the returned ID {latest}"
    )
    check_count(provision, model_id, 0, "REPLACE-005", "after deleting the replacement")


@pytest.mark.req("REPLACE-001")
def test_pairs_after_replace(api, provision, model_id, observe) -> None:
    """What happens to pairs of a replaced image is not documented: recorded, never failed."""
    ids = provision.image_ids(model_id, 2)
    pairs = [{"sourceId": ids[0], "targetId": ids[1], "instruction": "keep"}]
    expect_status(api.replace_pairs(model_id, pairs), 200, "REPLACE-001", "Replace Pairs")
    response = api.replace(model_id, ids[0], valid_body("swap.png", seed=3))
    image = training_image(response, "REPLACE-001", f"Replace of paired image {ids[0]}")
    check(
        image.get("name") == "swap.png",
        "REPLACE-001",
        f"Replace of paired image {ids[0]}: expected name 'swap.png', got {image.get('name')!r}",
    )
    after = provision.state(model_id).get("trainingImagePairs")
    observe("pairs-after-replace", pairs_fate(pairs, after, ids[0], image.get("id")))
