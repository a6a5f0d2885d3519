"""Realistic inputs and documented boundaries: what users send, and the edges of what is allowed.

The other suites send 2x2 PNGs, short names and small lists. Here: every common image format and
a training photo of a realistic size (Pillow-encoded), names and instructions of hundreds of
characters in every script, in NFC and NFD, with emoji and right-to-left text; 0, 1 and many
pairs; Replace and Delete of the first, a middle and the last image; and the documented query
parameters on every operation. A text a server refuses (4xx) is its choice; a text it accepts
must come back exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import example, given

from ticonf.client.api import ApiClient
from ticonf.client.provisioning import Provisioner
from ticonf.client.samples import image_data_url, photo_data_url
from ticonf.core.catalog import check
from ticonf.run import state as run_state

from .realistic import file_names, long_name, prose, unordered
from .support import (
    Req,
    Scene,
    check_count,
    check_image_fields,
    check_no_server_error,
    check_unchanged,
    examples,
    expect_status,
    json_body,
    pairs_view,
    scene,
    show,
    snapshot,
    stored_pairs,
    training_image,
    valid_body,
)


def full_profile() -> bool:
    return run_state.current().context.profile == "full"


def listed_names(provision: Provisioner, model_id: str) -> dict[str, Any]:
    """{id: name} of the images GET /models/{modelId} shows (the first 3 at most)."""
    listed = provision.state(model_id).get("trainingImages")
    images = listed if isinstance(listed, list) else []
    return {i.get("id"): i.get("name") for i in images if isinstance(i, dict)}


# -- formats and sizes -----------------------------------------------------------------------

FORMAT_REQS = {"png": "ADD-015", "jpeg": "ADD-015", "webp": "ADD-016", "gif": "ADD-016"}


def add_and_replace_with(
    api: ApiClient, provision, data: list[str], req: Req, what: str, ext: str = "jpg"
) -> None:
    """Add the first image, Replace it with each next one: every call 200, the count stays 1."""
    model_id = provision.model()
    action = f"Add of {what}"
    body = {"data": data[0], "name": f"photo.{ext}"}
    image = training_image(api.add(model_id, body), req, action)
    check_image_fields(image, req, action)
    for index, replacement in enumerate(data[1:], start=1):
        action = f"Replace with {what} (#{index})"
        body = {"data": replacement, "name": f"photo-{index}.{ext}"}
        image = training_image(api.replace(model_id, image.get("id"), body), req, action)
    check_count(provision, model_id, 1, req, f"after Add and Replace of {what}")


@pytest.mark.parametrize(
    "kind",
    [pytest.param(kind, marks=pytest.mark.req(req)) for kind, req in FORMAT_REQS.items()],
)
def test_every_common_image_format_is_accepted(api, provision, kind) -> None:
    sizes = [(16, 16), (128, 96)] + ([(1024, 768)] if full_profile() else [])
    data = [image_data_url(kind, w, h, seed=i) for i, (w, h) in enumerate(sizes)]
    what = f"{kind.upper()} images of {', '.join(f'{w}x{h}' for w, h in sizes)}"
    add_and_replace_with(api, provision, data, FORMAT_REQS[kind], what, ext=kind)


@pytest.mark.req("ADD-017")
def test_a_training_photo_of_realistic_size_is_accepted(api, provision, observe) -> None:
    sides = [1024, 2048] if full_profile() else [1024]
    data = [photo_data_url(side, seed=side) for side in sides]
    observe("photo-data-url-bytes", [len(d) for d in data])
    what = " then ".join(
        f"a {s}x{s} JPEG photo ({len(d) / 1e6:.1f} MB)" for s, d in zip(sides, data, strict=True)
    )
    add_and_replace_with(api, provision, data if len(data) > 1 else data * 2, "ADD-017", what)


# -- texts -----------------------------------------------------------------------------------


def check_text(sent: str, seen: Any, req: Req, action: str) -> None:
    check(
        seen == sent,
        req,
        f"{action}: the text did not come back exactly; sent {len(sent)} characters {sent!r}, "
        f"got {len(seen) if isinstance(seen, str) else '-'}: {seen!r}",
    )


def name_round_trip(api, provision, model_id, image_id, name, req: Req, action: str):
    """Replace (or Add when image_id is None) with `name`; None when the server refused it."""
    body = {"data": image_data_url("jpeg", seed=len(name)), "name": name}
    if image_id is None:
        response = api.add(model_id, body)
    else:
        response = api.replace(model_id, image_id, body)
    check_no_server_error(response, action)
    if 400 <= response.status_code < 500:
        return None
    image = training_image(response, req, action)
    check_text(name, image.get("name"), req, f"{action} (response)")
    shown = listed_names(provision, model_id)
    if image.get("id") in shown:
        check_text(name, shown[image.get("id")], req, f"{action} (GET /models/{model_id})")
    return image.get("id")


@pytest.mark.req("TEXT-001")
@given(first=file_names(), second=file_names())
@example(first=long_name(300, "NFC"), second=long_name(300, "NFD"))
@examples(0.2)
def test_long_names_in_every_script_come_back_exactly(api, provision, observe, first, second):
    model_id = provision.model()
    added = name_round_trip(api, provision, model_id, None, first, "TEXT-001", "Add")
    if added is None:
        observe("name-refused", len(first))
        return
    name_round_trip(api, provision, model_id, added, second, "TEXT-001", f"Replace of {added}")


def pairs_round_trip(api, provision, model_id, pairs, req: Req, action: str) -> bool:
    """Replace Pairs with `pairs`: True when accepted and kept exactly, False when refused."""
    response = api.replace_pairs(model_id, pairs)
    check_no_server_error(response, action)
    if 400 <= response.status_code < 500:
        return False
    expect_status(response, 200, req, action)
    returned = pairs_view((json_body(response) or {}).get("pairs"))
    for place, sent, seen in (("response", pairs, returned), ("stored", pairs, None)):
        seen = stored_pairs(provision, model_id) if seen is None else seen
        sent_texts = sorted(pair.get("instruction") for pair in sent)
        seen_texts = (
            sorted(map(str, (p.get("instruction") for p in seen)))
            if isinstance(seen, list)
            else seen
        )
        check(
            seen_texts == sent_texts,
            req,
            f"{action} ({place}): the instructions did not come back exactly; "
            f"sent {sent_texts!r}, got {seen_texts!r}",
        )
    return True


@pytest.mark.req("TEXT-001")
@given(texts=prose(1, 60).flatmap(lambda t: prose(20, 80).map(lambda u: [t, u])))
@example(texts=[long_name(400, "NFD"), "make the sky \u05d1\u05d4\u05d9\u05e8 🌅, keep the faces"])
@examples(0.2)
def test_long_instructions_in_every_script_come_back_exactly(api, provision, texts) -> None:
    model_id = provision.model()
    ids = provision.image_ids(model_id, 3)
    pairs = [
        {"sourceId": ids[i], "targetId": ids[i + 1], "instruction": text}
        for i, text in enumerate(texts)
    ]
    pairs_round_trip(api, provision, model_id, pairs, "TEXT-001", "Replace Pairs")


@pytest.mark.req("TEXT-002")
def test_spaces_at_the_ends_are_kept(api, provision) -> None:
    model_id = provision.model()
    name = "  holiday photo 2024 .jpg "
    added = name_round_trip(api, provision, model_id, None, name, "TEXT-002", "Add")
    ids = [added] if added else []
    ids += provision.image_ids(model_id, 2 - len(ids))
    pairs = [{"sourceId": ids[0], "targetId": ids[1], "instruction": "  make it brighter  "}]
    pairs_round_trip(api, provision, model_id, pairs, "TEXT-002", "Replace Pairs")


# -- boundaries ------------------------------------------------------------------------------


def chain(ids: list[str], count: int) -> list[dict[str, str]]:
    """`count` distinct pairs (no image paired with itself) over `ids`."""
    couples = [(s, t) for s in range(len(ids)) for t in range(len(ids)) if s != t]
    return [
        {"sourceId": ids[s], "targetId": ids[t], "instruction": f"step {n}: from {s} to {t}"}
        for n, (s, t) in enumerate(couples[:count])
    ]


@pytest.mark.req("PAIRS-001", "PAIRS-003")
@pytest.mark.parametrize("count", [0, 1, 2, 15])
def test_zero_one_and_many_pairs(api, provision, count) -> None:
    model_id = provision.model()
    pairs = chain(provision.image_ids(model_id, 5), count)
    action = f"Replace Pairs with {count} pair(s)"
    response = api.replace_pairs(model_id, pairs)
    expect_status(response, 200, "PAIRS-001", action)
    body = json_body(response) or {}
    check(
        body.get("count") == count and unordered(pairs_view(body.get("pairs"))) == unordered(pairs),
        "PAIRS-001",
        f"{action}: expected count {count} and the pairs sent, got {show(response)}",
    )
    stored = stored_pairs(provision, model_id)
    check(
        unordered(stored) == unordered(pairs),
        "PAIRS-003",
        f"{action}: stored {len(stored)} pair(s): {stored!r}",
    )


POSITIONS = {"first": 0, "middle": 2, "last": 4}


def check_others_intact(api, provision, model_id: str, others: dict[str, str], action: str) -> None:
    """ISO-003: the other images are all still there (a Replace Pairs over all of them is
    accepted), the count is theirs plus the one operated on, and the listed ones keep names."""
    probe = chain(list(others), len(others) - 1) if len(others) > 1 else []
    if probe:
        response = api.replace_pairs(model_id, probe)
        check(
            response.status_code == 200,
            "ISO-003",
            f"{action}: a Replace Pairs naming the {len(others)} other images was refused "
            f"({show(response)}): one of them is no longer a training image of the model",
        )
    for image_id, name in listed_names(provision, model_id).items():
        if image_id in others:
            check(
                name == others[image_id],
                "ISO-003",
                f"{action}: image {image_id} was named {others[image_id]!r}, is now {name!r}",
            )


def five_images(provision) -> tuple[str, list[str], dict[str, str]]:
    model_id = provision.model()
    images = [provision.image(model_id, f"boundary-{i}.png", seed=i) for i in range(5)]
    return model_id, [i["id"] for i in images], {i["id"]: i["name"] for i in images}


@pytest.mark.req("ISO-003")
@pytest.mark.parametrize("position", list(POSITIONS))
@pytest.mark.parametrize("operation", ["replace", "delete"])
def test_first_middle_and_last_image(api, provision, operation, position) -> None:
    model_id, ids, names = five_images(provision)
    chosen = ids[POSITIONS[position]]
    others = {i: n for i, n in names.items() if i != chosen}
    action = f"{operation} of the {position} of 5 images ({chosen})"
    if operation == "replace":
        body = {"data": image_data_url("png", seed=9), "name": "replacement.png"}
        expect_status(api.replace(model_id, chosen, body), 200, "ISO-003", action)
        expected = 5
    else:
        expect_status(api.delete(model_id, chosen), 200, "ISO-003", action)
        expected = 4
    check_count(provision, model_id, expected, "ISO-003", f"after {action}")
    check_others_intact(api, provision, model_id, others, f"after {action}")


# -- query parameters ------------------------------------------------------------------------

QUERIES = {
    "projectId": {"projectId": "ticonf-project"},
    "originalAssets=true": {"originalAssets": "true"},
    "originalAssets=false": {"originalAssets": "false"},
    "both": {"projectId": "ticonf-project", "originalAssets": "true"},
}
WITH_ORIGINAL_ASSETS = ("add", "replace")


QueryOperation = Callable[[ApiClient, Scene, dict[str, str]], httpx.Response]

# The operations of support.OPERATIONS, with query parameters.
QUERY_OPERATIONS: dict[str, QueryOperation] = {
    "add": lambda api, s, q: api.add(s.model_id, valid_body("ticonf-query.png", seed=21), **q),
    "replace-pairs": lambda api, s, q: api.replace_pairs(
        s.model_id,
        [{"sourceId": s.image_ids[0], "targetId": s.image_ids[1], "instruction": "warmer"}],
        **q,
    ),
    "replace": lambda api, s, q: api.replace(
        s.model_id, s.image_ids[0], valid_body("ticonf-query-replaced.png", seed=22), **q
    ),
    "delete": lambda api, s, q: api.delete(s.model_id, s.image_ids[0], **q),
}


@pytest.mark.req("QUERY-001")
@pytest.mark.parametrize("operation", list(QUERY_OPERATIONS))
def test_documented_query_parameters(api, provision, observe, operation) -> None:
    for name, query in QUERIES.items():
        if "originalAssets" in query and operation not in WITH_ORIGINAL_ASSETS:
            continue
        setting = scene(provision)
        # Read only where it is compared: a refusal of a projectId, below.
        before = snapshot(provision, setting.model_id) if "projectId" in query else None
        response = QUERY_OPERATIONS[operation](api, setting, query)
        action = f"{operation} with ?{'&'.join(f'{k}={v}' for k, v in query.items())}"
        observe(f"query-{operation}-{name}", response.status_code)
        check(
            response.status_code < 500,
            ("QUERY-001", "HTTP-001"),
            f"{action}: a documented query parameter broke the operation: {show(response)}",
        )
        if "projectId" not in query:
            expect_status(response, 200, "QUERY-001", action)
        elif 400 <= response.status_code < 500:
            check_unchanged(provision, setting.model_id, before, "QUERY-001", f"after {action}")
