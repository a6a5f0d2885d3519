"""Validation faults: requests the documentation rules out, accepted (or valid ones refused)."""

from __future__ import annotations

import unicodedata
from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import seeing
from ticonf.reference.service import (
    Asset,
    ImageSource,
    Model,
    ReferenceService,
    bad_request,
)
from ticonf.reference.variants import LenientTypes

# -- Add: unknown resources ----------------------------------------------------------------


@fault(
    "add-unknown-model-creates",
    "Add to an unknown modelId creates that model and adds the image (upsert)",
    "ADD-010",
)
class AddUnknownModelCreates(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            if model_id not in self.models:
                self.models[model_id] = Model(id=model_id, name=model_id, type="flux.1-lora")
            return super().add_images(model_id, body)


@fault(
    "add-unknown-asset-accepted",
    "An unknown assetId is accepted (Add and Replace): a placeholder image is used for it",
    "ADD-011",
    "REPLACE-004",
)
class AddUnknownAssetAccepted(ReferenceService):
    def find_asset(self, asset_id: Any) -> Asset:
        if isinstance(asset_id, str) and asset_id and asset_id not in self.assets:
            return Asset(id=asset_id, name="placeholder.png", media_type="image/png")
        return super().find_asset(asset_id)


# -- Add: batches --------------------------------------------------------------------------


@fault(
    "add-batch-no-limit",
    "Add accepts more than 10 assetIds",
    "ADD-006",
)
class AddBatchNoLimit(ReferenceService):
    def check_batch_size(self, asset_ids: Any) -> None:
        super().check_batch_size(asset_ids[:10] if isinstance(asset_ids, list) else asset_ids)


@fault(
    "add-batch-with-asset-id",
    "Add accepts assetIds together with assetId (assetId is silently ignored)",
    "ADD-007",
)
class AddBatchWithAssetId(ReferenceService):
    def check_batch_alone(self, body: dict[str, Any]) -> None:
        super().check_batch_alone({k: v for k, v in body.items() if k != "assetId"})


@fault(
    "add-batch-with-data",
    "Add accepts assetIds together with data and name (they are silently ignored)",
    "ADD-007",
)
class AddBatchWithData(ReferenceService):
    def check_batch_alone(self, body: dict[str, Any]) -> None:
        super().check_batch_alone({k: v for k, v in body.items() if k not in ("data", "name")})


# -- Add and Replace: the body -------------------------------------------------------------


@fault(
    "add-preset-unchecked",
    "Add accepts any preset value; Replace still checks it",
    "ADD-008",
)
class AddPresetUnchecked(ReferenceService):
    def add_images(self, model_id: str, body: Any) -> dict[str, Any]:
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "preset"}
        return super().add_images(model_id, body)


@fault(
    "replace-preset-unchecked",
    "Replace accepts any preset value; Add still checks it",
    "REPLACE-004",
)
class ReplacePresetUnchecked(ReferenceService):
    def replace_image(self, model_id: str, image_id: str, body: Any) -> dict[str, Any]:
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "preset"}
        return super().replace_image(model_id, image_id, body)


