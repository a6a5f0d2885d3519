"""The spec under test, loaded for one test module and configured from the run context.

Schemathesis fixes each operation's base URL when pytest collects the tests, so everything
here runs at import time of a test module: after the plugin's `pytest_configure`, which has
activated the run's state (ticonf.run.state) in the controller and in every xdist worker.

Each test module loads its own copy, because positive, negative and stateful runs need
different generation settings. Query parameters that no request can use correctly are left
out of the copy: `projectId` "asserts or sets the owner project", and a generated project is
never the caller's; an out-of-enum `originalAssets` is something a correct server may ignore.
"""

from __future__ import annotations

import copy
import functools
from enum import StrEnum
from typing import Any

import hypothesis
import schemathesis
import yaml
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from ticonf.core.catalog import OPENAPI_PATH
from ticonf.run import state as run_state
from ticonf.schema import recording, texts
from ticonf.schema.checks import STATEFUL_CHECK_NAMES


class Kind(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    STATEFUL = "stateful"


# Query parameters each kind of run leaves out (see the module docstring). The stateful run
# drops both, so that the links supply every parameter of a linked step, which is when
# schemathesis' ensure_resource_availability judges a 404.
DROPPED_QUERY: dict[Kind, tuple[str, ...]] = {
    Kind.POSITIVE: ("projectId",),
    Kind.NEGATIVE: ("projectId", "originalAssets"),
    Kind.STATEFUL: ("projectId", "originalAssets"),
}
PHASES: dict[Kind, list[str]] = {
    Kind.POSITIVE: ["coverage", "fuzzing"],
    Kind.NEGATIVE: ["coverage", "fuzzing"],
    Kind.STATEFUL: ["stateful"],
}


@functools.cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


def spec_without(query: tuple[str, ...]) -> dict[str, Any]:
    """The spec with the named query parameters removed from every operation."""
    document = copy.deepcopy(_spec())
    refs = {f"#/components/parameters/{name}" for name in query}
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                kept = [p for p in operation["parameters"] if p.get("$ref") not in refs]
                operation["parameters"] = kept
    return document


def load_schema(kind: Kind, max_examples: int | None = None) -> OpenApiSchema:
    """The four operations, aimed at the run's target with its credentials and seed."""
    recording.install()
    ctx = run_state.current().context
    config = schemathesis.Config(seed=ctx.seed)
    config.cache.enabled = False  # no .schemathesis/ directory in the user's working tree
    schema = schemathesis.openapi.from_dict(spec_without(DROPPED_QUERY[kind]), config=config)
    schema.config.update(
        base_url=ctx.target.base_url,
        basic_auth=ctx.target.basic_auth,
        request_timeout=ctx.timeout,
    )
    mode = GenerationMode.NEGATIVE if kind is Kind.NEGATIVE else GenerationMode.POSITIVE
    schema.config.generation.update(
        modes=[mode],
        max_examples=max_examples or profile_max_examples(),
        # Credentials and unknown parameters are not part of what the spec makes invalid.
        with_security_parameters=False,
        allow_extra_parameters=False,
        # No file name holds a NUL: a server may refuse one without being wrong.
        allow_x00=mode is GenerationMode.NEGATIVE,
    )
    schema.config.phases.update(phases=PHASES[kind])
    if kind is not Kind.NEGATIVE:
        texts.send_unusual_texts(schema)
    checks = schema.config.checks
    # A 5xx is HTTP-001's finding (not_a_server_error); any 4xx may reject invalid data.
    checks.positive_data_acceptance.expected_statuses = ["2xx", "429", "5xx"]
    checks.negative_data_rejection.expected_statuses = ["4xx", "5xx"]
    if kind is Kind.STATEFUL:  # the other runs name their checks in each call
        checks.update(included_check_names=STATEFUL_CHECK_NAMES)
    return schema


def profile_max_examples() -> int:
    """max_examples of the active hypothesis profile (ticonf-quick or ticonf-full)."""
    return hypothesis.settings.get_profile(
        hypothesis.settings.get_current_profile_name()
    ).max_examples


def is_full_profile() -> bool:
    return run_state.current().context.profile == "full"
