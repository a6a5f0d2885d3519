"""The fault catalog: named, documented deviations the reference server can be started with.

Each fault is a subclass of the reference service that overrides one small method, so the
fault's code is exactly what it changes. `violates` names the requirements a conformance
suite must report as failed against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ticonf.core.errors import ConfigError
from ticonf.reference.service import ReferenceService
from ticonf.reference.variants import compose


@dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    violates: tuple[str, ...]
    service_class: type[ReferenceService]


CATALOG: dict[str, Fault] = {}


def fault(name: str, summary: str, *violates: str):
    """Register the decorated service subclass as the fault `name`."""

    def register(cls: type[ReferenceService]) -> type[ReferenceService]:
        if name in CATALOG:
            raise ValueError(f"fault {name!r} is registered twice")
        CATALOG[name] = Fault(name, summary, tuple(violates), cls)
        return cls

    return register


def get_fault(name: str) -> Fault:
    _load()
    if name not in CATALOG:
        raise ConfigError(f"unknown fault {name!r}; `ticonf faults` lists the catalog")
    return CATALOG[name]


def all_faults() -> list[Fault]:
    _load()
    return list(CATALOG.values())


def build_service(
    fault: str | None, api_key: str, api_secret: str, variants: tuple[str, ...] = ()
) -> ReferenceService:
    """A correct service, or the faulty one this catalog names; with legal variants
    (reference/variants.py) composed on top when `variants` names any."""
    base = get_fault(fault).service_class if fault is not None else ReferenceService
    return compose(variants, base)(api_key, api_secret) if variants else base(api_key, api_secret)


def _load() -> None:
    from ticonf.faults import catalog  # noqa: F401 - registers the faults


__all__ = ["CATALOG", "Fault", "all_faults", "build_service", "fault", "get_fault"]
