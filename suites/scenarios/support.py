"""Checks and state observations shared by the scenario suites.

Every check names the requirement it proves and says what was expected and what was seen, so
that a failure reads as a sentence about the server. State is only ever observed through the
API: responses and GET /models/{modelId}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import settings

from ticonf.client.api import ApiClient, image_path, images_path
from ticonf.client.provisioning import Provisioner
from ticonf.client.samples import png_data_url
from ticonf.core.catalog import check

Req = str | tuple[str, ...]

TRAINING_IMAGE_FIELDS = (
    "id",
    "name",
    "createdAt",
    "description",
    "automaticCaptioning",
    "downloadUrl",
)
PAIR_FIELDS = ("sourceId", "targetId", "instruction")
PRESETS = ("default", "style", "subject")


def examples(fraction: float) -> settings:
    """The active hypothesis profile with a fraction of its examples, for costly properties."""
    return settings(max_examples=max(2, round(settings.default.max_examples * fraction)))


# -- responses ------------------------------------------------------------------------------


def show(response: httpx.Response) -> str:
    """A response in a few words, for failure messages."""
    return f"{response.status_code} {response.text[:200]!r}"


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# The error statuses the SDK maps, and 413 (STATUS-002, a SHOULD): spec/openapi.yaml lists them.
CONVENTIONAL_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 422, 429})


def is_refusal(status: int) -> bool:
    return 400 <= status < 500


def breaks_status_rule(status: int) -> bool:
    """STATUS-001 (MUST): 200 is the one documented success; a refusal is a 4xx. A 201, 204,
    1xx or 3xx is neither (a 5xx is HTTP-001's business)."""
    return status != 200 and status < 400


def also_server_error(req: Req, response: httpx.Response) -> tuple[str, ...]:
    """The requirements a wrong answer breaks: `req`, HTTP-001 too when it is a 5xx,
    STATUS-001 too when it is a success other than 200 (a 204), and STATUS-002 too when it is
    an error status the SDK does not map (a 410)."""
    ids = (req,) if isinstance(req, str) else tuple(req)
    status = response.status_code
    if status >= 500 and "HTTP-001" not in ids:
        ids += ("HTTP-001",)
    if breaks_status_rule(status) and "STATUS-001" not in ids:
        ids += ("STATUS-001",)
    if is_refusal(status) and status not in CONVENTIONAL_STATUSES and "STATUS-002" not in ids:
        ids += ("STATUS-002",)
    return ids


def expect_status(
    response: httpx.Response, expected: int | tuple[int, ...], req: Req, action: str
) -> None:
    allowed = (expected,) if isinstance(expected, int) else expected
    check(
        response.status_code in allowed,
        also_server_error(req, response),
        f"{action}: expected {' or '.join(map(str, allowed))}, got {show(response)}",
    )


def expect_4xx(response: httpx.Response, req: Req, action: str) -> None:
    check(
        is_refusal(response.status_code),
        also_server_error(req, response),
        f"{action}: expected a 4xx rejection, got {show(response)}",
    )


def expect_refusal(
    response: httpx.Response, req: Req, action: str, observe: Callable[[str, Any], None], topic: str
) -> None:
    """A 4xx (the MUST, where the documentation fixes no code), the code observed as `topic`."""
    observe(topic, response.status_code)
    expect_4xx(response, req, action)


def training_image(response: httpx.Response, req: Req, action: str) -> dict[str, Any]:
    """The trainingImage object of a 200 response, or a failure of `req`."""
    expect_status(response, 200, req, action)
    body = json_body(response)
    image = body.get("trainingImage") if isinstance(body, dict) else None
    check(
        isinstance(image, dict),
        req,
        f"{action}: expected a trainingImage object in the 200 body, got {show(response)}",
    )
    return image


def image_id(response: httpx.Response, req: Req, action: str) -> str:
    """The ID of the trainingImage of a 200 response, or a failure of `req`."""
    image = training_image(response, req, action)
    check(
        isinstance(image.get("id"), str) and image["id"],
        req,
        f"{action}: expected trainingImage.id as a non-empty string, got {image.get('id')!r}",
    )
    return image["id"]


def check_image_fields(image: dict[str, Any], req: Req, action: str) -> None:
    """The six documented TrainingImage fields are present, each a string."""
    wrong = {
        field: image.get(field, "<absent>")
        for field in TRAINING_IMAGE_FIELDS
        if not isinstance(image.get(field), str)
    }
    check(
        not wrong,
        req,
        f"{action}: expected the six TrainingImage fields as strings, but {wrong!r}",
    )


def check_no_server_error(response: httpx.Response, action: str) -> None:
    check(response.status_code < 500, "HTTP-001", f"{action}: got a server error {show(response)}")


def check_json_response(response: httpx.Response, action: str) -> None:
    """HTTP-001 (no 5xx) and HTTP-002 (a body is application/json and parses)."""
    check_no_server_error(response, action)
    if not response.content:
        return
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    check(
        media_type == "application/json",
        "HTTP-002",
        f"{action}: expected Content-Type application/json, got {media_type or '<none>'!r} "
        f"with {show(response)}",
    )
    try:
        json.loads(response.content)
    except ValueError:
        check(False, "HTTP-002", f"{action}: the body is not JSON: {show(response)}")


# -- state ----------------------------------------------------------------------------------


def pair_view(pair: Any) -> Any:
    """A pair reduced to its documented fields (extra fields are allowed)."""
    if not isinstance(pair, dict):
        return pair
    return {key: pair[key] for key in PAIR_FIELDS if key in pair}


def pairs_view(pairs: Any) -> Any:
    return [pair_view(pair) for pair in pairs] if isinstance(pairs, list) else pairs


def as_multiset(pairs: Any) -> Any:
    """Pairs in a canonical order, for comparisons where the order is not documented."""
    if not isinstance(pairs, list):
        return pairs
    return sorted(pairs, key=lambda pair: json.dumps(pair, sort_keys=True, default=str))


def pairs_fate(before: list[dict], after: Any, changed: str, new: str | None) -> str:
    """What became of the pairs naming an image that was deleted (new None) or replaced."""
    after = as_multiset(pairs_view(after))
    if after == as_multiset(before):
        return "kept"
    untouched = [p for p in before if changed not in (p.get("sourceId"), p.get("targetId"))]
    if after == as_multiset(untouched):
        return "removed"
    if new is not None:
        swap = {changed: new}
        followed = [
            {
                **p,
                "sourceId": swap.get(p["sourceId"], p["sourceId"]),
                "targetId": swap.get(p["targetId"], p["targetId"]),
            }
            for p in before
        ]
        if after == as_multiset(followed):
            return "follow the new ID"
    return "changed otherwise"


def difference(expected: list[Any], seen: Any) -> str:
    """Where two lists first differ, in words (the whole lists are often too long to read)."""
    if not isinstance(seen, list):
        return f"expected a list of {len(expected)}, got {seen!r}"
    for index, (want, got) in enumerate(zip(expected, seen, strict=False)):
        if want != got:
            return f"item {index} differs: expected {want!r}, got {got!r}"
    return f"expected {len(expected)} items, got {len(seen)}: {seen[len(expected) :]!r} extra"


def image_count(provision: Provisioner, model_id: str) -> Any:
    return provision.state(model_id).get("trainingImagesNumber", "<absent>")


def stored_pairs(provision: Provisioner, model_id: str) -> Any:
    return pairs_view(provision.state(model_id).get("trainingImagePairs", "<absent>"))


@dataclass(frozen=True)
class Snapshot:
    """What the API shows of a model: image count, pairs, and (id, name) of listed images."""

    count: Any
    pairs: Any
    images: tuple[tuple[Any, Any], ...]

    def changes(self, after: Snapshot) -> str:
        fields = ("count", "pairs", "images")
        return "; ".join(
            f"{name} was {getattr(self, name)!r}, is now {getattr(after, name)!r}"
            for name in fields
            if getattr(self, name) != getattr(after, name)
        )


def snapshot(provision: Provisioner, model_id: str) -> Snapshot:
    model = provision.state(model_id)
    listed = model.get("trainingImages")
    images = listed if isinstance(listed, list) else []
    return Snapshot(
        count=model.get("trainingImagesNumber", "<absent>"),
        pairs=json.dumps(pairs_view(model.get("trainingImagePairs")), sort_keys=True),
        images=tuple(sorted((str(i.get("id")), str(i.get("name"))) for i in images)),
    )


def check_unchanged(
    provision: Provisioner, model_id: str, before: Snapshot, req: Req, action: str
) -> None:
    after = snapshot(provision, model_id)
    check(
        after == before,
        req,
        f"{action}: expected model {model_id} to be unchanged, but {before.changes(after)}",
    )


def check_count(
    provision: Provisioner, model_id: str, expected: int, req: Req, action: str
) -> None:
    seen = image_count(provision, model_id)
    check(
        seen == expected,
        req,
        f"{action}: expected trainingImagesNumber {expected}, GET /models shows {seen!r}",
    )


# -- models kept across the examples of a generated test ------------------------------------
# Each example of these tests needs a model in a state the previous passing example left it
# in: one it checked through GET /models (still empty, unchanged), or one grown only by the
# images it added (a gallery). Reusing the model (Provisioner.take/keep) saves its creation,
# set-up and deletion per example. An example that fails keeps nothing.

EMPTY_MODEL = "a model left empty"
# Images a reused model takes before a new one replaces it: a deployment may cap the images of
# a model (the documentation names none), and 10 is the batch size it documents.
ROOMY_IMAGES = 10


def empty_model(provision: Provisioner) -> str:
    """A model without images: the one an earlier example of this test checked was still
    empty after its refused request, or a new one. Keep it again with `keep_empty`."""
    return provision.take(EMPTY_MODEL) or provision.model()


def keep_empty(provision: Provisioner, model_id: str) -> None:
    """Call only after checking the model shows no image."""
    provision.keep(EMPTY_MODEL, model_id)


@dataclass
class Gallery:
    """A model that earlier examples of a test added their images to, and what they used."""

    model_id: str
    names: set[str] = field(default_factory=set)
    images: int = 0

    def seed(self) -> int:
        """A seed no image of this model was made from yet (a server may refuse a duplicate)."""
        self.images += 1
        return 100 + self.images


def gallery(provision: Provisioner, key: str, *names: str) -> Gallery:
    """A model to add images named `names` to: the kept one while it has room and holds
    none of these names (a server may refuse a duplicate name), else a new one."""
    kept = provision.take(key)
    if kept is None or kept.images >= ROOMY_IMAGES or kept.names & set(names):
        kept = Gallery(provision.model())
    kept.names.update(names)
    return kept


# -- requests -------------------------------------------------------------------------------


def valid_body(name: str = "ticonf-image.png", seed: int = 7) -> dict[str, Any]:
    return {"data": png_data_url(seed), "name": name}


def send_raw(
    api: ApiClient,
    method: str,
    path: str,
    content: bytes,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A request with exactly these body bytes (None content type: no header at all)."""
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["content-type"] = content_type
    return api.send(method, path, content=content, headers=all_headers)


def send_json(api: ApiClient, method: str, path: str, value: Any) -> httpx.Response:
    """A JSON body of any value, null included (the client sends no body for None)."""
    return send_raw(api, method, path, json.dumps(value).encode())


class FixedAuthorization(ApiClient):
    """A client of the same target that sends one given Authorization header, verbatim."""

    def __init__(self, base: ApiClient, authorization: str) -> None:
        self.__dict__.update(base.with_auth(None).__dict__)
        self.authorization = authorization

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**(kwargs.pop("headers", None) or {}), "authorization": self.authorization}
        return super().send(method, path, headers=headers, **kwargs)


@dataclass(frozen=True)
class Scene:
    """A model with two real training images, so that no 404 can mask another answer."""

    model_id: str
    image_ids: tuple[str, str]

    @property
    def images_path(self) -> str:
        return images_path(self.model_id)

    @property
    def pairs_path(self) -> str:
        return f"{images_path(self.model_id)}/pairs"

    @property
    def image_path(self) -> str:
        return image_path(self.model_id, self.image_ids[0])


def scene(provision: Provisioner) -> Scene:
    model_id = provision.model()
    first, second = provision.image_ids(model_id, 2)
    return Scene(model_id, (first, second))


Operation = Callable[[ApiClient, Scene], httpx.Response]

OPERATIONS: dict[str, Operation] = {
    "add": lambda api, s: api.add(s.model_id, valid_body("ticonf-added.png", seed=11)),
    "replace-pairs": lambda api, s: api.replace_pairs(
        s.model_id,
        [{"sourceId": s.image_ids[0], "targetId": s.image_ids[1], "instruction": "brighter"}],
    ),
    "replace": lambda api, s: api.replace(
        s.model_id, s.image_ids[0], valid_body("ticonf-replaced.png", seed=12)
    ),
    "delete": lambda api, s: api.delete(s.model_id, s.image_ids[0]),
}
