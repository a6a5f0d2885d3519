"""The fault catalog: named, documented deviations the reference server can be started with.

Each fault is a subclass of the reference service that overrides one small method, so the
fault's code is exactly what it changes. `violates` names the requirements a conformance
suite must report as failed against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ticonf.core.registry import Registry
from ticonf.reference.service import ReferenceService
from ticonf.reference.variants import compose


@dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    violates: tuple[str, ...]
    service_class: type[ReferenceService]


CATALOG: Registry[Fault] = Registry("fault", "`ticonf faults` lists the catalog")


def fault(name: str, summary: str, *violates: str):
    """Register the decorated service subclass as the fault `name`."""
    return CATALOG.register(name, lambda cls: Fault(name, summary, violates, cls))


def get_fault(name: str) -> Fault:
    _load()
    return CATALOG.lookup(name)


def all_faults() -> list[Fault]:
    _load()
    return CATALOG.entries()


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
