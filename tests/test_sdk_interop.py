"""The vendor's official Python SDK drives the reference server through all four operations.

This proves that the spec and the reference server speak the real API's wire format: the SDK
(scenario-sdk, generated from the vendor's API description) builds the requests and parses the
responses, including errors surfacing as its NotFoundError and BadRequestError.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import scenario_sdk

from ticonf.client.samples import png_data_url
from ticonf.reference.server import RunningServer, running_server


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server() as running:
        yield running


@pytest.fixture
def sdk(server: RunningServer):
    client = scenario_sdk.Scenario(
        api_key="ticonf", api_secret="ticonf-secret", base_url=server.base_url, max_retries=0
    )
    yield client
    client.close()


def test_the_four_operations_through_the_sdk(sdk) -> None:
    model_id = sdk.models.create(name="sdk-interop", type="flux.1-lora").model.id
    images = sdk.models.training_images
    first = images.add(model_id, data=png_data_url(1), name="before.png", preset="default")
    second = images.add(model_id, data=png_data_url(2), name="after.png", original_assets=True)
    assert first.training_image.name == "before.png"
    assert first.training_image.created_at and first.training_image.download_url

    pair = {
        "source_id": first.training_image.id,
        "target_id": second.training_image.id,
        "instruction": "make it blue",
    }
    pairs = images.replace_pairs(model_id, body=[pair])
    assert pairs.count == 1
    assert pairs.pairs[0].source_id == first.training_image.id
    assert pairs.pairs[0].instruction == "make it blue"

    replaced = images.replace(
        first.training_image.id, model_id=model_id, data=png_data_url(3), name="again.png"
    )
    assert replaced.training_image.name == "again.png"

    deleted = images.delete(second.training_image.id, model_id=model_id)
    assert deleted == {}
    assert sdk.models.retrieve(model_id).model.training_images_number == 1
    sdk.models.delete(model_id)


def test_errors_surface_as_the_sdk_exceptions(sdk) -> None:
    model_id = sdk.models.create(name="sdk-errors").model.id
    with pytest.raises(scenario_sdk.NotFoundError):
        sdk.models.training_images.delete("asset_unknown", model_id=model_id)
    with pytest.raises(scenario_sdk.BadRequestError):
        sdk.models.training_images.add(model_id, data="data:text/plain;base64,aGk=")
    with pytest.raises(scenario_sdk.BadRequestError):
        sdk.models.training_images.add(model_id, preset="portrait", data=png_data_url())  # type: ignore[arg-type]
    sdk.models.delete(model_id)


def test_wrong_credentials_surface_as_authentication_error(server: RunningServer) -> None:
    client = scenario_sdk.Scenario(
        api_key="ticonf", api_secret="wrong", base_url=server.base_url, max_retries=0
    )
    with pytest.raises(scenario_sdk.AuthenticationError):
        client.models.training_images.delete("x", model_id="y")
    client.close()
