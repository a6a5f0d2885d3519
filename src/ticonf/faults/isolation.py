"""Isolation faults: an image reachable through another model's path, state shared by models."""

from __future__ import annotations

from typing import Any

from ticonf.faults import fault
from ticonf.reference.service import Model, ReferenceService


class FindsImageAnywhere(ReferenceService):
    """Looks a training image up by ID alone, as a server with one global image table does."""

    def owner_of(self, model: Model, image_id: str) -> Model:
        for other in self.models.values():
            if image_id in other.images:
                return other
        return model


@fault(
    "delete-any-model",
    "Delete finds the image by ID alone: model B's path deletes model A's image",
    "ISO-001",
)
class DeleteAnyModel(FindsImageAnywhere):
    def delete_image(self, model_id: str, image_id: str) -> dict[str, object]:
        with self.lock:
            owner = self.owner_of(self.find_model(model_id), image_id)
            return super().delete_image(owner.id, image_id)


@fault(
    "replace-any-model",
    "Replace finds the image by ID alone: model B's path replaces model A's image",
    "ISO-001",
)
class ReplaceAnyModel(FindsImageAnywhere):
    def replace_image(self, model_id: str, image_id: str, body: object) -> dict[str, object]:
        with self.lock:
            owner = self.owner_of(self.find_model(model_id), image_id)
            return super().replace_image(owner.id, image_id, body)


@fault(
    "pairs-shared-list",
    "Every model's pairs are one shared list (a mutable default): Replace Pairs changes all",
    "ISO-002",
)
class PairsSharedList(ReferenceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared_pairs: list[dict[str, Any]] = []

    def create_model(self, body: Any) -> dict[str, Any]:
        with self.lock:
            response = super().create_model(body)
            self.models[response["model"]["id"]].pairs = self.shared_pairs
        return response

    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        model.pairs[:] = pairs


@fault(
    "count-all-models",
    "trainingImagesNumber counts the images of every model (a count without its WHERE)",
    "ISO-002",
)
class CountAllModels(ReferenceService):
    def model_view(self, model: Model) -> dict[str, Any]:
        total = sum(len(other.images) for other in self.models.values())
        return {**super().model_view(model), "trainingImagesNumber": total}
