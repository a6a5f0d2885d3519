"""State faults: the operation answers well but stores the wrong thing, or nothing."""

from __future__ import annotations

from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import HandKeptCount
from ticonf.reference.service import ImageSource, Model, ReferenceService, TrainingImage, new_id

# -- Replace Pairs -------------------------------------------------------------------------


@fault(
    "pairs-append",
    "Replace Pairs appends to the stored pairs instead of replacing them",
    "PAIRS-002",
    "PAIRS-004",
    "PAIRS-009",
)
class PairsAppend(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        super().store_pairs(model, model.pairs + pairs)


@fault(
    "pairs-merge-by-source",
    "Replace Pairs upserts by sourceId: stored pairs whose source is not sent are kept",
    "PAIRS-002",
)
class PairsMergeBySource(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        sent = {pair.get("sourceId") for pair in pairs}
        kept = [pair for pair in model.pairs if pair.get("sourceId") not in sent]
        super().store_pairs(model, kept + pairs)


@fault(
    "pairs-not-stored",
    "Replace Pairs echoes the pairs but never commits them to the model",
    "PAIRS-002",
    "PAIRS-003",
)
class PairsNotStored(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            before = model.pairs
            response = super().replace_pairs(model_id, body)
            model.pairs = before
        return response


@fault(
    "pairs-reordered",
    "Replace Pairs stores and returns the pairs sorted by sourceId and targetId",
    "PAIRS-010",
)
class PairsReordered(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        key = lambda pair: (str(pair.get("sourceId")), str(pair.get("targetId")))  # noqa: E731
        super().store_pairs(model, sorted(pairs, key=key))


@fault(
    "pairs-instruction-not-stored",
    "Replace Pairs answers with the instructions but stores the pairs without them",
    "PAIRS-003",
)
class PairsInstructionNotStored(ReferenceService):
    def replace_pairs(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            response = super().replace_pairs(model_id, body)
            model = self.models[model_id]
            model.pairs = [{k: v for k, v in p.items() if k != "instruction"} for p in model.pairs]
        return response


@fault(
    "pairs-empty-ignored",
    "Replace Pairs with an empty array is a no-op: the stored pairs stay",
    "PAIRS-004",
)
class PairsEmptyIgnored(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        if pairs:
            super().store_pairs(model, pairs)


@fault(
    "pairs-invalid-clears-first",
    "Replace Pairs clears the stored pairs before validating; an invalid list leaves none",
    "PAIRS-005",
)
class PairsInvalidClearsFirst(ReferenceService):
    def validate_pairs(self, model: Model, body: Any) -> list[dict[str, Any]]:
        model.pairs = []
        return super().validate_pairs(model, body)


# -- Replace -------------------------------------------------------------------------------


@fault(
    "replace-name-kept",
    "Replace swaps the image but keeps the old name",
    "REPLACE-001",
)
class ReplaceNameKept(ReferenceService):
    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        return super().overwrite_image(model, image, image.name)


@fault(
    "replace-adds",
    "Replace adds the new image under a new ID and keeps the old one",
    "REPLACE-002",
)
class ReplaceAdds(ReferenceService):
    def overwrite_image(self, model: Model, image: TrainingImage, name: str) -> TrainingImage:
        return self.store_image(model, name)


@fault(
    "replace-unknown-adds",
    "Replace of an unknown image ID adds the image (upsert) and answers 200",
    "REPLACE-003",
)
class ReplaceUnknownAdds(ReferenceService):
    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            if image_id not in self.find_model(model_id).images:
                return self.add_images(model_id, body)
            return super().replace_image(model_id, image_id, body)


@fault(
    "replace-invalid-clears-first",
    "Replace deletes the old image before validating the body; an invalid body loses it",
    "REPLACE-004",
)
class ReplaceInvalidClearsFirst(ReferenceService):
    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            model = self.find_model(model_id)
            old = self.find_image(model, image_id)
            try:
                return super().replace_image(model_id, image_id, body)
            except Exception:
                self.remove_image(model, old.id)
                raise


@fault(
    "replace-new-id-unaddressable",
    "Replace answers with a fresh ID but the image stays stored under the old one",
    "REPLACE-005",
)
class ReplaceNewIdUnaddressable(ReferenceService):
    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        response = super().replace_image(model_id, image_id, body)
        return {"trainingImage": {**response["trainingImage"], "id": new_id("asset")}}


# -- Delete and Add ------------------------------------------------------------------------


@fault(
    "delete-noop",
    "Delete answers 200 but the image stays",
    "DELETE-002",
)
class DeleteNoop(ReferenceService):
    def remove_image(self, model: Model, image_id: str) -> None:
        return None


@fault(
    "add-batch-first-only",
    "Add with assetIds adds only the first asset of the batch",
    "ADD-005",
)
class AddBatchFirstOnly(ReferenceService):
    def batch_source(self, body: dict[str, Any]) -> ImageSource:
        return ImageSource(names=super().batch_source(body).names[:1])


@fault(
    "add-id-unaddressable",
    "Add answers with an ID that is not the one it stored the image under",
    "ADD-014",
)
class AddIdUnaddressable(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        response = super().add_images(model_id, body)
        return {**response, "trainingImage": {**response["trainingImage"], "id": new_id("asset")}}


# -- counters ------------------------------------------------------------------------------


@fault(
    "add-count-not-updated",
    "trainingImagesNumber is not increased by an Add from a data URL (only by asset Adds)",
    "ADD-003",
)
class AddCountNotUpdated(HandKeptCount):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        from_data = isinstance(body, dict) and not {"assetId", "assetIds"} & body.keys()
        response = super().add_images(model_id, body)
        if from_data:
            self.bump(model_id, -1)
        return response


@fault(
    "add-batch-counted-once",
    "trainingImagesNumber grows by one per Add request, even when assetIds adds several",
    "ADD-003",
)
class AddBatchCountedOnce(HandKeptCount):
    def count_added(self, model_id: str, added: int) -> None:
        super().count_added(model_id, min(added, 1))


@fault(
    "delete-count-not-updated",
    "trainingImagesNumber is not decreased by Delete",
    "DELETE-002",
)
class DeleteCountNotUpdated(HandKeptCount):
    def count_removed(self, model_id: str) -> None:
        return None
