"""The requirement catalog (spec/requirements.yaml) and the failure that names a requirement."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from ticonf.core.locations import CATALOG_PATH, OPENAPI_PATH, SPEC_DIR
from ticonf.core.operations import OPERATION_NAMES
from ticonf.core.records import CatalogEntry
from ticonf.core.vocabulary import Level

LEVELS = tuple(Level)
# What a requirement is about: one of the documented operations, or all of them.
OPERATIONS = (*OPERATION_NAMES, "all")
SOURCES = ("seed", "api-description", "sdk", "training-guide", "http")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    operation: str
    statement: str
    source: str
    ref: str
    # Why the level is what it is (spec/requirements.yaml); tests/test_spec.py requires one.
    why: str = ""

    def to_dict(self) -> CatalogEntry:
        """Every field, in this order (report.json's requirement entries start with them)."""
        return CatalogEntry(
            id=self.id,
            level=self.level,
            operation=self.operation,
            statement=self.statement,
            source=self.source,
            ref=self.ref,
            why=self.why,
        )


class RequirementFailure(AssertionError):
    """A conformance failure of named requirements, with the sentence that explains it."""

    def __init__(self, requirements: str | tuple[str, ...], message: str) -> None:
        ids = (requirements,) if isinstance(requirements, str) else tuple(requirements)
        super().__init__(f"{', '.join(ids)}: {message}")
        self.requirements = ids


def check(condition: object, requirements: str | tuple[str, ...], message: str) -> None:
    """Fail the named requirement(s) with `message` unless `condition` holds."""
    if not condition:
        raise RequirementFailure(requirements, message)


@functools.cache
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Requirement]:
    """The catalog by ID, in file order."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {entry["id"]: Requirement(**entry) for entry in document["requirements"]}


# The paths live in ticonf.core.locations; they are re-exported here for the suites' convenience.
__all__ = [
    "CATALOG_PATH",
    "LEVELS",
    "OPENAPI_PATH",
    "OPERATIONS",
    "SOURCES",
    "SPEC_DIR",
    "Requirement",
    "RequirementFailure",
    "check",
    "load_catalog",
]
