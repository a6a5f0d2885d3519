"""What one process holds for the conformance run it takes part in: its RunState.

The pytest plugin creates the state in `pytest_configure` (controller and every xdist worker
alike) and keeps it in `config.stash`; hooks and fixtures read it from there. Code with no
pytest config at hand (schemathesis' transport hook, the checks, module-level code of the
suites at collection) reads it through `current()`, which the plugin's `activate` and
`deactivate` fill and empty. The running test's recorder is a context variable (`RECORDER`),
set by the plugin around each test.
"""

from __future__ import annotations

import json
import threading
import weakref
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ticonf.client.api import ApiClient
from ticonf.client.exchanges import Recorder
from ticonf.client.politeness import Politeness
from ticonf.client.provisioning import Ledger
from ticonf.core.locations import RECORDS, RESOURCES, raw_file
from ticonf.run.context import RunContext
from ticonf.run.profiles import load_profile

if TYPE_CHECKING:
    from ticonf.reference.server import RunningServer


@dataclass(eq=False)
class RunState:
    """The run's context and what this process shares between the tests it runs.

    The pace, the ledger and the client are made on first use: the pace file is the run's
    only once the controller has cleared a reused directory's, and a dry run needs neither.
    """

    context: RunContext
    server: RunningServer | None = None
    """The embedded reference server, in the process that started it (the controller)."""
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    """Keeps each line of the record file whole, should two threads append at once."""
    auth_enforced: weakref.WeakKeyDictionary[Recorder, set[str]] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    """The operations each running test (by its recorder) has seen refuse unauthenticated
    probes (schema/checks.py, ignored_auth_once)."""
    _politeness: Politeness | None = field(default=None, init=False, repr=False)
    _ledger: Ledger | None = field(default=None, init=False, repr=False)
    _client: ApiClient | None = field(default=None, init=False, repr=False)

    @property
    def politeness(self) -> Politeness:
        """This process's manners, paced with every other process of the run through one
        file in the run's directory (`--max-rps` is for all workers together)."""
        if self._politeness is None:
            ctx = self.context
            self._politeness = Politeness(
                max_rps=ctx.max_rps, max_throttle=ctx.max_throttle, shared=ctx.pace_path
            )
        return self._politeness

    @property
    def ledger(self) -> Ledger:
        """The resources this process created and deleted, for cleanup after the run."""
        if self._ledger is None:
            ctx = self.context
            self._ledger = Ledger(ctx.raw_dir / raw_file(RESOURCES, ctx.process_name))
        return self._ledger

    @property
    def client(self) -> ApiClient:
        """One client of the target for this process's checks that send requests of their
        own (building an HTTP client per check would be slow)."""
        if self._client is None:
            ctx = self.context
            self._client = ApiClient(ctx.target, timeout=ctx.timeout, politeness=self.politeness)
        return self._client

    def write_record(self, record: dict[str, Any]) -> None:
        """Append one test's record to this process's record file."""
        ctx = self.context
        path = ctx.raw_dir / raw_file(RECORDS, ctx.process_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.write_lock, path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def stop_server(self) -> None:
        """Stop the embedded reference server, if this process started one (idempotent)."""
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_embedded_server(
    latency_ms: float = 0.0, rate_limit: float | None = None, variants: str | None = None
) -> RunningServer:
    """The embedded reference server, with the remote conditions asked for (none by default)
    and the legal variants named (NAME[,NAME...] or all; reference/variants.py)."""
    from ticonf.reference.server import start_server
    from ticonf.reference.variants import parse_variants

    chosen = parse_variants(variants)
    return start_server(latency_ms=latency_ms, rate_limit=rate_limit, variants=chosen)


_ACTIVE: RunState | None = None
"""The run of this process, for code that has no pytest config at hand. A plain module slot,
not a context variable: Python 3.11 threads do not inherit context variables, and tests send
requests from threads of their own (suites/scenarios/test_concurrency.py, the fixture pool)."""

RECORDER: ContextVar[Recorder | None] = ContextVar("ticonf_recorder", default=None)
"""The running test's recorder: the plugin sets it (keeping the token) when a test starts and
resets it after its teardown. Only the test's own thread sees it, which is where schemathesis
sends its requests and runs its checks; a test's threads record through their ApiClient."""


def activate(state: RunState) -> None:
    """Make `state` the run of this process and load its hypothesis profile and seed."""
    global _ACTIVE
    _ACTIVE = state
    load_profile(state.context.profile, state.context.seed)


def deactivate() -> None:
    """Forget the run of this process (pytest_unconfigure)."""
    global _ACTIVE
    _ACTIVE = None


def current() -> RunState:
    """The run of this process; an error outside a conformance run."""
    if _ACTIVE is None:
        raise RuntimeError("no ticonf run is active: run the suites through pytest or ticonf run")
    return _ACTIVE


def current_recorder() -> Recorder | None:
    """The running test's recorder, None between tests and on threads the test started."""
    return RECORDER.get()
