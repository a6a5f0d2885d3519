"""Delete (DELETE /models/{modelId}/training-images/{trainingImageId}): gone, and only that."""

from __future__ import annotations

import pytest
from hypothesis import given

from ticonf.core.catalog import check

from .strategies import unknown_ids
from .support import (
    Snapshot,
    check_count,
    check_unchanged,
    examples,
    expect_4xx,
    expect_refusal,
    expect_status,
    json_body,
    pairs_fate,
    show,
    snapshot,
    valid_body,
)


@pytest.mark.req("DELETE-001")
def test_delete_answers_with_an_object(api, provision, model_id, observe) -> None:
    image_id = provision.image(model_id)["id"]
    response = api.delete(model_id, image_id)
    expect_status(response, 200, "DELETE-001", f"Delete of {image_id}")
    body = json_body(response)
    observe("delete-body-fields", sorted(body) if isinstance(body, dict) else body)
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
    after = provision.state(model_id).get("trainingImagePairs")
    observe("pairs-after-delete", pairs_fate(pairs, after, ids[0], None))
    again = api.delete(model_id, ids[0])
    action = f"second Delete of {ids[0]}"
    expect_refusal(again, "DELETE-002", action, observe, "deleted-image-status")
    expect_4xx(
        api.replace(model_id, ids[0], valid_body("back.png")),
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
def test_unknown_image_is_refused(api, provision, observe, unknown) -> None:
    # The model and snapshot an earlier example checked were unchanged after its refusal.
    model_id, before = provision.take("unchanged model") or one_image_and_its_snapshot(provision)
    action = f"Delete of unknown image {unknown!r}"
    response = api.delete(model_id, unknown)
    expect_refusal(response, "DELETE-003", action, observe, "unknown-image-status")
    check_unchanged(provision, model_id, before, "DELETE-003", f"after a refused {action}")
    provision.keep("unchanged model", (model_id, before))


def one_image_and_its_snapshot(provision) -> tuple[str, Snapshot]:
    model_id = provision.model()
    provision.image(model_id, "stays.png")
    return model_id, snapshot(provision, model_id)


@pytest.mark.req("DELETE-003")
def test_an_asset_that_is_no_training_image_is_refused(api, provision, model_id) -> None:
    provision.image(model_id, "stays.png")
    asset = provision.asset(5)
    before = snapshot(provision, model_id)
    action = f"Delete of asset {asset}, not a training image of the model"
    expect_4xx(api.delete(model_id, asset), "DELETE-003", action)
    check_unchanged(provision, model_id, before, "DELETE-003", f"after a refused {action}")
