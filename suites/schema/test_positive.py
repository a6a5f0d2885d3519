"""Valid requests, completed with real resources, must be accepted and answered as documented.

Each example points at the test's scratch model and at a fresh training image, carries a real
PNG and real assets, and is checked by schemathesis: no server error, a documented status,
JSON, a response matching the schema, acceptance, and refusal once the credentials are removed.
"""

from __future__ import annotations

import pytest

from ticonf.schema.checks import DELETE_CHECKS, POSITIVE_CHECKS
from ticonf.schema.loading import Kind, load_schema
from ticonf.schema.workspace import Workspace, complete_positive

schema = load_schema(Kind.POSITIVE)

RESPONSE_REQUIREMENTS = ("HTTP-001", "STATUS-001", "HTTP-002", "SCHEMA-001")


@schema.exclude(method="DELETE").parametrize()
@pytest.mark.long(requests=80)
@pytest.mark.req(*RESPONSE_REQUIREMENTS, "SCHEMA-003", "AUTH-001")
def test_valid_requests_are_accepted(case, workspace: Workspace) -> None:
    complete_positive(case, workspace)
    case.call_and_validate(checks=POSITIVE_CHECKS)


@schema.include(method="DELETE").parametrize()
@pytest.mark.long(requests=95)
@pytest.mark.req(*RESPONSE_REQUIREMENTS, "SCHEMA-003", "AUTH-001", "DELETE-002")
def test_deleted_images_are_gone(case, workspace: Workspace) -> None:
    complete_positive(case, workspace)
    case.call_and_validate(checks=DELETE_CHECKS)
