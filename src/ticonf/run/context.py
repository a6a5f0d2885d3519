"""The description of one conformance run, the same in the controller and every xdist worker.

A run has one target, one profile, one seed, one ID and one report directory. The controller
creates the context; workers receive it over xdist's `workerinput` (never through a file, as
it carries the credentials). What a process holds for the run besides (its pace, its ledger,
the embedded server) is its RunState (state.py).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ticonf.client.api import DEFAULT_TIMEOUT
from ticonf.client.config import Target
from ticonf.client.politeness import DEFAULT_MAX_THROTTLE
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE
from ticonf.client.targets_file import default_label
from ticonf.core.locations import MANIFEST, PACE_FILE, RAW_DIR


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def new_seed() -> int:
    """The seed of a run given none; every report states it, so that it can be repeated."""
    return random.randrange(2**32)


def report_dir_for(report_dir: str | Path | None, run_id: str) -> Path:
    """`--report-dir` as an absolute path, by default reports/<run-id> here."""
    return Path(report_dir or Path("reports") / run_id).resolve()


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
    timeout: float = DEFAULT_TIMEOUT
    shard: str | None = None
    model_type: str = DEFAULT_MODEL_TYPE
    max_throttle: float = DEFAULT_MAX_THROTTLE
    label: str | None = None

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
