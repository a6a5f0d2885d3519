"""A whole-state, model-based oracle: the target and the reference, step by step, in lockstep.

A hypothesis state machine drives the target and an in-process `ReferenceService` through
random sequences of Add (data, assetId, a batch of assetIds), Replace, Replace Pairs and Delete
on two scratch models, invalid steps included (more than 10 assetIds, a bad preset, unknown IDs,
pairs naming images that are not the model's). After every step it compares everything the API
shows: the step's status class and response, trainingImagesNumber, the images each model lists,
the stored pairs, and (for a Delete) that the image is gone. Images are addressed by probing:
a Replace Pairs over images proves they exist, a second Delete that they are gone.

What the documentation leaves open is mapped, not failed: the target's IDs (any format, a new
ID on Replace), which 4xx, extra fields, a batch's response shape (images it does not name stay
anonymous), which images trainingImages lists (any subset of the right ones), the name of an
image added from an asset (learned when first seen), and whether pairs of a deleted or replaced
image are kept (under the old or the new ID) or pruned. A failure names the requirements and
carries the whole sequence of steps; the full profile shrinks it to a minimal one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from ticonf.client.api import ApiClient
from ticonf.client.provisioning import Provisioner
from ticonf.client.samples import png_base64, png_data_url
from ticonf.core.catalog import RequirementFailure
from ticonf.reference.service import ApiError, ReferenceService
from ticonf.run import state as run_state

from .realistic import unordered
from .support import PAIR_FIELDS, TRAINING_IMAGE_FIELDS, Req, examples, json_body, show

MODELS = 2
ASSETS = 11
PICK = st.integers(0, 10**6)
NAMES = (
    "a.png",
    "holiday photo 1.jpg",
    "Café crème.png",
    "Cafe\u0301 cre\u0300me.png",
    "トレーニング画像.png",
    "שלום עולם.jpg",
    "👩\u200d💻 at work.png",
)
INSTRUCTIONS = ("brighter", "make it night", "ajoute un chapeau", "اجعلها ملونة", "✨ glow ✨")
INVALID_ADDS = {
    "11-asset-ids": "ADD-006",
    "bad-preset": "ADD-008",
    "not-an-image": "ADD-009",
    "unknown-asset": "ADD-011",
    "asset-ids-with-data": "ADD-007",
}
INVALID_PAIRS = ("unknown-id", "other-models-image", "deleted-image")
# The share of the profile's examples: 10 sequences of 8 steps (quick), 38 of 30 (full).
SHARE = {"quick": 0.5, "full": 0.25}


@dataclass
class Known:
    """One image of the reference and what the target calls it."""

    ref_id: str
    model: int
    target_id: str | None  # None: a batch image the target's response did not name
    name: str | None  # None: not known until the target shows it (images added from assets)


@dataclass
class Step:
    """What one step did, for the failure message and for naming requirements."""

    text: str
    model: int
    req: Req  # what the step's response must be
    state: Req = ()  # what the model's count and images must be afterwards (default: req)
    pairs: Req = "ISO-003"  # what its stored pairs must be afterwards
    touched: set[str] = field(default_factory=set)  # ref IDs this step acted on
    on_one_image: bool = False  # a Replace or Delete: fewer images means a side effect

    def state_reqs(self) -> tuple[str, ...]:
        return _reqs(self.state or self.req)


class Divergence(Exception):
    def __init__(self, reqs: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.reqs = reqs


def _reqs(req: Req, *more: str) -> tuple[str, ...]:
    ids = (req,) if isinstance(req, str) else tuple(req)
    return ids + tuple(r for r in more if r not in ids)


def diverge(condition: object, reqs: tuple[str, ...], message: str) -> None:
    if not condition:
        raise Divergence(reqs, message)


class TrainingImagesMachine(RuleBasedStateMachine):
    """Target and reference in lockstep; see the module docstring."""

    def __init__(self, api: ApiClient, provision: Provisioner, assets: list[str]) -> None:
        super().__init__()
        self.api = api
        self.ref = ReferenceService()
        self.target_models = [provision.model() for _ in range(MODELS)]
        self.ref_models = [
            self.ref.create_model({"name": "m"})["model"]["id"] for _ in range(MODELS)
        ]
        self.target_assets = assets
        self.ref_assets = [
            self.ref.create_asset({"name": f"asset-{i}.png", "image": png_base64(i)})["asset"]["id"]
            for i in range(len(assets))
        ]
        self.known: dict[str, Known] = {}
        self.history: dict[str, str] = {}  # every target ID ever given -> ref ID
        self.affected: list[set[str]] = [set() for _ in range(MODELS)]  # since the last pairs
        self.gone: list[str] = []  # ref IDs of deleted images
        self.steps: list[Step] = []
        self.deferred = False  # while initialising: compare once, at the end

    # -- plumbing -------------------------------------------------------------------------

    def ref_call(self, method: str, *args: Any) -> tuple[int, Any]:
        try:
            return 200, getattr(self.ref, method)(*args)
        except ApiError as error:
            return error.status, None

    def present(self, model: int | None = None) -> list[Known]:
        """Images of the reference that the target has an ID for, in reference order."""
        models = range(MODELS) if model is None else (model,)
        out = []
        for m in models:
            for ref_id in self.ref.models[self.ref_models[m]].images:
                known = self.known[ref_id]
                if known.target_id is not None:
                    out.append(known)
        return out

    def run(self, step: Step, send) -> None:
        """Send the step to both, compare the answers and then the whole state."""
        self.steps.append(step)
        try:
            send()
            if not self.deferred:
                self.compare_state(step)
        except Divergence as divergence:
            listing = "\n".join(f"  {n}. {s.text}" for n, s in enumerate(self.steps, 1))
            raise RequirementFailure(
                divergence.reqs,
                f"{divergence} (model-based oracle, after step {len(self.steps)}; steps:\n"
                f"{listing})",
            ) from None

    def answer(self, step: Step, response: httpx.Response, ref_status: int) -> Any:
        """Both accepted or both refused (any 4xx for any 4xx); the target's JSON body."""
        outcome = f"target {show(response)}, reference {ref_status}"
        step.text += f" -> {response.status_code}"
        diverge(response.status_code < 500, _reqs(step.req, "HTTP-001"), f"{step.text}: {outcome}")
        if ref_status == 200:
            diverge(response.status_code == 200, _reqs(step.req), f"{step.text}: {outcome}")
        else:
            diverge(
                400 <= response.status_code < 500,
                _reqs(step.req),
                f"{step.text}: expected a 4xx rejection, {outcome}",
            )
        return json_body(response)

    def new_image(self, step: Step, image: Any, ref_id: str, name: str | None) -> None:
        diverge(
            isinstance(image, dict)
            and all(isinstance(image.get(f), str) for f in TRAINING_IMAGE_FIELDS),
            _reqs(step.req),
            f"{step.text}: expected a trainingImage with the six fields as strings, got {image!r}",
        )
        if name is not None:
            diverge(
                image["name"] == name,
                _reqs(step.req),
                f"{step.text}: expected name {name!r}, got {image['name']!r}",
            )
        model = self.known[ref_id].model if ref_id in self.known else step.model
        self.known[ref_id] = Known(ref_id, model, image["id"], image["name"])
        self.history[image["id"]] = ref_id

    # -- the comparison after every step --------------------------------------------------

    def compare_state(self, step: Step) -> None:
        for model in range(MODELS):
            response = self.api.get_model(self.target_models[model])
            body = json_body(response)
            shown = body.get("model") if isinstance(body, dict) else None
            diverge(
                response.status_code == 200 and isinstance(shown, dict),
                ("ISO-002",),
                f"after {step.text}: GET of model {model} gave {show(response)}",
            )
            expected = self.ref.models[self.ref_models[model]]
            mine = model == step.model
            reqs = step.state_reqs() if mine else ("ISO-002",)
            self.compare_count(step, model, shown, len(expected.images), reqs)
            self.compare_listed(step, model, shown, _reqs(step.req) if mine else reqs)
            pairs_reqs = _reqs(step.pairs) if mine else reqs
            seen = shown.get("trainingImagePairs")
            self.compare_pairs(step, model, seen, expected.pairs, pairs_reqs)

    def compare_count(self, step: Step, model: int, shown: dict, expected: int, reqs) -> None:
        count = shown.get("trainingImagesNumber")
        fewer = isinstance(count, int | float) and not isinstance(count, bool) and count < expected
        diverge(
            count == expected and not isinstance(count, bool),
            _reqs(reqs, "ISO-003") if fewer and step.on_one_image and model == step.model else reqs,
            f"after {step.text}: model {model} shows trainingImagesNumber {count!r}, "
            f"expected {expected}",
        )

    def compare_listed(self, step: Step, model: int, shown: dict, reqs) -> None:
        """Every listed image is a present image of this model, with its name."""
        listed = shown.get("trainingImages")
        diverge(isinstance(listed, list), reqs, f"after {step.text}: trainingImages is {listed!r}")
        ids = [image.get("id") if isinstance(image, dict) else image for image in listed]
        diverge(
            len(set(map(str, ids))) == len(ids), reqs, f"after {step.text}: listed twice: {ids}"
        )
        anonymous = any(k.target_id is None for k in self.known.values() if k.model == model)
        images = self.ref.models[self.ref_models[model]].images
        for image in listed:
            target_id = image.get("id") if isinstance(image, dict) else None
            ref_id = self.history.get(target_id)
            if ref_id is None and anonymous:
                continue
            known = self.known.get(ref_id) if ref_id else None
            if model != step.model:
                side = reqs
            else:
                side = _reqs(reqs, "ISO-003") if ref_id in step.touched else ("ISO-003",)
            diverge(
                known is not None and ref_id in images and known.target_id == target_id,
                side,
                f"after {step.text}: model {model} lists image {target_id!r}, which is not one of "
                f"its images (known: {[k.target_id for k in self.present(model)]})",
            )
            if known.name is None:
                known.name = image.get("name")
            diverge(
                image.get("name") == known.name,
                side,
                f"after {step.text}: image {target_id} of model {model} is named "
                f"{image.get('name')!r}, expected {known.name!r}",
            )

    def compare_pairs(self, step: Step, model: int, seen: Any, expected: list[dict], reqs) -> None:
        """The stored pairs are the reference's, in any order, except that pairs naming an image
        deleted or replaced since the last Replace Pairs may be gone (pruned) or name its new ID."""
        diverge(isinstance(seen, list), reqs, f"after {step.text}: trainingImagePairs is {seen!r}")
        optional = self.affected[model]
        remaining = list(expected)
        for pair in seen:
            match = next((p for p in remaining if self.same_pair(p, pair)), None)
            if match is None:
                break
            remaining.remove(match)
        else:
            ends = ({p.get("sourceId"), p.get("targetId")} for p in remaining)
            if all(pair_ends & optional for pair_ends in ends):
                return
        diverge(
            False,
            reqs,
            f"after {step.text}: model {model} stores pairs {self.readable(seen)}, expected "
            f"{self.readable(expected, ref=True)} (pairs of images deleted or replaced since "
            f"may be pruned)",
        )

    def same_pair(self, ref_pair: dict, target_pair: Any) -> bool:
        if not isinstance(target_pair, dict):
            return False
        return (
            self.history.get(target_pair.get("sourceId")) == ref_pair.get("sourceId")
            and self.history.get(target_pair.get("targetId")) == ref_pair.get("targetId")
            and target_pair.get("instruction") == ref_pair.get("instruction")
        )

    def readable(self, pairs: Any, ref: bool = False) -> str:
        if not isinstance(pairs, list):
            return repr(pairs)

        def name(i: Any) -> Any:
            if ref:
                known = self.known.get(i)
                return known.target_id if known else i
            return i

        return repr(
            [
                {k: name(p.get(k)) if k != "instruction" else p.get(k) for k in PAIR_FIELDS}
                if isinstance(p, dict)
                else p
                for p in pairs
            ]
        )

    # -- rules ----------------------------------------------------------------------------

    @initialize()
    def start_with_images_and_pairs(self) -> None:
        """Three images on model 0, two on model 1, and one pair on model 0."""
        self.deferred = True
        for model, count in ((0, 3), (1, 2)):
            for index in range(count):
                self.add_data(model, NAMES[index], index)
        first, second = self.present(0)[:2]
        self.replace_pairs(0, [(first, second, INSTRUCTIONS[0])])
        self.deferred = False
        first_steps = Step("(the state after these first steps)", 0, ("ADD-003", "PAIRS-003"))
        self.run(first_steps, lambda: None)

    @rule(model=st.integers(0, MODELS - 1), name=st.sampled_from(NAMES), seed=st.integers(0, 9))
    def add_data(self, model: int, name: str, seed: int) -> None:
        body = {"data": png_data_url(seed), "name": name}
        step = Step(f"Add to model {model} of data named {name!r}", model, "ADD-001", "ADD-003")
        self.run(step, lambda: self.send_add(step, body, body, names=(name,)))

    @rule(model=st.integers(0, MODELS - 1), asset=st.integers(0, ASSETS - 2))
    def add_asset(self, model: int, asset: int) -> None:
        step = Step(f"Add to model {model} of asset #{asset}", model, "ADD-004", "ADD-003")
        self.run(
            step,
            lambda: self.send_add(
                step,
                {"assetId": self.target_assets[asset]},
                {"assetId": self.ref_assets[asset]},
                names=(None,),
            ),
        )

    @rule(model=st.integers(0, MODELS - 1), size=st.integers(1, 10), start=st.integers(0, 9))
    def add_batch(self, model: int, size: int, start: int) -> None:
        chosen = [(start + i) % (ASSETS - 1) for i in range(size)]
        step = Step(
            f"Add to model {model} of {size} assetIds {chosen}", model, "ADD-005", "ADD-003"
        )
        self.run(
            step,
            lambda: self.send_add(
                step,
                {"assetIds": [self.target_assets[i] for i in chosen]},
                {"assetIds": [self.ref_assets[i] for i in chosen]},
                names=(None,) * size,
            ),
        )

    def send_add(self, step: Step, target_body: dict, ref_body: dict, names: tuple) -> None:
        model = step.model
        before = set(self.ref.models[self.ref_models[model]].images)
        ref_status, _ = self.ref_call("add_images", self.ref_models[model], ref_body)
        response = self.api.add(self.target_models[model], target_body)
        body = self.answer(step, response, ref_status)
        if ref_status != 200:
            return
        added = [i for i in self.ref.models[self.ref_models[model]].images if i not in before]
        step.touched.update(added)
        for ref_id in added:
            self.known[ref_id] = Known(ref_id, model, None, None)
        if len(added) == 1:
            image = body.get("trainingImage") if isinstance(body, dict) else None
            self.new_image(step, image, added[0], names[0])
        else:
            self.adopt_batch(body, added)

    def adopt_batch(self, body: Any, added: list[str]) -> None:
        """Map the batch's images when the response lists exactly them (any key), in order.

        Their names are learned from the target, so the images of one batch are
        interchangeable to the oracle: mapping them in the listed order cannot mislead it.
        Images of a batch the response does not list stay anonymous (counted, not addressed).
        """
        for value in body.values() if isinstance(body, dict) else ():
            if self.adopt_list(value, added):
                return

    def adopt_list(self, value: Any, added: list[str]) -> bool:
        if not isinstance(value, list) or len(value) != len(added):
            return False
        ids = [image.get("id") if isinstance(image, dict) else None for image in value]
        if not all(isinstance(i, str) and i not in self.history for i in ids):
            return False
        if len(set(ids)) != len(ids):
            return False
        for ref_id, image in zip(added, value, strict=True):
            self.known[ref_id].target_id = image["id"]
            self.known[ref_id].name = image.get("name")
            self.history[image["id"]] = ref_id
        return True

    @rule(model=st.integers(0, MODELS - 1), kind=st.sampled_from(sorted(INVALID_ADDS)))
    def add_invalid(self, model: int, kind: str) -> None:
        req = INVALID_ADDS[kind]
        step = Step(f"Add to model {model}, invalid: {kind}", model, req, pairs=req)
        bodies = {
            "11-asset-ids": lambda assets: {"assetIds": assets[:11]},
            "bad-preset": lambda assets: {
                "data": png_data_url(1),
                "name": "x.png",
                "preset": "portrait",
            },
            "not-an-image": lambda assets: {
                "data": "data:image/png;base64,aGVsbG8=",
                "name": "x.png",
            },
            "unknown-asset": lambda assets: {"assetId": f"asset_missing{secrets.token_hex(6)}"},
            "asset-ids-with-data": lambda assets: {"assetIds": assets[:1], "data": png_data_url(2)},
        }
        make = bodies[kind]
        self.run(
            step, lambda: self.send_add(step, make(self.target_assets), make(self.ref_assets), ())
        )

    @rule(pick=PICK, name=st.sampled_from(NAMES), seed=st.integers(0, 9))
    def replace(self, pick: int, name: str, seed: int) -> None:
        images = self.present()
        if not images:
            return
        known = images[pick % len(images)]
        step = Step(
            f"Replace of image {known.target_id} (model {known.model}) with data named {name!r}",
            known.model,
            "REPLACE-001",
            "REPLACE-002",
            touched={known.ref_id},
            on_one_image=True,
        )
        body = {"data": png_data_url(seed), "name": name}

        def send() -> None:
            ref_status, _ = self.ref_call(
                "replace_image", self.ref_models[known.model], known.ref_id, body
            )
            response = self.api.replace(self.target_models[known.model], known.target_id, body)
            answer = self.answer(step, response, ref_status)
            if ref_status != 200:
                return
            image = answer.get("trainingImage") if isinstance(answer, dict) else None
            self.new_image(step, image, known.ref_id, name)
            self.affected[known.model].add(known.ref_id)

        self.run(step, send)

    @rule(pick=PICK, kind=st.sampled_from(["unknown-image", "bad-preset"]))
    def replace_invalid(self, pick: int, kind: str) -> None:
        images = self.present()
        if kind == "bad-preset" and images:
            known = images[pick % len(images)]
            model, ref_id, target_id = known.model, known.ref_id, known.target_id
            req, body = "REPLACE-004", {"data": png_data_url(3), "name": "y.png", "preset": "Style"}
        else:
            model, req = pick % MODELS, "REPLACE-003"
            ref_id = target_id = f"missing{secrets.token_hex(6)}"
            body = {"data": png_data_url(3), "name": "y.png"}
        step = Step(
            f"Replace of {target_id} (model {model}), invalid: {kind}", model, req, pairs=req
        )

        def send() -> None:
            ref_status, _ = self.ref_call("replace_image", self.ref_models[model], ref_id, body)
            self.answer(
                step, self.api.replace(self.target_models[model], target_id, body), ref_status
            )

        self.run(step, send)

    @rule(
        model=st.integers(0, MODELS - 1),
        plan=st.lists(st.tuples(PICK, PICK, st.sampled_from(INSTRUCTIONS)), max_size=6),
    )
    def replace_pairs_rule(self, model: int, plan: list) -> None:
        images = self.present(model)
        couples, pairs = set(), []
        for s, t, text in plan:
            if len(images) < 2:
                break
            source, target = images[s % len(images)], images[t % len(images)]
            if source is not target and (source.ref_id, target.ref_id) not in couples:
                couples.add((source.ref_id, target.ref_id))
                pairs.append((source, target, text))
        self.replace_pairs(model, pairs)

    def replace_pairs(self, model: int, pairs: list[tuple[Known, Known, str]]) -> None:
        step = Step(
            f"Replace Pairs on model {model} with {len(pairs)} pair(s) "
            f"{[(s.target_id, t.target_id, x) for s, t, x in pairs]}",
            model,
            "PAIRS-001",
            "ISO-003",
            "PAIRS-003",
        )
        ref_pairs = [
            {"sourceId": s.ref_id, "targetId": t.ref_id, "instruction": x} for s, t, x in pairs
        ]
        target_pairs = [
            {"sourceId": s.target_id, "targetId": t.target_id, "instruction": x}
            for s, t, x in pairs
        ]

        def send() -> None:
            ref_status, _ = self.ref_call("replace_pairs", self.ref_models[model], ref_pairs)
            response = self.api.replace_pairs(self.target_models[model], target_pairs)
            body = self.answer(step, response, ref_status)
            returned = body.get("pairs") if isinstance(body, dict) else None
            view = [
                {k: p.get(k) for k in PAIR_FIELDS if k in p} if isinstance(p, dict) else p
                for p in returned or []
            ]
            diverge(
                isinstance(body, dict)
                and body.get("count") == len(pairs)
                and unordered(view) == unordered(target_pairs),
                ("PAIRS-001",),
                f"{step.text}: expected count {len(pairs)} and the pairs, got {show(response)}",
            )
            self.affected[model] = set()

        self.run(step, send)

    @rule(model=st.integers(0, MODELS - 1), kind=st.sampled_from(INVALID_PAIRS), pick=PICK)
    def replace_pairs_invalid(self, model: int, kind: str, pick: int) -> None:
        own = self.present(model)
        if not own:
            return
        other = self.present(1 - model)
        gone = [self.known[r] for r in self.gone if self.known[r].model == model]
        missing = f"missing{secrets.token_hex(6)}"
        stranger = {
            "unknown-id": (missing, missing),
            "other-models-image": (
                other[pick % len(other)].ref_id,
                other[pick % len(other)].target_id,
            )
            if other
            else (missing, missing),
            "deleted-image": (gone[pick % len(gone)].ref_id, gone[pick % len(gone)].target_id)
            if gone
            else (missing, missing),
        }[kind]
        mine = own[pick % len(own)]
        step = Step(
            f"Replace Pairs on model {model} naming {kind} {stranger[1]}",
            model,
            "PAIRS-005",
            pairs="PAIRS-005",
        )
        ref_pairs = [{"sourceId": mine.ref_id, "targetId": stranger[0], "instruction": "x"}]
        target_pairs = [{"sourceId": mine.target_id, "targetId": stranger[1], "instruction": "x"}]

        def send() -> None:
            ref_status, _ = self.ref_call("replace_pairs", self.ref_models[model], ref_pairs)
            self.answer(
                step, self.api.replace_pairs(self.target_models[model], target_pairs), ref_status
            )

        self.run(step, send)

    @rule(pick=PICK)
    def delete(self, pick: int) -> None:
        images = self.present()
        if not images:
            return
        known = images[pick % len(images)]
        step = Step(
            f"Delete of image {known.target_id} (model {known.model})",
            known.model,
            "DELETE-001",
            "DELETE-002",
            touched={known.ref_id},
            on_one_image=True,
        )

        def send() -> None:
            model_id = self.target_models[known.model]
            ref_status, _ = self.ref_call(
                "delete_image", self.ref_models[known.model], known.ref_id
            )
            body = self.answer(step, self.api.delete(model_id, known.target_id), ref_status)
            diverge(isinstance(body, dict), ("DELETE-001",), f"{step.text}: the body is {body!r}")
            self.affected[known.model].add(known.ref_id)
            self.gone.append(known.ref_id)
            again = self.api.delete(model_id, known.target_id)
            diverge(
                400 <= again.status_code < 500,
                _reqs("DELETE-002", "HTTP-001") if again.status_code >= 500 else ("DELETE-002",),
                f"{step.text}: a second Delete gave {show(again)}, expected a 4xx",
            )

        self.run(step, send)

    @rule(model=st.integers(0, MODELS - 1))
    def delete_unknown(self, model: int) -> None:
        missing = f"missing{secrets.token_hex(6)}"
        step = Step(
            f"Delete of unknown image {missing} on model {model}",
            model,
            "DELETE-003",
            pairs="DELETE-003",
        )

        def send() -> None:
            ref_status, _ = self.ref_call("delete_image", self.ref_models[model], missing)
            self.answer(step, self.api.delete(self.target_models[model], missing), ref_status)

        self.run(step, send)


@pytest.mark.long(requests=330)
@pytest.mark.req("ISO-003")
def test_whole_state_matches_the_reference(api, provision) -> None:
    """Random sequences of valid and invalid steps on two models; the whole state after each."""
    assets = [provision.asset(i) for i in range(ASSETS)]
    steps = settings.default.stateful_step_count
    run_state_machine_as_test(
        lambda: TrainingImagesMachine(api, provision, assets),
        settings=settings(
            examples(SHARE[run_state.current().context.profile]), stateful_step_count=steps
        ),
    )
