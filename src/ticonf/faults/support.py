"""Small building blocks that several faults share: crashes, empty replies, hand-kept counters.

Each is a deviation a real server could have; keeping them here lets every fault class stay a
two-line override that reads as what it changes.
"""

from __future__ import annotations

from typing import Any

from ticonf.reference.service import ApiError, Model, ReferenceService, TrainingImage


def crash(what: str) -> ApiError:
    """The 500 an unhandled exception produces in a real server."""
    return ApiError(500, f"internal error ({what})")


class NoContent(dict[str, Any]):
    """A payload the faulty `encode` answers with 204 and an empty body."""


class AnswersNoContent(ReferenceService):
    """Renders a NoContent payload as 204 No Content, as many frameworks do for an empty reply."""

    def encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        code, body, media_type = super().encode(status, payload)
        if isinstance(payload, NoContent):
            return 204, b"", media_type
        return code, body, media_type


class HandKeptCount(ReferenceService):
    """Reports trainingImagesNumber from a counter the operations maintain themselves.

    The correct behaviour counts the stored images; a faulty subclass forgets to move the
    counter in one code path, which is how denormalised counters go wrong in practice.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts: dict[str, int] = {}

    def bump(self, model_id: str, by: int) -> None:
        self.counts[model_id] = self.counts.get(model_id, 0) + by

    def count_added(self, model_id: str, added: int) -> None:
        self.bump(model_id, added)

    def count_removed(self, model_id: str) -> None:
        self.bump(model_id, -1)

    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            before = len(self.find_model(model_id).images)
            response = super().add_images(model_id, body)
            self.count_added(model_id, len(self.models[model_id].images) - before)
        return response

    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        with self.lock:
            response = super().delete_image(model_id, image_id)
            self.count_removed(model_id)
        return response

    def model_view(self, model: Model) -> dict[str, Any]:
        view = super().model_view(model)
        view["trainingImagesNumber"] = self.counts.get(model.id, 0)
        return view


def seeing(model: Model, image_ids: list[str]) -> Model:
    """A stand-in for `model` whose images are `image_ids`: validation against the wrong set."""
    images = {image_id: TrainingImage(id=image_id, name="") for image_id in image_ids}
    return Model(id=model.id, name=model.name, type=model.type, images=images)
