"""Removing what a run left behind, from the ledger it wrote as it created resources.

Tests delete their own models when they end. What survives an interrupted or killed run is
found in the ledgers under the run's report directory and deleted here, and only that: the
suite never lists, reads or deletes anything it did not create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ticonf.client import ApiClient
from ticonf.context import RAW_DIR
from ticonf.provisioning import Ledger, live_resources
from ticonf.settings import ConfigError, Target

MANIFEST = "run.json"


@dataclass
class CleanupResult:
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped_assets: int = 0


def ledger_paths(report_dir: Path) -> list[Path]:
    return sorted((report_dir / RAW_DIR).glob("resources-*.ndjson"))


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
    """Delete every model the run's ledgers show as created and not deleted."""
    result = CleanupResult()
    ledger = Ledger(report_dir / RAW_DIR / "resources-cleanup.ndjson")
    api = ApiClient(target, timeout=15.0)
    try:
        for kind, resource_id in list(live_resources(ledger_paths(report_dir))):
            if kind != "model":
                result.skipped_assets += 1
                continue
            _delete_model(api, ledger, resource_id, result)
    finally:
        api.close()
    return result


def _delete_model(api: ApiClient, ledger: Ledger, model_id: str, result: CleanupResult) -> None:
    try:
        status = api.delete_model(model_id).status_code
    except httpx.TransportError:
        result.failed.append(model_id)
        return
    if status in (200, 204, 404):
        ledger.write("deleted", "model", model_id)
        result.deleted.append(model_id)
    else:
        result.failed.append(model_id)
