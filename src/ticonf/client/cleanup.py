"""Removing what a run left behind, from the ledgers it wrote as it created resources.

Tests delete their own models when they end. What survives an interrupted or killed run is
found in the ledgers under the run's report directory and deleted here, and only that: the
suite never lists, reads or deletes anything it did not create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ticonf.client.api import ApiClient
from ticonf.client.config import Target
from ticonf.client.provisioning import Ledger, live_resources, remove_all
from ticonf.core.errors import ConfigError
from ticonf.core.locations import MANIFEST, RAW_DIR, RESOURCES, raw_file, raw_glob


@dataclass
class CleanupResult:
    deleted: int = 0
    failed: list[str] = field(default_factory=list)


def ledger_paths(report_dir: Path) -> list[Path]:
    return sorted((report_dir / RAW_DIR).glob(raw_glob(RESOURCES)))


def read_manifest(report_dir: Path) -> dict:
    """The run's manifest (run ID, target URL, embedded or not); never holds credentials."""
    path = report_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no run record at {path}: check the run ID or --report-dir") from None
    except ValueError:
        raise ConfigError(f"the run record {path} is damaged (not JSON)") from None


def remove_leftovers(target: Target, report_dir: Path) -> CleanupResult:
    """Delete every model and asset the run's ledgers show as created and not deleted."""
    live = list(live_resources(ledger_paths(report_dir)))
    ledger = Ledger(report_dir / RAW_DIR / raw_file(RESOURCES, "cleanup"))
    result = CleanupResult()
    api = ApiClient(target, timeout=15.0)
    try:
        for kind in ("model", "asset"):
            ids = [resource_id for k, resource_id in live if k == kind]
            failed = remove_all(api, ledger, kind, list(ids))
            result.deleted += len(ids) - len(failed)
            result.failed += failed
    finally:
        api.close()
    return result
