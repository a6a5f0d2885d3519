"""Replace Pairs (PUT /models/{modelId}/training-images/pairs): a full replacement, kept exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ticonf.client.api import images_path
from ticonf.core.catalog import check

from .strategies import json_non_arrays, pair_plans, realise, unknown_ids
from .support import (
    Req,
    as_multiset,
    difference,
    examples,
    expect_4xx,
    expect_refusal,
    expect_status,
    json_body,
    pairs_view,
    send_json,
    show,
    stored_pairs,
)

IMAGES = 3


def model_with_images(provision, count: int = IMAGES) -> tuple[str, list[str]]:
    model_id = provision.model()
    return model_id, provision.image_ids(model_id, count)


# A model of IMAGES images that a passing example kept for the next (Provisioner.keep): its
# image IDs and the pairs its last check saw stored.
UNPAIRED = "images to pair"


def images_without_pairs(api, provision) -> tuple[str, list[str]]:
    """A model of IMAGES images and no pairs. The one an earlier example of the test kept is
    taken when its pairs were checked empty, or once Replace Pairs with [] and GET show it so
    (that is never judged: a server that appends or ignores [] gets a new model instead, so
    its fault fails only the requirements it fails on a fresh model); else a new one."""
    kept = provision.take(UNPAIRED)
    if kept is not None:
        model_id, ids, checked = kept
        if checked == []:
            return model_id, ids
        cleared = api.replace_pairs(model_id, [])
        if cleared.status_code == 200 and stored_pairs(provision, model_id) == []:
            return model_id, ids
    return model_with_images(provision)


def keep_images(provision, model_id: str, ids: list[str], checked: list[dict]) -> None:
    """For the next example, after the last check saw the pairs `checked` stored."""
    provision.keep(UNPAIRED, (model_id, ids, checked))


def replace_pairs(api, model_id: str, pairs: Any, req: Req) -> dict[str, Any]:
    """Send `pairs`, require 200 and a body with count and pairs; return the body."""
    response = api.replace_pairs(model_id, pairs)
    action = f"Replace Pairs with {len(pairs)} pair(s)"
    expect_status(response, 200, req, action)
    body = json_body(response)
    check(
        isinstance(body, dict) and "count" in body and "pairs" in body,
        req,
        f"{action}: expected an object with count and pairs, got {show(response)}",
    )
    return body


def check_stored(provision, model_id: str, expected: list[dict], req: Req, action: str) -> None:
    """The model's pairs are `expected`, in any order (the order is PAIRS-010's, a SHOULD)."""
    stored = stored_pairs(provision, model_id)
    check(
        as_multiset(stored) == as_multiset(expected),
        req,
        f"{action}: the model's trainingImagePairs are not the expected {len(expected)} pair(s); "
        f"{difference(as_multiset(expected), as_multiset(stored))}",
    )


@pytest.mark.long(requests=80)
@pytest.mark.req("PAIRS-001", "PAIRS-003", "PAIRS-007")
@given(plan=pair_plans(IMAGES))
def test_pairs_come_back_as_sent(api, provision, plan) -> None:
    model_id, ids = images_without_pairs(api, provision)
    pairs = realise(plan, ids)
    body = replace_pairs(api, model_id, pairs, "PAIRS-001")
    count = body["count"]
    check(
        isinstance(count, int | float) and not isinstance(count, bool),
        "PAIRS-007",
        f"Replace Pairs: expected count as a JSON number, got {count!r}",
    )
    check(
        count == len(pairs),
        "PAIRS-001",
        f"Replace Pairs with {len(pairs)} pair(s): expected count {len(pairs)}, got {count!r}",
    )
    returned = pairs_view(body["pairs"])
    check(
        as_multiset(returned) == as_multiset(pairs),
        "PAIRS-001",
        f"Replace Pairs: expected the {len(pairs)} pair(s) sent (in any order); "
        f"{difference(as_multiset(pairs), as_multiset(returned))}",
    )
    check_stored(provision, model_id, returned, "PAIRS-003", "after Replace Pairs")
    keep_images(provision, model_id, ids, returned)


@pytest.mark.req("PAIRS-010")
@given(plan=pair_plans(IMAGES, min_size=2))
@examples(0.25)
def test_pairs_keep_their_order(api, provision, observe, plan) -> None:
    """The order is not documented: a MUST test accepts any; this SHOULD wants the order sent."""
    model_id, ids = images_without_pairs(api, provision)
    pairs = realise(plan, ids)
    returned = pairs_view(replace_pairs(api, model_id, pairs, "PAIRS-010")["pairs"])
    stored = stored_pairs(provision, model_id)
    observe("pairs-order", "as sent" if returned == pairs else "reordered")
    check(
        returned == pairs and stored == pairs,
        "PAIRS-010",
        f"Replace Pairs: expected the pairs in the order sent; response: "
        f"{difference(pairs, returned)}; model: {difference(pairs, stored)}",
    )
    keep_images(provision, model_id, ids, stored)


@pytest.mark.req("PAIRS-002")
@given(first=pair_plans(IMAGES, min_size=1), second=pair_plans(IMAGES))
@examples(0.5)
def test_pairs_are_replaced_not_merged(api, provision, first, second) -> None:
    model_id, ids = images_without_pairs(api, provision)
    replace_pairs(api, model_id, realise(first, ids), "PAIRS-002")
    expected = realise(second, ids)
    body = replace_pairs(api, model_id, expected, "PAIRS-002")
    returned = pairs_view(body["pairs"])
    check(
        as_multiset(returned) == as_multiset(expected),
        "PAIRS-002",
        f"second Replace Pairs: expected exactly the second list; {difference(expected, returned)}",
    )
    check_stored(provision, model_id, expected, "PAIRS-002", "after two Replace Pairs")
    keep_images(provision, model_id, ids, expected)


@pytest.mark.req("PAIRS-004")
@given(plan=pair_plans(IMAGES, min_size=1))
@examples(0.25)
def test_an_empty_list_clears_the_pairs(api, provision, plan) -> None:
    model_id, ids = images_without_pairs(api, provision)
    replace_pairs(api, model_id, realise(plan, ids), "PAIRS-004")
    body = replace_pairs(api, model_id, [], "PAIRS-004")
    check(
        body["count"] == 0 and body["pairs"] == [],
        "PAIRS-004",
        f"Replace Pairs with []: expected count 0 and no pairs, got {body!r}",
    )
    check_stored(provision, model_id, [], "PAIRS-004", "after Replace Pairs with []")
    keep_images(provision, model_id, ids, [])


FOREIGN_KINDS = ("random", "other-model", "asset", "deleted")


def foreign_id(api, provision, model_id: str, kind: str, random_id: str) -> str:
    """An ID that is not a training image of `model_id`, of the given kind."""
    if kind == "other-model":
        return provision.image_ids(provision.model(), 1)[0]
    if kind == "asset":
        return provision.asset(9)
    if kind == "deleted":
        doomed = provision.image(model_id, "doomed.png", seed=9)["id"]
        expect_status(api.delete(model_id, doomed), 200, "PAIRS-005", "Delete of an image")
        return doomed
    return random_id


@pytest.mark.long(requests=95)
@pytest.mark.req("PAIRS-005")
@given(
    kept=pair_plans(IMAGES, min_size=1, max_size=4),
    sent=pair_plans(IMAGES, max_size=4),
    kind=st.sampled_from(FOREIGN_KINDS),
    side=st.sampled_from(["sourceId", "targetId", "both"]),
    position=st.integers(0, 4),
    random_id=unknown_ids(),
)
@example(
    kept=[(0, 1, "a")],
    sent=[(1, 2, "b")],
    kind="random",
    side="sourceId",
    position=0,
    random_id="asset_0000000000000000000000",
)
@example(
    kept=[(0, 1, "a")],
    sent=[(1, 2, "b")],
    kind="other-model",
    side="targetId",
    position=1,
    random_id="x",
)
@example(kept=[(0, 1, "a")], sent=[], kind="asset", side="sourceId", position=0, random_id="x")
@example(
    kept=[(0, 1, "a")], sent=[(2, 0, "b")], kind="deleted", side="both", position=0, random_id="x"
)
@examples(0.5)
def test_pairs_of_foreign_images_are_refused(
    api, provision, observe, kept, sent, kind, side, position, random_id
) -> None:
    model_id, ids = images_without_pairs(api, provision)
    stored = realise(kept, ids)
    replace_pairs(api, model_id, stored, "PAIRS-005")
    stranger = foreign_id(api, provision, model_id, kind, random_id)
    bad = {"sourceId": ids[0], "targetId": ids[1], "instruction": "foreign"}
    for key in ("sourceId", "targetId") if side == "both" else (side,):
        bad[key] = stranger
    pairs = realise(sent, ids)
    pairs.insert(min(position, len(pairs)), bad)
    action = f"Replace Pairs naming a foreign ID ({kind}: {stranger!r}) as {side}"
    response = api.replace_pairs(model_id, pairs)
    expect_refusal(response, "PAIRS-005", action, observe, "foreign-pair-status")
    check_stored(provision, model_id, stored, "PAIRS-005", f"after a refused {action}")
    keep_images(provision, model_id, ids, stored)


@pytest.mark.req("PAIRS-006")
@given(body=json_non_arrays())
@examples(0.5)
def test_a_body_that_is_no_array_is_refused(api, provision, body) -> None:
    # No Replace Pairs of its own on a model an earlier example kept: under a server that
    # appends (pairs-append) it would fail here too, and that fault is PAIRS-002's.
    model_id, stored = provision.take("one stored pair") or model_with_one_pair(api, provision)
    path = f"{images_path(model_id)}/pairs"
    action = f"Replace Pairs with the body {body!r}"
    expect_4xx(send_json(api, "PUT", path, body), "PAIRS-006", action)
    check_stored(provision, model_id, stored, "PAIRS-006", f"after a refused {action}")
    provision.keep("one stored pair", (model_id, stored))


def model_with_one_pair(api, provision) -> tuple[str, list[dict]]:
    model_id, ids = model_with_images(provision, 2)
    stored = [{"sourceId": ids[0], "targetId": ids[1], "instruction": "kept"}]
    replace_pairs(api, model_id, stored, "PAIRS-006")
    return model_id, stored


@pytest.mark.req("PAIRS-006")
@pytest.mark.parametrize("shape", ["wrapped", "single-pair"])
def test_pairs_wrapped_in_an_object_are_refused(api, provision, shape) -> None:
    model_id, ids = model_with_images(provision, 2)
    pair = {"sourceId": ids[0], "targetId": ids[1], "instruction": "wrapped"}
    body = {"pairs": [pair]} if shape == "wrapped" else pair
    action = f"Replace Pairs with the object {body!r}"
    expect_4xx(send_json(api, "PUT", f"{images_path(model_id)}/pairs", body), "PAIRS-006", action)
    check_stored(provision, model_id, [], "PAIRS-006", f"after a refused {action}")


@pytest.mark.req("PAIRS-008")
@given(unknown=unknown_ids(), empty=st.booleans())
@examples(0.25)
def test_unknown_model_is_refused(api, observe, unknown, empty) -> None:
    pairs = [] if empty else [{"sourceId": "a", "targetId": "b", "instruction": "c"}]
    response = api.replace_pairs(unknown, pairs)
    action = f"Replace Pairs on unknown model {unknown!r}"
    expect_refusal(response, "PAIRS-008", action, observe, "unknown-model-status")


@pytest.mark.req("PAIRS-009")
@given(plan=pair_plans(IMAGES))
@examples(0.25)
def test_replacing_twice_with_the_same_list_is_idempotent(api, provision, plan) -> None:
    model_id, ids = images_without_pairs(api, provision)
    pairs = realise(plan, ids)
    first = replace_pairs(api, model_id, pairs, "PAIRS-009")
    before = stored_pairs(provision, model_id)
    second = replace_pairs(api, model_id, pairs, "PAIRS-009")
    check(
        pairs_view(second["pairs"]) == pairs_view(first["pairs"])
        and second["count"] == first["count"],
        "PAIRS-009",
        f"the same Replace Pairs twice: first answer {first!r}, second {second!r}",
    )
    check_stored(provision, model_id, before, "PAIRS-009", "after the same Replace Pairs twice")
    keep_images(provision, model_id, ids, before)


@pytest.mark.req("PAIRS-001", "HTTP-001")
@pytest.mark.parametrize("shape", ["self-pair", "repeated-couple"])
def test_undocumented_pair_shapes(api, provision, observe, shape) -> None:
    """Whether these are allowed is not documented; if accepted, they come back as sent."""
    model_id, ids = model_with_images(provision, 2)
    if shape == "self-pair":
        pairs = [{"sourceId": ids[0], "targetId": ids[0], "instruction": "same"}]
    else:
        pairs = [{"sourceId": ids[0], "targetId": ids[1], "instruction": str(i)} for i in (1, 2)]
    response = api.replace_pairs(model_id, pairs)
    observe(f"pairs-{shape}-status", response.status_code)
    check(response.status_code < 500, "HTTP-001", f"Replace Pairs ({shape}): {show(response)}")
    if response.status_code == 200:
        returned = pairs_view((json_body(response) or {}).get("pairs"))
        check(
            as_multiset(returned) == as_multiset(pairs),
            "PAIRS-001",
            f"Replace Pairs ({shape}) accepted: expected {pairs!r} back, got {returned!r}",
        )