@fault(
    "data-unchecked",
    "data is stored without checking it is an image data URL (any string is accepted)",
    "ADD-009",
    "REPLACE-004",
)
class DataUnchecked(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        if isinstance(body.get("data"), str):
            return self.optional_string(body, "name", default="image")
        return super().data_url_name(body)


@fault(
    "data-url-payload-unchecked",
    "Any data: URL is accepted as an image, whatever its media type and payload",
    "ADD-009",
)
class DataUrlPayloadUnchecked(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        data = body.get("data")
        if isinstance(data, str) and data.startswith("data:"):
            return self.optional_string(body, "name", default="image")
        return super().data_url_name(body)


@fault(
    "asset-id-name-honoured",
    "With assetId, a name in the body names the image instead of being ignored",
    "ADD-004",
)
class AssetIdNameHonoured(ReferenceService):
    def image_source(self, body: Any) -> ImageSource:
        source = super().image_source(body)
        if "assetId" in body and "assetIds" not in body and isinstance(body.get("name"), str):
            return ImageSource(names=(body["name"],))
        return source


@fault(
    "asset-id-with-data-rejected",
    "assetId together with data or name is refused (400) instead of data and name ignored",
    "ADD-004",
    "SCHEMA-003",
)
class AssetIdWithDataRejected(ReferenceService):
    def image_source(self, body: Any) -> ImageSource:
        if isinstance(body, dict) and "assetId" in body and {"data", "name"} & body.keys():
            raise bad_request("assetId cannot be combined with data or name")
        return super().image_source(body)


@fault(
    "preset-subject-rejected",
    "Add and Replace refuse the documented preset subject (400): only default and style work",
    "ADD-001",
)
class PresetSubjectRejected(ReferenceService):
    def check_preset(self, body: dict[str, Any]) -> None:
        if body.get("preset") == "subject":
            raise bad_request("preset must be one of default, style")
        super().check_preset(body)


@fault(
    "name-required",
    "Add and Replace refuse a data URL without a name (400), though name is optional",
    "SCHEMA-003",
)
class NameRequired(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        if "name" not in body:
            raise bad_request("name is required")
        return super().data_url_name(body)


@fault(
    "name-unicode-mangled",
    "Add stores names in a Latin-1 column: other characters come back as '?'",
    "ADD-012",
)
class NameUnicodeMangled(ReferenceService):
    def store_image(self, model: Model, name: str) -> Any:
        return super().store_image(model, name.encode("latin-1", "replace").decode("latin-1"))


@fault(
    "name-nfkc-normalised",
    "Add NFKC-normalises names before storing them (e.g. 'ﬁ' becomes 'fi', '①' becomes '1')",
    "ADD-012",
)
class NameNfkcNormalised(ReferenceService):
    def store_image(self, model: Model, name: str) -> Any:
        return super().store_image(model, unicodedata.normalize("NFKC", name))


@fault(
    "add-empty-body-accepted",
    "Add with none of data, assetId and assetIds adds an empty image instead of a 4xx",
    "ADD-013",
)
class AddEmptyBodyAccepted(ReferenceService):
    def data_url_name(self, body: dict[str, Any]) -> str:
        if "data" not in body:
            return self.optional_string(body, "name", default="image")
        return super().data_url_name(body)


# -- Replace Pairs -------------------------------------------------------------------------


@fault(
    "pairs-foreign-images-accepted",
    "Replace Pairs accepts the training images of any model, not only this model's",
    "PAIRS-005",
)
class PairsForeignImagesAccepted(ReferenceService):
    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        every = [image for other in self.models.values() for image in other.images]
        return super().validate_pair(seeing(model, every), pair)


@fault(
    "pairs-ids-unchecked",
    "Replace Pairs stores any sourceId and targetId without checking they exist",
    "PAIRS-005",
)
class PairsIdsUnchecked(ReferenceService):
    def validate_pair(self, model: Model, pair: Any) -> dict[str, Any]:
        named = [pair.get(k) for k in ("sourceId", "targetId")] if isinstance(pair, dict) else []
        return super().validate_pair(seeing(model, [i for i in named if isinstance(i, str)]), pair)


@fault(
    "pairs-body-coerced",
    "Replace Pairs reads a non-array body as an empty list (and clears the pairs)",
    "PAIRS-006",
    "SCHEMA-002",
)
class PairsBodyCoerced(ReferenceService):
    def validate_pairs(self, model: Model, body: Any) -> list[dict[str, Any]]:
        return super().validate_pairs(model, body if isinstance(body, list) else [])


# -- request typing (SHOULD) ---------------------------------------------------------------


@fault(
    "wrong-types-coerced",
    "A number given for name or instruction is stored as its text instead of refused",
    "SCHEMA-004",
)
class WrongTypesCoerced(LenientTypes):
    """The lenient-types variant, as a fault: legal, but not the strict typing SCHEMA-004 asks."""
