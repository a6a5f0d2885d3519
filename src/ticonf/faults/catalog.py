"""The faults themselves, grouped by the kind of deviation."""

from __future__ import annotations

from typing import Any

from ticonf.faults import fault
from ticonf.reference.service import Model, ReferenceService


@fault(
    "pairs-append",
    "Replace Pairs appends to the stored pairs instead of replacing them",
    "PAIRS-002",
)
class PairsAppend(ReferenceService):
    def store_pairs(self, model: Model, pairs: list[dict[str, Any]]) -> None:
        model.pairs = model.pairs + pairs


@fault("auth-ignored", "Requests without credentials are accepted", "AUTH-001")
class AuthIgnored(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        if authorization:
            super().authenticate(authorization)
