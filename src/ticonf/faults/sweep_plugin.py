"""The pytest plugin of sweep runs: no shrinking, and optionally only the targeted tests.

The sweep asks one question per fault: does the suite find it? Hypothesis finds a failing
example in its generate phase; shrinking then spends most of a failing run (tens of seconds
against a server) making that example smaller, which changes nothing about whether the
failure was found. Sweep runs therefore keep the active profile and drop the shrink phase.

With TICONF_SWEEP_REQUIREMENTS set (comma-separated IDs), a test is kept only when its `req`
marker names one of them: the run then proves exactly that those tests can fail.
The plugin runs in the controller and in every xdist worker, which all make the same choice.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import Phase, settings

ENV_REQUIREMENTS = "TICONF_SWEEP_REQUIREMENTS"
PROFILE = "ticonf-sweep"


def wanted() -> set[str]:
    return {r for r in os.environ.get(ENV_REQUIREMENTS, "").split(",") if r}


def checks_any(item: pytest.Item, requirements: set[str]) -> bool:
    return any(set(marker.args) & requirements for marker in item.iter_markers("req"))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """After ticonf has loaded its profile: the same profile without the shrink phase."""
    current = settings.get_current_profile_name()
    parent = settings.get_profile(current)
    phases = [phase for phase in parent.phases if phase is not Phase.shrink]
    settings.register_profile(PROFILE, parent=parent, phases=phases)
    settings.load_profile(PROFILE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    requirements = wanted()
    if not requirements:
        return
    kept = [item for item in items if checks_any(item, requirements)]
    dropped = [item for item in items if not checks_any(item, requirements)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
