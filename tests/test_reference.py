"""The reference server implements the documented behaviour, and bad input never gives a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from ticonf.suites.scenarios.support import TRAINING_IMAGE_FIELDS

from ticonf.client.samples import png_base64, png_data_url
from ticonf.reference.app import MAX_BODY_BYTES, create_app

AUTH = ("ticonf", "ticonf-secret")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://ref") as test_client:
        test_client.auth = AUTH
        yield test_client


@pytest.fixture
def model(client: TestClient) -> str:
    return client.post("/v1/models", json={"name": "m"}).json()["model"]["id"]


def add(client: TestClient, model: str, **body) -> dict:
    response = client.post(f"/v1/models/{model}/training-images", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def image(client: TestClient, model: str, seed: int = 0) -> str:
    return add(client, model, data=png_data_url(seed), name=f"{seed}.png")["trainingImage"]["id"]


def asset(client: TestClient, seed: int = 0) -> str:
    body = {"name": f"asset-{seed}.png", "image": png_base64(seed)}
    return client.post("/v1/assets", json=body).json()["asset"]["id"]


def count(client: TestClient, model: str) -> int:
    return client.get(f"/v1/models/{model}").json()["model"]["trainingImagesNumber"]


def test_add_returns_the_six_fields(client: TestClient, model: str) -> None:
    created = add(client, model, data=png_data_url(), name="日本語.png")["trainingImage"]
    assert set(created) == set(TRAINING_IMAGE_FIELDS)
    assert created["name"] == "日本語.png"
    assert count(client, model) == 1


def test_batch_add_adds_every_asset(client: TestClient, model: str) -> None:
    add(client, model, assetIds=[asset(client, i) for i in range(10)])
    assert count(client, model) == 10


@pytest.mark.parametrize(
    "body",
    [
        {"data": "data:text/plain;base64,aGVsbG8="},
        {"data": "data:image/png;base64,aGVsbG8="},
        {"data": "not a data url"},
        {"data": png_data_url(), "preset": "portrait"},
        {"name": "no source.png"},
        {"assetIds": []},
        {"assetId": "asset_missing"},
        [],
    ],
)
def test_add_rejects_invalid_bodies_and_adds_nothing(client, model, body) -> None:
    response = client.post(f"/v1/models/{model}/training-images", json=body)
    assert 400 <= response.status_code < 500
    assert count(client, model) == 0


def test_add_rejects_eleven_assets_and_mixed_sources(client: TestClient, model: str) -> None:
    ids = [asset(client, i) for i in range(11)]
    for body in (
        {"assetIds": ids},
        {"assetIds": ids[:2], "assetId": ids[0]},
        {"assetIds": ids[:2], "name": "x.png"},
    ):
        assert client.post(f"/v1/models/{model}/training-images", json=body).status_code == 400
    assert count(client, model) == 0


def test_asset_id_ignores_data_and_name(client: TestClient, model: str) -> None:
    body = {"assetId": asset(client, 3), "data": "garbage", "name": "ignored.png"}
    created = add(client, model, **body)["trainingImage"]
    assert created["name"] == "asset-3.png"


def test_pairs_replace_and_reject_foreign_images(client: TestClient, model: str) -> None:
    a, b, c = (image(client, model, i) for i in range(3))
    other = client.post("/v1/models", json={}).json()["model"]["id"]
    foreign = image(client, other)
    first = [{"sourceId": a, "targetId": b, "instruction": "x"}]
    second = [{"sourceId": b, "targetId": c, "instruction": "y"}]
    assert client.put(f"/v1/models/{model}/training-images/pairs", json=first).status_code == 200
    replaced = client.put(f"/v1/models/{model}/training-images/pairs", json=second).json()
    assert replaced == {"count": 1, "pairs": second}
    bad = [{"sourceId": foreign, "targetId": c, "instruction": "z"}]
    assert client.put(f"/v1/models/{model}/training-images/pairs", json=bad).status_code == 400
    stored = client.get(f"/v1/models/{model}").json()["model"]["trainingImagePairs"]
    assert stored == second


def test_replace_keeps_count_and_delete_removes(client: TestClient, model: str) -> None:
    image_id = image(client, model)
    path = f"/v1/models/{model}/training-images/{image_id}"
    replaced = client.put(path, json={"data": png_data_url(9), "name": "new.png"}).json()
    assert replaced["trainingImage"]["name"] == "new.png"
    assert count(client, model) == 1
    assert client.delete(path).json() == {}
    assert client.delete(path).status_code == 404
    assert client.put(path, json={"data": png_data_url()}).status_code == 404
    assert count(client, model) == 0


def test_images_are_scoped_to_their_model(client: TestClient, model: str) -> None:
    image_id = image(client, model)
    other = client.post("/v1/models", json={}).json()["model"]["id"]
    assert client.delete(f"/v1/models/{other}/training-images/{image_id}").status_code == 404
    assert count(client, model) == 1


@pytest.mark.parametrize("auth", [None, ("ticonf", "wrong"), ("other", "ticonf-secret")])
def test_credentials_are_required(client: TestClient, model: str, auth) -> None:
    client.auth = auth
    response = client.post(f"/v1/models/{model}/training-images", json={"data": png_data_url()})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"\xff\xfe\x00",
        b"[" * 100_000,
        b'{"data": NaN}',
        b'{"name": "\\ud800", "data": 1}',
        b"",
    ],
)
def test_malformed_bodies_get_a_json_4xx(client: TestClient, model: str, content: bytes) -> None:
    response = client.post(f"/v1/models/{model}/training-images", content=content)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/json"


def test_huge_bodies_get_413(client: TestClient, model: str) -> None:
    content = b'{"data": "' + b"A" * (MAX_BODY_BYTES + 1) + b'"}'
    response = client.post(f"/v1/models/{model}/training-images", content=content)
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/v1/models/%00/training-images", "/v1/models/..%2F/x/y/z"])
def test_odd_paths_get_a_json_4xx(client: TestClient, path: str) -> None:
    response = client.put(path, json=[])
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/json"


def test_undocumented_method_gets_405_with_allow(client: TestClient, model: str) -> None:
    response = client.patch(f"/v1/models/{model}/training-images", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_unicode_round_trips_even_lone_surrogates(client: TestClient, model: str) -> None:
    content = (f'{{"data": "{png_data_url()}", "name": "\\ud800 𝔘 \\u0000"}}').encode()
    response = client.post(f"/v1/models/{model}/training-images", content=content)
    assert response.status_code == 200
    assert response.json()["trainingImage"]["name"] == "\ud800 𝔘 \x00"


def test_200_concurrent_adds_give_exactly_200_images() -> None:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from ticonf.reference.server import running_server

    with running_server() as server, httpx.Client(base_url=server.base_url, auth=AUTH) as http:
        model_id = http.post("/models", json={}).json()["model"]["id"]

        def add_one(seed: int) -> int:
            body = {"data": png_data_url(seed), "name": f"{seed}.png"}
            return http.post(f"/models/{model_id}/training-images", json=body).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(add_one, range(200)))
        model = http.get(f"/models/{model_id}").json()["model"]
    assert statuses == [200] * 200
    assert model["trainingImagesNumber"] == 200


def test_assets_can_be_deleted_in_batches(client: TestClient) -> None:
    ids = [asset(client, i) for i in range(3)]
    assert client.request("DELETE", "/v1/assets", json={"assetIds": ids}).json() == {}
    model = client.post("/v1/models", json={}).json()["model"]["id"]
    response = client.post(f"/v1/models/{model}/training-images", json={"assetId": ids[0]})
    assert response.status_code == 404
    too_many = client.request("DELETE", "/v1/assets", json={"assetIds": ["a"] * 101})
    assert too_many.status_code == 400


def test_pairs_allows_put_only(client: TestClient, model: str) -> None:
    for method in ("OPTIONS", "DELETE", "GET"):
        response = client.request(method, f"/v1/models/{model}/training-images/pairs")
        assert (response.status_code, response.headers["allow"]) == (405, "PUT")
