"""Oracle faults: deviations that answer every single request plausibly and break elsewhere.

Each is invisible to a check that looks at one response and a counter with small inputs sent
one at a time: a side effect on another image, a column that truncates or normalises text, a
proxy that refuses JPEGs or large bodies, a store updated without its lock, a secret compared
carelessly, a query parameter that crashes one code path. The checks of issue 14 (the
model-based oracle, realistic inputs, concurrency, credential mutations) catch them.
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import crash
from ticonf.reference.images import decode_data_url
from ticonf.reference.service import (
    ApiError,
    Model,
    ReferenceService,
    TrainingImage,
    bad_request,
    new_id,
)

# Long enough for every request of a concurrency check to be inside the unguarded window.
RACE_WINDOW_S = 0.2
NAME_COLUMN = 255
BODY_LIMIT = 1_000_000
FILE_EXTENSION = re.compile(r"\.[A-Za-z0-9]{2,4}$")

# -- side effects on other images -----------------------------------------------------------


@fault(
    "replace-renames-neighbour",
    "Replace also renames another image of the model (an UPDATE with a loose WHERE)",
    "ISO-003",
)
class ReplaceRenamesNeighbour(ReferenceService):
    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        replacement = super().overwrite_image(model, image, name)
        neighbour = next((i for i in model.images.values() if i.id != image.id), None)
        if neighbour is not None:
            neighbour.name = name
        return replacement


@fault(
    "delete-middle-drops-next",
    "Delete of an image between two others also drops the next one (a list relinked wrongly)",
    "ISO-003",
)
class DeleteMiddleDropsNext(ReferenceService):
    def remove_image(self, model: Model, image_id: str) -> None:
        order = list(model.images)
        position = order.index(image_id)
        super().remove_image(model, image_id)
        if 0 < position < len(order) - 1:
            del model.images[order[position + 1]]


@fault(
    "listing-stale-after-replace",
    "GET /models caches trainingImages by image IDs; Replace keeps the IDs, so old names show",
    "ISO-003",
)
class ListingStaleAfterReplace(ReferenceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listings: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {}

    def model_view(self, model: Model) -> dict[str, Any]:
        view = super().model_view(model)
        key = tuple(model.images)
        cached = self.listings.get(model.id)
        if cached is not None and cached[0] == key:
            view["trainingImages"] = cached[1]
        else:
            self.listings[model.id] = (key, view["trainingImages"])
        return view


# -- text that does not come back as sent ----------------------------------------------------


@fault(
    "names-truncated-255",
    "Names are cut to 255 characters (a VARCHAR(255) column), the 200 answer shows the cut name",
    "TEXT-001",
)
class NamesTruncated255(ReferenceService):
    def store_image(self, model: Model, name: str) -> TrainingImage:
        return super().store_image(model, name[:NAME_COLUMN])

    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        return super().overwrite_image(model, image, name[:NAME_COLUMN])


@fault(
    "replace-name-nfc",
    "Replace NFC-normalises file names with an extension (an upload library's sanitiser)",
    "TEXT-001",
)
class ReplaceNameNfc(ReferenceService):
    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        if FILE_EXTENSION.search(name):
            name = unicodedata.normalize("NFC", name)
        return super().overwrite_image(model, image, name)


@fault(
    "names-trimmed",
    "Names are stripped of surrounding spaces before they are stored and returned",
    "TEXT-002",
)
class NamesTrimmed(ReferenceService):
    def store_image(self, model: Model, name: str) -> TrainingImage:
        return super().store_image(model, name.strip())

    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        return super().overwrite_image(model, image, name.strip())


# -- images refused for their format or size -------------------------------------------------


@fault(
    "only-png-accepted",
    "Only PNG data URLs are accepted; JPEG, WebP and GIF get a 400 (a decoder built for PNG)",
    "ADD-015",
    "ADD-016",
)
class OnlyPngAccepted(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        name = super().data_url_name(body)
        decoded = decode_data_url(body["data"])
        if decoded is None or decoded[0] != "image/png":
            raise bad_request("data must be a PNG image")
        return name


@fault(
    "body-limit-1mb",
    "Bodies above 1 MB get 413 (a proxy's default limit): a training photo cannot be uploaded",
    "ADD-017",
)
class BodyLimit1Mb(ReferenceService):
    def parse_json(self, raw: bytes) -> Any:
        if len(raw) > BODY_LIMIT:
            raise ApiError(413, f"the body is larger than {BODY_LIMIT} bytes")
        return super().parse_json(raw)


# -- boundaries and query parameters ---------------------------------------------------------


@fault(
    "projectid-delete-500",
    "Delete with a projectId query parameter crashes in the ownership check: 500",
    "QUERY-001",
)
class ProjectIdDelete500(ReferenceService):
    def check_query(self, method: str, params: dict[str, str]) -> None:
        super().check_query(method, params)
        if method == "DELETE" and "projectId" in params:
            raise crash("project ownership lookup")


# -- races: state updated outside the lock ---------------------------------------------------


@fault(
    "racy-add",
    "Add reads the model's images, then writes them back later outside the lock: lost updates",
    "CONC-001",
)
class RacyAdd(ReferenceService):
    runs_in_threads = True

    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            source = self.image_source(body)
            images = dict(model.images)
        time.sleep(RACE_WINDOW_S)
        added = [TrainingImage(id=new_id("asset"), name=name) for name in source.names]
        images.update({image.id: image for image in added})
        model.images = images
        response: dict[str, Any] = {"trainingImage": self.image_view(model, added[0])}
        if len(added) > 1:
            response["trainingImages"] = [self.image_view(model, image) for image in added]
        return response


@fault(
    "pairs-not-atomic",
    "Replace Pairs clears the list, then appends pair by pair outside the lock: lists interleave",
    "CONC-002",
)
class PairsNotAtomic(ReferenceService):
    runs_in_threads = True

    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            pairs = self.validate_pairs(model, body)
            model.pairs = []
        for pair in pairs:
            time.sleep(RACE_WINDOW_S / max(len(pairs), 1))
            model.pairs.append(dict(pair))
        return {"count": len(pairs), "pairs": [dict(pair) for pair in pairs]}


@fault(
    "delete-race-double-200",
    "Delete checks the image exists, then removes it outside the lock: racing Deletes all get 200",
    "CONC-003",
)
class DeleteRaceDouble200(ReferenceService):
    runs_in_threads = True

    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        with self.lock:
            self.find_image(self.find_model(model_id), image_id)
        time.sleep(RACE_WINDOW_S)
        with self.lock:
            self.models[model_id].images.pop(image_id, None)
        return {}


# -- secrets compared carelessly -------------------------------------------------------------


@fault(
    "auth-secret-prefix",
    "The secret is checked with startswith: any non-empty prefix of the right secret is accepted",
    "AUTH-002",
)
class AuthSecretPrefix(ReferenceService):
    def basic_credentials(self, token: str) -> tuple[str, str] | None:
        credentials = super().basic_credentials(token)
        key, secret = self.credentials
        if credentials and credentials[0] == key and credentials[1]:  # noqa: SIM102
            if secret.startswith(credentials[1]):  # the careless comparison
                return self.credentials
        return credentials


@fault(
    "auth-secret-case-insensitive",
    "The secret is compared case-insensitively (both sides lower-cased before the comparison)",
    "AUTH-002",
)
class AuthSecretCaseInsensitive(ReferenceService):
    def basic_credentials(self, token: str) -> tuple[str, str] | None:
        credentials = super().basic_credentials(token)
        key, secret = self.credentials
        if credentials and credentials[0] == key and credentials[1].lower() == secret.lower():
            return self.credentials
        return credentials
