"""Negative cases reduced to what the documentation makes invalid.

Schemathesis negates any part of a request. Only two kinds of negation are kept: a body that
violates its schema, and a method the path does not document. A negated path parameter is
replaced by a real resource (a random ID would only test the 404), and what is left of the
request must still be invalid; undocumented request headers are dropped, since a correct
server may ignore them. Undocumented methods other than the common ones are skipped: a server
that does not recognise a method may answer 501 (RFC 9110 15.6.2), and DELETE on the pairs
path is the Delete of an image named "pairs", where 404 is the right answer.
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, coverage_scenario

from ticonf.schema.workspace import PAIRS, Workspace, operation_key

PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
KEPT_HEADERS = ("authorization", "content-type")


def prepare_negative(case: Any, workspace: Workspace) -> bool:
    """Point the case at real resources; False when nothing documented is left to negate."""
    if coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        _point_at_real_resources(case, workspace)
        return _is_probed_method(case)
    _point_at_real_resources(case, workspace)
    case.headers = {k: v for k, v in dict(case.headers or {}).items() if k.lower() in KEPT_HEADERS}
    case.query = {}
    meta = case.meta
    return meta is not None and meta.is_negative_at(ParameterLocation.BODY)


def _is_probed_method(case: Any) -> bool:
    method = case.method.upper()
    if method not in PROBED_METHODS:
        return False
    return not (method == "DELETE" and operation_key_of_path(case) == PAIRS[1])


def operation_key_of_path(case: Any) -> str:
    return case.operation.path


def _point_at_real_resources(case: Any, workspace: Workspace) -> None:
    if "trainingImageId" in case.operation.path:
        model_id, image_id = workspace.kept_image()
        case.path_parameters = {"modelId": model_id, "trainingImageId": image_id}
    elif operation_key(case) == PAIRS:
        case.path_parameters = {"modelId": workspace.pair_model()[0]}
    else:
        case.path_parameters = {"modelId": workspace.model(room=0)}
