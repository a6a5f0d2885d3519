"""Schemathesis' checks mapped onto the requirement catalog, and ticonf's own checks.

Each built-in check that applies to this API proves one requirement; a failure found by a
check is reported under that requirement. A custom check fails by raising a
RequirementFailure, which names its requirement itself.
"""

from __future__ import annotations

import weakref
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from ticonf import context
from ticonf.catalog import check
from ticonf.client import ApiClient
from ticonf.exchanges import Recorder
from ticonf.samples import png_data_url

CHECK_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "not_a_server_error": ("HTTP-001",),
    "status_code_conformance": ("STATUS-001",),
    "content_type_conformance": ("HTTP-002",),
    "response_headers_conformance": ("SCHEMA-001",),
    "response_schema_conformance": ("SCHEMA-001",),
    "negative_data_rejection": ("SCHEMA-002",),
    "positive_data_acceptance": ("SCHEMA-003",),
    "ignored_auth": ("AUTH-001",),
    "ignored_auth_once": ("AUTH-001",),
    "missing_required_header": ("AUTH-001",),
    "unsupported_method": ("HTTP-004",),
    "use_after_free": ("DELETE-002",),
    "ensure_resource_availability": ("ADD-014",),
    "deleted_image_stays_deleted": ("DELETE-002",),
}

IMAGE_PATH = "/models/{modelId}/training-images/{trainingImageId}"


@schemathesis.check
def deleted_image_stays_deleted(ctx: Any, response: Any, case: Any) -> bool | None:
    """After a successful Delete, Replace and Delete of the same image must give 404.

    Schemathesis' use_after_free cannot see this on this API: it treats PUT as re-creation,
    skips a repeated DELETE, and there is no GET for a training image.
    """
    if case.method.upper() != "DELETE" or case.operation.path != IMAGE_PATH:
        return True
    if not 200 <= response.status_code < 300:
        return True
    model_id = str(case.path_parameters["modelId"])
    image_id = str(case.path_parameters["trainingImageId"])
    api = probe_client()
    replaced = api.replace(model_id, image_id, {"data": png_data_url(99), "name": "gone.png"})
    check(
        replaced.status_code == 404,
        "DELETE-002",
        f"Replace of the deleted image {image_id} gave {replaced.status_code}, expected 404",
    )
    again = api.delete(model_id, image_id)
    check(
        again.status_code == 404,
        "DELETE-002",
        f"a second Delete of the image {image_id} gave {again.status_code}, expected 404",
    )
    return None


_ENFORCING: weakref.WeakKeyDictionary[Recorder, set[str]] = weakref.WeakKeyDictionary()


def ignored_auth_once(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' ignored_auth, probing each operation until it has refused the probes once
    in the running test: three extra requests per example would triple the traffic."""
    recorder = context.CURRENT_RECORDER
    if recorder is not None:
        ctx.auth_enforced_operations = _ENFORCING.setdefault(recorder, set())
    return ignored_auth(ctx, response, case)


_PROBE_CLIENT: ApiClient | None = None


def probe_client() -> ApiClient:
    """A client of the target for checks that send requests of their own, recording as the
    running test (one per process: building an HTTP client per check would be slow)."""
    global _PROBE_CLIENT
    ctx = context.current()
    if _PROBE_CLIENT is None:
        _PROBE_CLIENT = ApiClient(ctx.target, timeout=ctx.timeout, politeness=ctx.politeness)
    if context.CURRENT_RECORDER is not None:
        _PROBE_CLIENT.recorder = context.CURRENT_RECORDER
    return _PROBE_CLIENT


RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
POSITIVE_CHECKS = [*RESPONSE_CHECKS, positive_data_acceptance, ignored_auth_once]
DELETE_CHECKS = [*POSITIVE_CHECKS, deleted_image_stays_deleted]
NEGATIVE_CHECKS = [*RESPONSE_CHECKS, negative_data_rejection]
METHOD_CHECKS = [not_a_server_error, unsupported_method]
STATEFUL_CHECK_NAMES = [
    *(c.__name__ for c in RESPONSE_CHECKS),
    "use_after_free",
    "ensure_resource_availability",
    "deleted_image_stays_deleted",
]


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
