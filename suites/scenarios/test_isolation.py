"""Isolation between models: the modelId in the path scopes every operation."""

from __future__ import annotations

import pytest

from .support import (
    OPERATIONS,
    check_unchanged,
    expect_refusal,
    expect_status,
    scene,
    snapshot,
    valid_body,
)


@pytest.mark.req("ISO-001")
@pytest.mark.parametrize("other_has_images", [False, True], ids=["empty-B", "B-with-images"])
def test_an_image_is_out_of_reach_through_another_model(
    api, provision, observe, other_has_images
) -> None:
    owner = scene(provision)
    pairs = [{"sourceId": owner.image_ids[0], "targetId": owner.image_ids[1], "instruction": "a"}]
    expect_status(api.replace_pairs(owner.model_id, pairs), 200, "ISO-001", "Replace Pairs on A")
    other = provision.model()
    if other_has_images:
        provision.image_ids(other, 2)
    before_owner, before_other = snapshot(provision, owner.model_id), snapshot(provision, other)
    victim = owner.image_ids[0]
    response = api.replace(other, victim, valid_body("hijack.png"))
    action = f"Replace of A's image {victim} through model B"
    expect_refusal(response, "ISO-001", action, observe, "foreign-image-status")
    response = api.delete(other, victim)
    action = f"Delete of A's image {victim} through model B"
    expect_refusal(response, "ISO-001", action, observe, "foreign-image-status")
    check_unchanged(provision, owner.model_id, before_owner, "ISO-001", "model A, after both")
    check_unchanged(provision, other, before_other, "ISO-001", "model B, after both")


@pytest.mark.req("ISO-002")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_an_operation_changes_only_its_own_model(api, provision, operation) -> None:
    bystander = scene(provision)
    pairs = [
        {"sourceId": bystander.image_ids[1], "targetId": bystander.image_ids[0], "instruction": "b"}
    ]
    expect_status(api.replace_pairs(bystander.model_id, pairs), 200, "ISO-002", "Replace Pairs")
    before = snapshot(provision, bystander.model_id)
    actor = scene(provision)
    response = OPERATIONS[operation](api, actor)
    expect_status(response, 200, "ISO-002", f"{operation} on another model")
    check_unchanged(
        provision, bystander.model_id, before, "ISO-002", f"after {operation} on another model"
    )
