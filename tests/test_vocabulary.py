"""The vocabulary layer: the four operations are the ones openapi.yaml documents, and the
StrEnums are their strings wherever a report is written or read back."""

from __future__ import annotations

import json

import pytest
import yaml

from ticonf.core.catalog import OPENAPI_PATH
from ticonf.core.operations import (
    ADD,
    DELETE,
    OPERATIONS,
    REPLACE,
    REPLACE_PAIRS,
    operation_called,
    operation_named,
)
from ticonf.core.vocabulary import Level, Status, Verdict


def test_the_operations_are_the_documented_ones() -> None:
    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    }
    assert {operation.route for operation in OPERATIONS} == documented


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/models/m1/training-images", ADD),
        ("post", "/models/m1/training-images/", ADD),
        ("PUT", "/models/m1/training-images/pairs", REPLACE_PAIRS),
        ("PUT", "/models/m1/training-images/i1", REPLACE),
        ("DELETE", "/models/m1/training-images/i1", DELETE),
        ("DELETE", "/models/m1/training-images/pairs", DELETE),
        ("GET", "/models/m1/training-images/i1", None),
        ("POST", "/models", None),
        ("POST", "/models//training-images", None),
        ("PUT", "/models/m1/other/i1", None),
    ],
)
def test_a_request_is_recognised_by_method_and_path(method, path, expected) -> None:
    assert operation_called(method, path) is expected


def test_concrete_paths() -> None:
    assert ADD.path_for("m1") == "/models/m1/training-images"
    assert REPLACE_PAIRS.path_for("m1") == "/models/m1/training-images/pairs"
    assert DELETE.path_for("m1", "i1") == "/models/m1/training-images/i1"
    assert operation_named("replace").path_for("m1", "i1") == "/models/m1/training-images/i1"
    with pytest.raises(ValueError):
        REPLACE.path_for("m1")
    with pytest.raises(KeyError):
        operation_named("all")


def test_members_are_their_strings_in_json_both_ways() -> None:
    written = json.dumps({Status.PASSED: Verdict.INCONCLUSIVE, "level": Level.MUST}, indent=1)
    assert json.loads(written) == {"passed": "inconclusive", "level": "MUST"}
    assert json.loads('"expected-failure"') == Status.EXPECTED_FAILURE
    assert {"untested": 1}[Status.UNTESTED] == 1
    assert [str(s) for s in Status][:3] == ["passed", "failed", "expected-failure"]
