"""A pytest plugin for targeted sweeps: keep only the tests that check given requirements.

`ticonf faults --sweep --selection targeted` loads it with `-p ticonf.faults.selection` and
names the requirements in TICONF_SWEEP_REQUIREMENTS (comma-separated). A test is kept when
its `req` marker names one of them, so the run proves exactly that those tests can fail.
It runs in the controller and in every xdist worker, which all make the same choice.
"""

from __future__ import annotations

import os

import pytest

ENV_REQUIREMENTS = "TICONF_SWEEP_REQUIREMENTS"


def wanted() -> set[str]:
    return {r for r in os.environ.get(ENV_REQUIREMENTS, "").split(",") if r}


def checks_any(item: pytest.Item, requirements: set[str]) -> bool:
    return any(set(marker.args) & requirements for marker in item.iter_markers("req"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    requirements = wanted()
    if not requirements:
        return
    kept = [item for item in items if checks_any(item, requirements)]
    dropped = [item for item in items if not checks_any(item, requirements)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
