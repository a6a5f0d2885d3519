"""Requests the spec makes invalid must be rejected with a 4xx, never a 5xx and never a 2xx.

Only what the documentation makes invalid is sent as a negative case: a body that violates
its schema (wrong types, out-of-enum preset, malformed data URL, more than 10 assetIds, a pairs
body that is not an array, a missing body), or a method the path does not document. The path
points at real resources, so that a rejection is about the body and not a 404 for a random ID.

Undocumented methods have a test of their own: its requirement is a SHOULD, and a failure in
a test ends it, which must not keep the MUSTs of invalid bodies from being tested.
"""

from __future__ import annotations

import hypothesis
import pytest

from ticonf.schema.checks import METHOD_CHECKS, NEGATIVE_CHECKS
from ticonf.schema.loading import Kind, load_schema
from ticonf.schema.negative import prepare_invalid_body, prepare_method_probe
from ticonf.schema.workspace import Workspace

schema = load_schema(Kind.NEGATIVE)
# Delete has no body, and its path's other methods are probed through Replace.
DELETE_ID = "DeleteModelsTrainingImagesByModelIdAndTrainingImageId"


@schema.exclude(operation_id=DELETE_ID).parametrize()
@pytest.mark.long(requests=75)
@pytest.mark.req("HTTP-001", "STATUS-001", "HTTP-002", "SCHEMA-001", "SCHEMA-002")
def test_invalid_requests_are_rejected(case, workspace: Workspace) -> None:
    if prepare_invalid_body(case, workspace):
        case.call_and_validate(checks=NEGATIVE_CHECKS)


@schema.exclude(operation_id=DELETE_ID).parametrize()
@pytest.mark.req("HTTP-001", "HTTP-004")
@hypothesis.settings(phases=[hypothesis.Phase.explicit])  # the probes are coverage cases
def test_undocumented_methods_are_refused(case, workspace: Workspace) -> None:
    if prepare_method_probe(case, workspace):
        case.call_and_validate(checks=METHOD_CHECKS)
