"""Negative cases reduced to what the documentation makes invalid, and nothing else.

Schemathesis negates any part of a request. Only two kinds of negation are kept: a body that
violates its schema, and a method the path does not document. A negated path parameter is
replaced by a real resource (a random ID would only test the 404), and what is left of the
request must still be invalid; undocumented request headers are dropped, since a correct
server may ignore them. Undocumented methods other than the common ones are skipped: a server
that does not recognise a method may answer 501 (RFC 9110 15.6.2), and DELETE on the pairs
path is the Delete of an image named "pairs", where 404 is the right answer.

The parts of a negative body that are valid on their own are made real, as in a positive case
(a genuine image, existing assets, images of the model), and a body with no image source gets
one. Otherwise a server could reject `{"preset": "AAA"}` for the missing image, or a pair for
its unknown IDs, and a server that never checks the preset or the instruction would pass.
Whether the body is still invalid is decided by schemathesis against the spec afterwards.
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, coverage_scenario

from ticonf.client.samples import png_data_url
from ticonf.schema.workspace import (
    ADD,
    IMAGE_SOURCES,
    PAIRS,
    REPLACE,
    Workspace,
    is_data_url,
    operation_key,
)

PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
KEPT_HEADERS = ("authorization", "content-type")


def is_method_probe(case: Any) -> bool:
    return coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD


def prepare_method_probe(case: Any, workspace: Workspace) -> bool:
    """Point an undocumented-method probe at real resources; False when it is not one to send."""
    if not is_method_probe(case):
        return False
    _point_at_real_resources(case, workspace)
    method = case.method.upper()
    if method not in PROBED_METHODS:
        return False
    return not (method == "DELETE" and case.operation.path == PAIRS[1])


def prepare_invalid_body(case: Any, workspace: Workspace) -> bool:
    """Point the case at real resources and make the valid parts of its body real; False when
    the body is not what is invalid (nothing documented is left to reject)."""
    if is_method_probe(case):
        return False
    _point_at_real_resources(case, workspace)
    case.headers = {k: v for k, v in dict(case.headers or {}).items() if k.lower() in KEPT_HEADERS}
    case.query = {}
    case.body = _realistic_body(case, workspace)
    meta = case.meta
    return meta is not None and meta.is_negative_at(ParameterLocation.BODY)


def _point_at_real_resources(case: Any, workspace: Workspace) -> None:
    if "trainingImageId" in case.operation.path:
        model_id, image_id = workspace.kept_image()
        case.path_parameters = {"modelId": model_id, "trainingImageId": image_id}
    elif operation_key(case) == PAIRS:
        case.path_parameters = {"modelId": workspace.pair_model()[0]}
    else:
        case.path_parameters = {"modelId": workspace.model(room=0)}


def _realistic_body(case: Any, workspace: Workspace) -> Any:
    """The body with its individually valid parts made real (see the module docstring)."""
    key = operation_key(case)
    if key in (ADD, REPLACE) and isinstance(case.body, dict):
        return _image_body(dict(case.body), workspace)
    if key == PAIRS and isinstance(case.body, list):
        return _pairs(case.body, workspace.pair_model()[1])
    return case.body


def _image_body(body: dict[str, Any], workspace: Workspace) -> dict[str, Any]:
    if isinstance(body.get("assetId"), str) and "assetIds" not in body:
        # "With assetId, data and name are ignored": a bad one is no reason to reject.
        body.pop("data", None)
        body.pop("name", None)
    if is_data_url(body.get("data")):
        body["data"] = png_data_url(workspace.seed())
    if isinstance(body.get("assetId"), str):
        body["assetId"] = workspace.asset()
    ids = body.get("assetIds")
    if isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids):
        # Real assets even beyond 10: then the count is the only thing wrong.
        body["assetIds"] = workspace.assets(len(ids))
    if not any(source in body for source in IMAGE_SOURCES):
        body["data"] = png_data_url(workspace.seed())
    return body


def _pairs(pairs: list[Any], images: list[str]) -> list[Any]:
    realistic = []
    for index, pair in enumerate(pairs):
        if isinstance(pair, dict):
            pair = dict(pair)
            for offset, key in enumerate(("sourceId", "targetId")):
                if isinstance(pair.get(key), str):
                    pair[key] = images[(index + offset) % len(images)]
        realistic.append(pair)
    return realistic
