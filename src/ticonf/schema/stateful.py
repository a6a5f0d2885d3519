"""The stateful run: sequences over the OpenAPI links, with the model checked after each step.

Schemathesis chains Add -> Replace -> Delete through the links of the spec; a rule of ours sets
pairs between the images the sequence has added, since Replace Pairs has no link. Each
scenario starts on a fresh scratch model. After every step the model is read back through
GET /models/{modelId}: its trainingImagesNumber and trainingImagePairs must be what the steps
so far imply, and Replace and Delete of an image deleted earlier must be refused (a 4xx).

Generation is positive only: negative steps in a stateful run produced false "schema-violating
request accepted" reports against a correct server, and negative data has a test of its own.
Where the documentation leaves the outcome open (the ID a Replace returns, the pairs of a
deleted image), every reasonable answer is accepted and the expectation follows the server.
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

from ticonf.client.api import ApiClient
from ticonf.client.exchanges import Exchange
from ticonf.client.provisioning import ProvisioningError
from ticonf.core.catalog import check
from ticonf.core.vocabulary import Status
from ticonf.schema.outcomes import classify
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
Pairs = list[tuple[Any, Any, str]]
# The requirement a wrong trainingImagesNumber breaks, by the operation of the step.
COUNT_REQUIREMENT = {ADD: "ADD-003", REPLACE: "REPLACE-002", DELETE: "DELETE-002"}
# The requirement an ID breaks when it does not address its image, by where it came from.
ADDRESSED_BY = {ADD: "ADD-014", REPLACE: "REPLACE-005"}
PAIRS_KEPT = "pairs of a deleted or re-identified image are kept"
REPLACE_KEEPS_ID = "Replace keeps the image ID"
EVIDENCE = 5


@dataclass
class WorkflowRun:
    """What the scenarios of one test share: its resources, client and observations, and the
    first conformance failure with the exchanges that led to it."""

    workspace: Workspace
    api: ApiClient
    observe: Observe
    failure: BaseException | None = None
    evidence: list[Exchange] = field(default_factory=list)
    noted: set[tuple[str, Any]] = field(default_factory=set)

    def note(self, topic: str, value: Any) -> None:
        """Observe a behaviour the documentation leaves open, once per distinct answer."""
        if (topic, value) not in self.noted:
            self.noted.add((topic, value))
            self.observe(topic, value)

    def note_failure(self, error: BaseException) -> None:
        if self.failure is None and classify(error).outcome == Status.FAILED:
            self.failure = error
            self.evidence = self.api.recorder.last(EVIDENCE)

    def restore_evidence(self) -> None:
        """Put the failing step's exchanges back on top of the ones a later replay added."""
        self.api.recorder.exchanges.extend(self.evidence)

    def model(self, model_id: str) -> dict[str, Any]:
        response = self.api.get_model(model_id)
        try:
            model = response.json()["model"]
        except (ValueError, KeyError, TypeError):
            model = None
        if response.status_code != 200 or not isinstance(model, dict):
            raise ProvisioningError(f"GET /models/{model_id} gave {response.status_code}")
        return model


def in_order(pairs: Any) -> Pairs:
    """Pairs as comparable triples; a missing instruction reads as an empty one."""
    if not isinstance(pairs, list):
        return [("<not a list>", repr(pairs), "")]
    triples = []
    for pair in pairs:
        pair = pair if isinstance(pair, dict) else {}
        triples.append((pair.get("sourceId"), pair.get("targetId"), pair.get("instruction") or ""))
    return triples


def normalized(pairs: Any) -> Pairs:
    """The triples of `pairs` in a fixed order: how a model stores them is not documented."""
    return sorted(in_order(pairs), key=repr)


