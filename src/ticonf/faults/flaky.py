"""An intermittent fault: the wrong answer comes only now and then.

Real deployments fail intermittently (a worker that crashes under some interleaving, a cache
node that is down), and a report must say so rather than present such a failure as a
deterministic one. This fault is the catalog's proof: the suite catches it, and the report's
replay (report/replay.py) finds it does not reproduce every time, so it is marked `flaky`.
It is deterministic underneath (every third Delete), so the project's tests are repeatable.
"""

from __future__ import annotations

import itertools
from typing import Any

from ticonf.faults import fault
from ticonf.faults.support import crash
from ticonf.reference.service import ReferenceService

EVERY = 3


@fault(
    "delete-flaky-500",
    "One Delete in three crashes: 500, and the image stays (an intermittent failure)",
    "HTTP-001",
)
class DeleteFlaky500(ReferenceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deletes = itertools.count(1)

    def delete_image(self, model_id: str, image_id: str) -> dict[str, Any]:
        with self.lock:
            number = next(self.deletes)
        if number % EVERY == 0:
            raise crash("worker lost its connection")
        return super().delete_image(model_id, image_id)
