"""The spec files are valid OpenAPI, and the requirement catalog is well-formed."""

from __future__ import annotations

import re

import pytest
import yaml
from openapi_spec_validator import validate
from ticonf.suites.scenarios.support import TRAINING_IMAGE_FIELDS

from ticonf.core.catalog import CATALOG_PATH, LEVELS, OPERATIONS, SOURCES, SPEC_DIR, load_catalog

OPERATION_IDS = {
    "PostModelsTrainingImagesByModelId",
    "PutModelsTrainingImagesPairsByModelId",
    "PutModelsTrainingImagesByModelIdAndTrainingImageId",
    "DeleteModelsTrainingImagesByModelIdAndTrainingImageId",
}


def load(name: str) -> dict:
    return yaml.safe_load((SPEC_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["openapi.yaml", "fixtures.yaml"])
def test_spec_is_valid_openapi(name: str) -> None:
    validate(load(name))


def operations(spec: dict) -> dict[str, dict]:
    return {
        op["operationId"]: op
        for path in spec["paths"].values()
        for method, op in path.items()
        if method in ("get", "post", "put", "delete", "patch")
    }


def test_the_main_spec_holds_exactly_the_four_operations() -> None:
    assert set(operations(load("openapi.yaml"))) == OPERATION_IDS


def test_fixture_endpoints_live_apart() -> None:
    fixtures = load("fixtures.yaml")
    assert set(fixtures["paths"]) == {"/models", "/models/{modelId}", "/assets"}
    assert not set(operations(fixtures)) & OPERATION_IDS


def test_every_operation_documents_the_errors_a_client_must_expect() -> None:
    for op_id, op in operations(load("openapi.yaml")).items():
        assert {"200", "400", "401", "403", "404", "409", "422", "429"} <= set(op["responses"]), (
            op_id
        )
        names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in op.get("parameters", [])}
        assert "projectId" in names, op_id


def test_training_image_requires_its_six_fields_and_allows_more() -> None:
    image = load("openapi.yaml")["components"]["schemas"]["TrainingImage"]
    assert set(image["required"]) == set(TRAINING_IMAGE_FIELDS), "the fields the suite checks"
    # ISO-8601 is documented, RFC 3339 is not: ADD-002 checks the timestamp, not the schema.
    assert "format" not in image["properties"]["createdAt"]
    assert image["properties"]["downloadUrl"]["format"] == "uri"
    assert image.get("additionalProperties", True) is not False


def test_add_links_to_replace_and_delete() -> None:
    add = operations(load("openapi.yaml"))["PostModelsTrainingImagesByModelId"]
    links = add["responses"]["200"]["links"].values()
    targets = {link["operationId"] for link in links}
    assert targets == {
        "PutModelsTrainingImagesByModelIdAndTrainingImageId",
        "DeleteModelsTrainingImagesByModelIdAndTrainingImageId",
    }
    assert all(
        link["parameters"]["trainingImageId"] == "$response.body#/trainingImage/id"
        for link in links
    )


def test_catalog_entries_are_well_formed_and_unique() -> None:
    entries = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))["requirements"]
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids)), "duplicate requirement IDs"
    for entry in entries:
        assert set(entry) == {"id", "level", "operation", "statement", "source", "ref", "why"}, (
            entry
        )
        assert re.fullmatch(r"[A-Z]+-\d{3}", entry["id"]), entry["id"]
        assert entry["level"] in LEVELS, entry["id"]
        assert entry["operation"] in OPERATIONS, entry["id"]
        assert entry["source"] in SOURCES, entry["id"]
        assert entry["statement"].strip().endswith("."), entry["id"]
        assert entry["ref"].strip(), entry["id"]
        assert entry["why"].strip().endswith("."), f"{entry['id']}: why needs a sentence"
    assert list(load_catalog()) == ids
