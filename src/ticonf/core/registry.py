"""A named registry that a class decorator fills: the fault catalog and the legal variants.

Both are lists of named entries built around a reference service class, listed by a `ticonf`
command and looked up by a name the user typed; one registry keeps the registering, the
refusal of a name given twice and the one-line error for an unknown name in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ticonf.core.errors import ConfigError

Entry = TypeVar("Entry")
Decorated = TypeVar("Decorated")


class Registry(Generic[Entry]):
    """Entries by name, in the order they were registered.

    `kind` and `listing` make the error for an unknown name, e.g. "unknown fault 'x';
    `ticonf faults` lists the catalog".
    """

    def __init__(self, kind: str, listing: str) -> None:
        self.kind = kind
        self.listing = listing
        self._entries: dict[str, Entry] = {}

    def register(
        self, name: str, build: Callable[[Decorated], Entry]
    ) -> Callable[[Decorated], Decorated]:
        """A class decorator: registers `build(cls)` as `name` and returns `cls` unchanged."""

        def decorate(cls: Decorated) -> Decorated:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = build(cls)
            return cls

        return decorate

    def lookup(self, name: str) -> Entry:
        """The entry `name`; a ConfigError (one line for the user) when there is none."""
        if name not in self._entries:
            raise ConfigError(f"unknown {self.kind} {name!r}; {self.listing}")
        return self._entries[name]

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)
