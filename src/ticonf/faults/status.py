"""Status-code faults: the right effect announced with the wrong code, or the wrong code."""

from __future__ import annotations

from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import AnswersNoContent, NoContent
from ticonf.reference.service import ApiError, Model, ReferenceService, TrainingImage, bad_request


@fault(
    "replace-returns-204",
    "Replace answers 204 No Content with an empty body instead of 200 and the image",
    "REPLACE-001",
    "STATUS-001",
)
class ReplaceReturns204(AnswersNoContent):
    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        super().replace_image(model_id, image_id, body)
        return NoContent()


@fault(
    "delete-returns-204",
    "Delete answers 204 No Content with an empty body instead of 200 and a JSON object",
    "DELETE-001",
    "STATUS-001",
)
class DeleteReturns204(AnswersNoContent):
    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        super().delete_image(model_id, image_id)
        return NoContent()


@fault(
    "deleted-image-410",
    "A deleted image's ID answers 410 Gone (for Delete and Replace) instead of 404",
    "STATUS-002",
    "STATUS-003",
)
class DeletedImage410(ReferenceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deleted: set[str] = set()

    def remove_image(self, model: Model, image_id: str) -> None:
        super().remove_image(model, image_id)
        self.deleted.add(image_id)

    def find_image(self, model: Model, image_id: str) -> TrainingImage:
        if image_id in self.deleted:
            raise ApiError(410, f"training image {image_id!r} was deleted")
        return super().find_image(model, image_id)


@fault(
    "delete-unknown-200",
    'Delete of an unknown image ID answers 200 ("already gone") instead of 404',
    "DELETE-003",
    "DELETE-002",
)
class DeleteUnknown200(ReferenceService):
    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        with self.lock:
            if image_id not in self.find_model(model_id).images:
                return {}
            return super().delete_image(model_id, image_id)


@fault(
    "add-unknown-model-400",
    "Add to an unknown modelId answers 400 instead of 404",
    "STATUS-003",
)
class AddUnknownModel400(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        if model_id not in self.models:
            raise bad_request(f"invalid modelId {model_id!r}")
        return super().add_images(model_id, body)


@fault(
    "pairs-unknown-model-200",
    "Replace Pairs on an unknown modelId is served as for a model without images",
    "PAIRS-008",
)
class PairsUnknownModel200(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        if model_id in self.models:
            return super().replace_pairs(model_id, body)
        pairs = self.validate_pairs(Model(id=model_id, name="", type=""), body)
        return {"count": len(pairs), "pairs": pairs}
