"""Requests the spec makes invalid must be rejected with a 4xx, never a 5xx and never a 2xx.

Only what the documentation makes invalid is sent as a negative case: a body that violates
its schema (wrong types, out-of-enum preset, malformed data URL, more than 10 assetIds, a pairs
body that is not an array, a missing body), or a method the path does not document. The path
points at real resources, so that a rejection is about the body and not a 404 for a random ID.
"""

from __future__ import annotations

import pytest

from ticonf.schema.loading import Kind, load_schema
from ticonf.schema.negative import prepare_negative
from ticonf.schema.workspace import Workspace
from ticonf.schema_checks import NEGATIVE_CHECKS

schema = load_schema(Kind.NEGATIVE)


@schema.exclude(method="DELETE").parametrize()
@pytest.mark.req("HTTP-001", "STATUS-001", "HTTP-002", "SCHEMA-001", "SCHEMA-002", "HTTP-004")
def test_invalid_requests_are_rejected(case, workspace: Workspace) -> None:
    if prepare_negative(case, workspace):
        case.call_and_validate(checks=NEGATIVE_CHECKS)