@dataclass
class ModelState:
    """What the scratch model must look like after the steps so far."""

    count: int = 0
    # Live image IDs, each with the operation whose response gave it (ADD or REPLACE).
    live: dict[str, tuple[str, str]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    # Replaced under a new ID: what the old ID answers afterwards is not documented.
    retired: set[str] = field(default_factory=set)
    pairs: Pairs = field(default_factory=list)
    # The last step's effect on the count is not documented (e.g. Delete through a retired ID).
    count_open: bool = False

    def expect_status(self, case: Any, response: Any) -> None:
        """Replace and Delete must answer according to what is known about the image."""
        key = operation_key(case)
        if key not in (REPLACE, DELETE):
            return
        image_id = str(case.path_parameters.get("trainingImageId"))
        status = response.status_code
        what = f"{'Replace' if key == REPLACE else 'Delete'} of the image {image_id}"
        if image_id in self.gone:
            check(400 <= status < 500, "DELETE-002", f"{what}, deleted earlier, gave {status}")
        elif image_id in self.live:
            origin = ADDRESSED_BY[self.live[image_id]]
            check(status != 404, origin, f"{what}, an ID the API returned, gave 404")
            requirement = "REPLACE-001" if key == REPLACE else "DELETE-001"
            check(200 <= status < 300, requirement, f"{what}, a live image, gave {status}")
        elif image_id not in self.retired:
            requirement = "REPLACE-003" if key == REPLACE else "DELETE-003"
            check(status >= 400, requirement, f"{what}, which never existed, gave {status}")

    def follow(self, case: Any, response: Any) -> str | None:
        """Apply a successful step to the expectations; the ID a Replace retired, if any."""
        self.count_open = False
        if not 200 <= response.status_code < 300:
            return None
        key = operation_key(case)
        body = _json(response)
        if key == ADD:
            self.count += images_added(case.body)
            self.live[str(_image_id(body))] = ADD
        elif key == DELETE:
            self._deleted(str(case.path_parameters["trainingImageId"]))
        elif key == REPLACE:
            return self._replaced(str(case.path_parameters["trainingImageId"]), body)
        elif key == PAIRS:
            self._paired(case.body, body)
        return None

    def _paired(self, sent: Any, body: Any) -> None:
        answered = body.get("pairs") if isinstance(body, dict) else None
        check(
            normalized(answered) == normalized(sent),
            "PAIRS-001",
            f"Replace Pairs answered the pairs {answered!r} for the pairs sent {sent!r}",
        )
        self.pairs = normalized(sent)

    def _deleted(self, image_id: str) -> None:
        if image_id in self.live:
            self.count -= 1
            del self.live[image_id]
        else:
            self.count_open = image_id in self.retired
        self.gone.add(image_id)

    def _replaced(self, old: str, body: Any) -> str | None:
        new = _image_id(body)
        if new is None or str(new) == old or old not in self.live:
            return None
        del self.live[old]
        self.live[str(new)] = REPLACE
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


def _deleted_image(case: Any, response: Any) -> str | None:
    """The image a successful Delete removed, or a successful Replace replaced (also in place:
    whether the pairs of a replaced image survive is not documented either)."""
    if operation_key(case) in (DELETE, REPLACE) and 200 <= response.status_code < 300:
        return str(case.path_parameters["trainingImageId"])
    return None


def _step_name(case: Any, response: Any) -> str:
    return f"after {case.method} {case.formatted_path} ({response.status_code})"


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

        def step(self, input: StepInput) -> Any:
            try:
                return super().step(input)
            except BaseException as error:
                self.shared.note_failure(error)
                raise

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
            if operation_key(case) == REPLACE and 200 <= response.status_code < 300:
                self.shared.note(REPLACE_KEEPS_ID, retired is None)
            model = self.shared.model(self.model_id)
            self.verify_count(case, response, model)
            self.verify_pairs(case, response, model, before, retired)

        def verify_count(self, case: Any, response: Any, model: dict[str, Any]) -> None:
            shown = model.get("trainingImagesNumber")
            key = operation_key(case)
            if key in COUNT_REQUIREMENT and not self.state.count_open:
                check(
                    shown == self.state.count,
                    COUNT_REQUIREMENT[key],
                    f"{_step_name(case, response)} trainingImagesNumber is {shown}, "
                    f"expected {self.state.count}",
                )
            elif isinstance(shown, int):
                self.state.count = shown

        def verify_pairs(
            self, case: Any, response: Any, model: dict[str, Any], before: Pairs, retired: Any
        ) -> None:
            stored = normalized(model.get("trainingImagePairs", []))
            changed = retired or _deleted_image(case, response)
            options = [self.state.pairs]
            if changed is not None and any(changed in pair[:2] for pair in before):
                new = _image_id(_json(response)) if retired else None
                options = allowed_pairs(before, changed, str(new) if new else None)
                self.shared.note(PAIRS_KEPT, stored == before)
            check(
                stored in options,
                "PAIRS-003",
                f"{_step_name(case, response)} the stored pairs are {stored}, "
                f"expected {options[0]}",
            )
            self.state.pairs = stored

        @rule(data=st.data())
        def replace_pairs(self, data: st.DataObject) -> None:
            """Pairs between live images (two are added first if need be), between the steps
            that follow the links."""
            while len(self.state.live) < 2:
                self.add_directly()
            case = data.draw(self.pairs_cases)
            case.body = pairs_body(case.body, sorted(self.state.live))
            self.step(StepInput.initial(case))

        def add_directly(self) -> None:
            """One more image through the suite's client; the next step's check covers it."""
            provision = self.shared.workspace.provision
            image = provision.image(self.model_id, seed=len(self.state.live))
            self.state.count += 1
            self.state.live[str(image["id"])] = ADD

    return Workflow


def run_workflows(
    workflow: type[APIStateMachine], run: WorkflowRun, seed: int, settings: hypothesis.settings
) -> float:
    """Run the scenarios of one shard; the seconds they took.

    Schemathesis chooses between a link's value and a fresh one with true randomness, so
    hypothesis' replay of a failing scenario may take another path and call the run flaky.
    The failure did happen: it is reported, with the exchanges that led to it.
    """
    shard: type[APIStateMachine] = type(f"{workflow.__name__}Shard", (workflow,), {"shared": run})
    hypothesis.seed(seed)(shard)
    started = time.perf_counter()
    try:
        shard.run(settings=settings)
    except hypothesis.errors.Flaky as error:
        if run.failure is None or isinstance(error, BaseExceptionGroup):
            raise
        run.restore_evidence()
        raise run.failure from error
    return time.perf_counter() - started
