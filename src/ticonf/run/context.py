"""The state of one conformance run, shared by the controller and every xdist worker.

A run has one target, one profile, one seed, one ID and one report directory. The controller
creates the context; workers receive it over xdist's `workerinput` (never through a file, as
it carries the credentials).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from ticonf.client.config import Target
from ticonf.client.exchanges import Recorder
from ticonf.client.politeness import DEFAULT_MAX_THROTTLE, Politeness
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE, Ledger
from ticonf.client.targets_file import default_label
from ticonf.core.locations import MANIFEST, RAW_DIR

PROFILES = ("quick", "full")
PACE_FILE = "pace.bin"

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
    HealthCheck.function_scoped_fixture,
]
# The CI gate does not shrink: the failing exchange is the evidence, and shrinking against a
# server costs tens of seconds per failure. The release profile shrinks, for minimal examples.
settings.register_profile(
    "ticonf-quick",
    max_examples=20,
    stateful_step_count=8,
    deadline=None,
    database=None,
    derandomize=False,  # CI=true would otherwise inherit hypothesis' "ci" profile and ignore --seed
    suppress_health_check=_HEALTH,
    print_blob=False,
    phases=[phase for phase in Phase if phase is not Phase.shrink],
)
settings.register_profile(
    "ticonf-full",
    max_examples=150,
    stateful_step_count=30,
    deadline=None,
    database=None,
    derandomize=False,  # CI=true would otherwise inherit hypothesis' "ci" profile and ignore --seed
    suppress_health_check=_HEALTH,
    print_blob=False,
)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


@dataclass
class RunContext:
    target: Target
    profile: str
    seed: int
    run_id: str
    report_dir: Path
    workers: int
    embedded: bool
    started: float
    max_rps: float | None = None
    timeout: float = 30.0
    shard: str | None = None
    model_type: str = DEFAULT_MODEL_TYPE
    max_throttle: float = DEFAULT_MAX_THROTTLE
    label: str | None = None

    @classmethod
    def create(
        cls,
        *,
        target: Target,
        profile: str,
        seed: int | None,
        run_id: str | None,
        report_dir: str | None,
        workers: int,
        embedded: bool,
        max_rps: float | None = None,
        timeout: float = 30.0,
        shard: str | None = None,
        model_type: str = DEFAULT_MODEL_TYPE,
        max_throttle: float = DEFAULT_MAX_THROTTLE,
        label: str | None = None,
    ) -> RunContext:
        run_id = run_id or new_run_id()
        directory = Path(report_dir) if report_dir else Path("reports") / run_id
        return cls(
            target=target,
            profile=profile,
            seed=seed if seed is not None else random.randrange(2**32),
            run_id=run_id,
            report_dir=directory.resolve(),
            workers=workers,
            embedded=embedded,
            started=time.time(),
            max_rps=max_rps,
            timeout=timeout,
            shard=shard,
            model_type=model_type,
            max_throttle=max_throttle,
            label=label,
        )

    def to_wire(self) -> dict[str, Any]:
        wire = asdict(self)
        wire["target"] = {**asdict(self.target)}
        wire["report_dir"] = str(self.report_dir)
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> RunContext:
        fields = dict(wire)
        fields["target"] = Target(**wire["target"])
        fields["report_dir"] = Path(wire["report_dir"])
        return cls(**fields)

    @property
    def raw_dir(self) -> Path:
        return self.report_dir / RAW_DIR

    @property
    def process_name(self) -> str:
        return os.environ.get("PYTEST_XDIST_WORKER", "main")

    @property
    def ledger(self) -> Ledger:
        return _ledger(self.raw_dir / f"resources-{self.process_name}.ndjson")

    @property
    def politeness(self) -> Politeness:
        """This process's manners, paced with every other process of the run through one
        file in the run's directory (`--max-rps` is for all workers together)."""
        global _POLITENESS
        if _POLITENESS is None:
            _POLITENESS = Politeness(
                max_rps=self.max_rps, max_throttle=self.max_throttle, shared=self.pace_path
            )
        return _POLITENESS

    @property
    def pace_path(self) -> Path:
        return self.raw_dir / PACE_FILE

    def metadata(self) -> dict[str, Any]:
        """The run's description in reports and in its manifest; never the credentials."""
        return {
            "run_id": self.run_id,
            "target": self.target.base_url,
            "embedded_reference": self.embedded,
            "profile": self.profile,
            "seed": self.seed,
            "workers": self.workers,
            "started": self.started,
            "shard": self.shard,
            "label": self.label or default_label(self.target.base_url, self.embedded),
        }

    def write_manifest(self) -> None:
        """What `ticonf cleanup` and a stopped `ticonf run` need to find the run again."""
        self.report_dir.mkdir(parents=True, exist_ok=True)
        (self.report_dir / MANIFEST).write_text(json.dumps(self.metadata(), indent=2) + "\n")

    def write_record(self, record: dict[str, Any]) -> None:
        path = self.raw_dir / f"records-{self.process_name}.ndjson"
        path.parent.mkdir(parents=True, exist_ok=True)
        with _WRITE_LOCK, path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


_WRITE_LOCK = threading.Lock()
_LEDGERS: dict[Path, Ledger] = {}
_CURRENT: RunContext | None = None
_POLITENESS: Politeness | None = None
EMBEDDED_SERVER: Any = None
CURRENT_RECORDER: Recorder | None = None


def _ledger(path: Path) -> Ledger:
    if path not in _LEDGERS:
        _LEDGERS[path] = Ledger(path)
    return _LEDGERS[path]


def activate(context: RunContext) -> None:
    """Make `context` the run of this process and apply its profile and seed."""
    global _CURRENT
    _CURRENT = context
    settings.load_profile(f"ticonf-{context.profile}")
    from hypothesis import core

    core.global_force_seed = context.seed  # type: ignore[assignment]


def current() -> RunContext:
    if _CURRENT is None:
        raise RuntimeError("no ticonf run is active: run the suites through pytest or ticonf run")
    return _CURRENT


def start_embedded_server(
    latency_ms: float = 0.0, rate_limit: float | None = None, variants: str | None = None
) -> Any:
    """The embedded reference server, with the remote conditions asked for (none by default)
    and the legal variants named (NAME[,NAME...] or all; reference/variants.py)."""
    from ticonf.reference.server import start_server
    from ticonf.reference.variants import parse_variants

    chosen = parse_variants(variants)
    return start_server(latency_ms=latency_ms, rate_limit=rate_limit, variants=chosen)


def stop_embedded_server() -> None:
    global EMBEDDED_SERVER
    if EMBEDDED_SERVER is not None:
        EMBEDDED_SERVER.stop()
        EMBEDDED_SERVER = None
