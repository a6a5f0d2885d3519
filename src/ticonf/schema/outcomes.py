"""Telling a server's conformance failure from the run's own trouble.

A broken network or a crashing suite must never be reported as a nonconformant server, nor
as a conformant one: such an outcome is an `error` and makes the verdict inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ticonf.core.vocabulary import ErrorKind, Status


@dataclass(frozen=True)
class Classified:
    outcome: Status  # FAILED (the server's fault) or ERROR (the run's)
    kind: ErrorKind
    message: str
    requirements: tuple[str, ...] | None  # the failed requirements, None when not named


def _network_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [httpx.TransportError, ConnectionError, TimeoutError]
    try:
        import requests

        errors += [requests.exceptions.ConnectionError, requests.exceptions.Timeout]
    except ImportError:  # pragma: no cover - schemathesis brings requests
        pass
    return tuple(errors)


NETWORK_ERRORS = _network_errors()


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _is_network(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, NETWORK_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def named_requirements(error: BaseException) -> tuple[str, ...] | None:
    """The requirement IDs a failure names itself (RequirementFailure or a mapped check)."""
    from ticonf.schema.checks import requirements_of_failure

    names: list[str] = []
    for leaf in _leaves(error):
        ids = getattr(leaf, "requirements", None) or requirements_of_failure(leaf)
        if not ids:
            return None
        names += [i for i in ids if i not in names]
    return tuple(names)


def classify(error: BaseException) -> Classified:
    """What an exception raised by a test means for the verdict."""
    leaves = _leaves(error)
    message = "; ".join(f"{type(e).__name__}: {e}".strip() for e in leaves)[:4000]
    if any(_is_network(leaf) for leaf in leaves):
        return Classified(Status.ERROR, ErrorKind.NETWORK, message, None)
    if all(_is_failure(leaf) for leaf in leaves):
        return Classified(Status.FAILED, ErrorKind.CONFORMANCE, message, named_requirements(error))
    return Classified(Status.ERROR, ErrorKind.SUITE, message, None)


def _is_failure(error: BaseException) -> bool:
    from ticonf.schema.checks import is_schemathesis_failure

    return isinstance(error, AssertionError) or is_schemathesis_failure(error)
