"""Response-body faults: fields that are missing, renamed, mistyped or wrongly formatted."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from ticonf.faults import fault
from ticonf.reference.service import Model, ReferenceService, TrainingImage


@fault(
    "add-field-missing",
    "Add's TrainingImage lacks automaticCaptioning (left out when no caption exists yet)",
    "ADD-001",
    "SCHEMA-001",
)
class AddFieldMissing(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().add_images(model_id, body)
        response["trainingImage"].pop("automaticCaptioning")
        return response


@fault(
    "image-description-null",
    "TrainingImage.description is null instead of a string when there is no description",
    "ADD-001",
    "SCHEMA-001",
)
class ImageDescriptionNull(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        return {**super().image_view(model, image), "description": image.description or None}


@fault(
    "add-envelope-renamed",
    "Add wraps the image as training_image (snake case) instead of trainingImage",
    "ADD-001",
    "SCHEMA-001",
)
class AddEnvelopeRenamed(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().add_images(model_id, body)
        response["training_image"] = response.pop("trainingImage")
        return response


@fault(
    "created-at-http-date",
    "createdAt is an HTTP date (Fri, 03 Feb 2023 11:19:41 GMT), not an ISO-8601 timestamp",
    "ADD-002",
)
class CreatedAtHttpDate(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        created = datetime.fromisoformat(image.created_at.replace("Z", "+00:00"))
        return {**view, "createdAt": format_datetime(created, usegmt=True)}


@fault(
    "download-url-relative",
    "downloadUrl is a path relative to the server (/files/...), not an absolute URL",
    "ADD-002",
)
class DownloadUrlRelative(ReferenceService):
    def image_view(self, model: Model, image: TrainingImage) -> dict[str, Any]:
        view = super().image_view(model, image)
        return {**view, "downloadUrl": f"/files/{model.id}/{image.id}"}


@fault(
    "pairs-count-string",
    'Replace Pairs returns count as a string ("2") instead of a number',
    "PAIRS-007",
    "SCHEMA-001",
)
class PairsCountString(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().replace_pairs(model_id, body)
        return {**response, "count": str(response["count"])}


@fault(
    "pairs-count-previous",
    "Replace Pairs' count is the number of pairs it removed, not the number now stored",
    "PAIRS-001",
)
class PairsCountPrevious(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            previous = len(self.find_model(model_id).pairs)
            response = super().replace_pairs(model_id, body)
        return {**response, "count": previous}


@fault(
    "pairs-instruction-dropped",
    "Replace Pairs keeps only sourceId and targetId: the instruction is lost",
    "PAIRS-001",
)
class PairsInstructionDropped(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        kept = [{k: v for k, v in pair.items() if k != "instruction"} for pair in pairs]
        super().store_pairs(model, kept)


@fault(
    "delete-body-not-object",
    'Delete answers with the JSON string "deleted" instead of a JSON object',
    "DELETE-001",
    "SCHEMA-001",
)
class DeleteBodyNotObject(ReferenceService):
    def delete_image(self, model_id: str, image_id: str) -> Any:
        super().delete_image(model_id, image_id)
        return "deleted"
