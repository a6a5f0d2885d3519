"""Delete (DELETE /models/{modelId}/training-images/{trainingImageId}): gone, and only that."""

from __future__ import annotations

import pytest
from hypothesis import given

from ticonf.catalog import check

from .strategies import unknown_ids
from .support import (
    check_count,
    check_unchanged,
    examples,
    expect_status,
    json_body,
    show,
    snapshot,
    valid_body,
)


@pytest.mark.req("DELETE-001")
def test_delete_answers_with_an_object(api, provision, model_id) -> None:
    image_id = provision.image(model_id)["id"]
    response = api.delete(model_id, image_id)
    expect_status(response, 200, "DELETE-001", f"Delete of {image_id}")
    check(
        isinstance(json_body(response), dict),
        "DELETE-001",
        f"Delete of {image_id}: expected a JSON object body, got {show(response)}",
    )


@pytest.mark.req("DELETE-002")
def test_a_deleted_image_is_gone(api, provision, model_id, observe) -> None:
    ids = provision.image_ids(model_id, 3)
    pairs = [{"sourceId": ids[0], "targetId": ids[1], "instruction": "gone"}]
    expect_status(api.replace_pairs(model_id, pairs), 200, "DELETE-002", "Replace Pairs")
    expect_status(api.delete(model_id, ids[0]), 200, "DELETE-002", f"Delete of {ids[0]}")
    check_count(provision, model_id, 2, "DELETE-002", f"after Delete of {ids[0]}")
    observe("pairs-after-delete", provision.state(model_id).get("trainingImagePairs"))
    expect_status(api.delete(model_id, ids[0]), 404, "DELETE-002", f"second Delete of {ids[0]}")
    expect_status(
        api.replace(model_id, ids[0], valid_body("back.png")),
        404,
        "DELETE-002",
        f"Replace of deleted image {ids[0]}",
    )
    check_count(provision, model_id, 2, "DELETE-002", "after Delete and Replace of a deleted image")


@pytest.mark.req("DELETE-002")
def test_delete_removes_only_that_image(api, provision, model_id) -> None:
    ids = provision.image_ids(model_id, 3)
    for done, image_id in enumerate(ids, start=1):
        expect_status(api.delete(model_id, image_id), 200, "DELETE-002", f"Delete of {image_id}")
        check_count(provision, model_id, 3 - done, "DELETE-002", f"after Delete #{done}")


@pytest.mark.req("DELETE-003")
@given(unknown=unknown_ids())
@examples(0.5)
def test_unknown_image_gives_404(api, provision, unknown) -> None:
    model_id = provision.model()
    provision.image(model_id, "stays.png")
    before = snapshot(provision, model_id)
    action = f"Delete of unknown image {unknown!r}"
    expect_status(api.delete(model_id, unknown), 404, "DELETE-003", action)
    check_unchanged(provision, model_id, before, "DELETE-003", f"after a refused {action}")


@pytest.mark.req("DELETE-003")
def test_an_asset_that_is_no_training_image_gives_404(api, provision, model_id) -> None:
    provision.image(model_id, "stays.png")
    asset = provision.asset(5)
    before = snapshot(provision, model_id)
    action = f"Delete of asset {asset}, not a training image of the model"
    expect_status(api.delete(model_id, asset), 404, "DELETE-003", action)
    check_unchanged(provision, model_id, before, "DELETE-003", f"after a refused {action}")
