"""Schemathesis' checks mapped onto the requirement catalog.

Each built-in check that applies to this API proves one requirement; a failure found by a
check is reported under that requirement.
"""

from __future__ import annotations

CHECK_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "not_a_server_error": ("HTTP-001",),
    "status_code_conformance": ("STATUS-001",),
    "content_type_conformance": ("HTTP-002",),
    "response_headers_conformance": ("SCHEMA-001",),
    "response_schema_conformance": ("SCHEMA-001",),
    "negative_data_rejection": ("SCHEMA-002",),
    "positive_data_acceptance": ("SCHEMA-003",),
    "ignored_auth": ("AUTH-001",),
    "missing_required_header": ("AUTH-001",),
    "unsupported_method": ("HTTP-004",),
    "use_after_free": ("DELETE-002",),
    "ensure_resource_availability": ("ADD-014",),
}


def is_schemathesis_failure(error: BaseException) -> bool:
    try:
        from schemathesis.core.failures import Failure
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, Failure)


def requirements_of_failure(error: BaseException) -> tuple[str, ...] | None:
    """The requirements a schemathesis failure proves broken, None if it is not one.

    A custom check that raised a RequirementFailure is unwrapped; a built-in failure is
    mapped through the first check that produces it.
    """
    if not is_schemathesis_failure(error):
        return None
    inner = getattr(error, "exception", None)
    if inner is not None and getattr(inner, "requirements", None):
        return tuple(inner.requirements)
    for check_name in getattr(error, "checks", ()):
        if check_name in CHECK_REQUIREMENTS:
            return CHECK_REQUIREMENTS[check_name]
    return None
