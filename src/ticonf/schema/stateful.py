"""The stateful run: sequences over the OpenAPI links, with the model checked after each step.

Schemathesis chains Add -> Replace -> Delete through the links of the spec; a rule of ours sets
pairs between the images the sequence has added, since Replace Pairs has no link. Each
scenario starts on a fresh scratch model. After every step the model is read back through
GET /models/{modelId}: its trainingImagesNumber and trainingImagePairs must be what the steps
so far imply, and an image deleted earlier must answer 404 to Replace and Delete.

Generation is positive only: negative steps in a stateful run produced false "schema-violating
request accepted" reports against a correct server, and negative data has a test of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import rule
from schemathesis.generation.stateful.state_machine import APIStateMachine, StepInput

from ticonf.catalog import check
from ticonf.client import ApiClient
from ticonf.provisioning import ProvisioningError
from ticonf.schema.workspace import (
    ADD,
    DELETE,
    PAIRS,
    REPLACE,
    Workspace,
    image_body,
    images_added,
    operation_key,
    pairs_body,
)

Observe = Callable[[str, Any], None]
Pairs = list[tuple[str, str, str]]
# The requirement a wrong trainingImagesNumber breaks, by the operation of the step.
COUNT_REQUIREMENT = {ADD: "ADD-003", REPLACE: "REPLACE-002", DELETE: "DELETE-002"}


@dataclass
class WorkflowRun:
    """What the scenarios of one test share: its resources, client and observations."""

    workspace: Workspace
    api: ApiClient
    observe: Observe

    def model(self, model_id: str) -> dict[str, Any]:
        response = self.api.get_model(model_id)
        try:
            model = response.json()["model"]
        except (ValueError, KeyError, TypeError):
            model = None
        if response.status_code != 200 or not isinstance(model, dict):
            raise ProvisioningError(f"GET /models/{model_id} gave {response.status_code}")
        return model


def normalized(pairs: Any) -> Pairs:
    """Pairs as comparable triples; a missing instruction reads as an empty one."""
    if not isinstance(pairs, list):
        return [("<not a list>", repr(pairs), "")]
    triples = []
    for pair in pairs:
        pair = pair if isinstance(pair, dict) else {}
        triples.append((pair.get("sourceId"), pair.get("targetId"), pair.get("instruction") or ""))
    return sorted(triples, key=repr)


@dataclass
class ModelState:
    """What the scratch model must look like after the steps so far."""

    count: int = 0
    live: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    # Replaced under a new ID: what the old ID answers afterwards is not documented.
    retired: set[str] = field(default_factory=set)
    pairs: Pairs = field(default_factory=list)

    def expect_status(self, case: Any, response: Any) -> None:
        """Replace and Delete must answer according to what is known about the image."""
        key = operation_key(case)
        if key not in (REPLACE, DELETE):
            return
        image_id = str(case.path_parameters.get("trainingImageId"))
        status = response.status_code
        name = "Replace" if key == REPLACE else "Delete"
        if image_id in self.gone:
            check(status == 404, "DELETE-002", f"{name} of the deleted image gave {status}")
        elif image_id in self.live:
            requirement = "REPLACE-001" if key == REPLACE else "DELETE-001"
            check(200 <= status < 300, requirement, f"{name} of a live image gave {status}")
        elif image_id not in self.retired:
            requirement = "REPLACE-003" if key == REPLACE else "DELETE-003"
            check(status >= 400, requirement, f"{name} of an unknown image gave {status}")

    def follow(self, case: Any, response: Any) -> str | None:
        """Apply a step to the expectations; the ID a Replace retired, if any."""
        key = operation_key(case)
        if not 200 <= response.status_code < 300:
            return None
        body = _json(response)
        if key == ADD:
            self.count += images_added(case.body)
            self.live.add(str(_image_id(body)))
        elif key == DELETE:
            image_id = str(case.path_parameters["trainingImageId"])
            if image_id in self.live:
                self.count -= 1
            self.live.discard(image_id)
            self.gone.add(image_id)
        elif key == REPLACE:
            return self._replaced(str(case.path_parameters["trainingImageId"]), body)
        elif key == PAIRS and isinstance(body, dict):
            self.pairs = normalized(body.get("pairs"))
        return None

    def _replaced(self, old: str, body: Any) -> str | None:
        new = _image_id(body)
        if new is None or str(new) == old or old not in self.live:
            return None
        self.live.discard(old)
        self.live.add(str(new))
        self.retired.add(old)
        return old


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _image_id(body: Any) -> Any:
    image = body.get("trainingImage") if isinstance(body, dict) else None
    return image.get("id") if isinstance(image, dict) else None


def allowed_pairs(before: Pairs, changed: str, new: str | None) -> list[Pairs]:
    """Pairs the model may show after the image `changed` was deleted or replaced by `new`.

    What happens to the pairs of such an image is not documented: they may stay, go, or (after
    a Replace under a new ID) follow the new ID.
    """
    dropped = [p for p in before if changed not in p[:2]]
    options = [before, dropped]
    if new is not None:
        swap = [(new if s == changed else s, new if t == changed else t, i) for s, t, i in before]
        options.append(sorted(swap, key=repr))
    return options


def build_workflow(schema: Any) -> type[APIStateMachine]:
    """The state machine of `schema`, with ticonf's completion, model checks and pairs rule."""
    pairs_operation = schema["/models/{modelId}/training-images/pairs"]["PUT"]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        shared: ClassVar[WorkflowRun]
        pairs_cases: ClassVar[Any] = pairs_operation.as_strategy()

        def setup(self) -> None:
            super().setup()
            self.model_id = self.shared.workspace.provision.model()
            self.state = ModelState()

        def before_call(self, case: Any) -> None:
            super().before_call(case)
            case.path_parameters = {**(case.path_parameters or {}), "modelId": self.model_id}
            key = operation_key(case)
            if key in (ADD, REPLACE):
                case.body = image_body(case.body, self.shared.workspace, batch=key == ADD)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            self.state.expect_status(case, response)
            before = list(self.state.pairs)
            retired = self.state.follow(case, response)
            self.verify_model(case, response, before, retired)

        def verify_model(self, case: Any, response: Any, before: Pairs, retired: str | None):
            model = self.shared.model(self.model_id)
            key = operation_key(case)
            shown = model.get("trainingImagesNumber")
            if key in COUNT_REQUIREMENT:
                check(
                    shown == self.state.count,
                    COUNT_REQUIREMENT[key],
                    f"after {case.method} {case.formatted_path} ({response.status_code}) "
                    f"trainingImagesNumber is {shown}, expected {self.state.count}",
                )
            else:
                self.state.count = shown if isinstance(shown, int) else self.state.count
            self.verify_pairs(case, response, model, before, retired)

        def verify_pairs(self, case, response, model, before, retired) -> None:
            stored = normalized(model.get("trainingImagePairs", []))
            changed = retired or _deleted_image(case, response)
            options = [self.state.pairs]
            if changed is not None and any(changed in p[:2] for p in before):
                new = _image_id(_json(response)) if retired else None
                options = allowed_pairs(before, changed, str(new) if new else None)
                self.shared.observe("pairs of a deleted or re-identified image", stored == before)
            check(
                stored in options,
                "PAIRS-003",
                f"after {case.method} {case.formatted_path} the stored pairs are {stored}, "
                f"expected {options[0]}",
            )
            self.state.pairs = stored

        @rule(data=st.data())
        def replace_pairs(self, data: st.DataObject) -> None:
            """Pairs between live images (two are added first if need be), between the steps
            that follow the links."""
            while len(self.state.live) < 2:
                image = self.shared.workspace.provision.image(
                    self.model_id, seed=len(self.state.live)
                )
                self.state.count += 1
                self.state.live.add(str(image["id"]))
            case = data.draw(self.pairs_cases)
            case.body = pairs_body(case.body, sorted(self.state.live))
            self.step(StepInput.initial(case))

        def add_directly(self) -> None:
            """One more image through the suite's client; the next step's check covers it."""
            provision = self.shared.workspace.provision
            image = provision.image(self.model_id, seed=len(self.state.live))
            self.state.count += 1
            self.state.live.add(str(image["id"]))

    return Workflow


def _deleted_image(case: Any, response: Any) -> str | None:
    if operation_key(case) == DELETE and 200 <= response.status_code < 300:
        return str(case.path_parameters["trainingImageId"])
    return None


def run_workflows(
    workflow: type[APIStateMachine], run: WorkflowRun, seed: int, settings: hypothesis.settings
) -> float:
    """Run the scenarios of one shard; the seconds they took."""
    shard = type(f"{workflow.__name__}Shard", (workflow,), {"shared": run})
    hypothesis.seed(seed)(shard)
    started = time.perf_counter()
    shard.run(settings=settings)
    return time.perf_counter() - started
