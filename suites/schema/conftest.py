"""Fixtures of the property-based suites: the real resources generated requests point at."""

from __future__ import annotations

import pytest

from ticonf.client.provisioning import Provisioner
from ticonf.schema.workspace import Workspace


@pytest.fixture
def workspace(provision: Provisioner) -> Workspace:
    """Scratch models, images and assets for one test item, deleted when it ends."""
    return Workspace(provision)
