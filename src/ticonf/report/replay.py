"""Confirmation by replay: each problem's minimal example, sent again on fresh scratch resources.

A failing test recorded its whole sequence of exchanges (pytest_plugin: `sequence`). A replay
plan is that sequence made portable:

- it starts where the example starts: the whole test for a scenario test, or for a generated
  (hypothesis) test the creation of the model its failing request used (each example makes
  its own model), or only the failing request when the record lost the beginning;
- every ID a step's answer created (a model, an image, an asset) and a later step uses becomes
  a variable, learned from the new answer by the JSON key and position it had in the recorded
  one; scratch resources created before that start are created afresh by prologue steps; IDs
  no answer ever gave (a deliberately unknown model) are sent as they were;
- image data URLs, abbreviated in the record, are replaced by a small genuine PNG.

Steps that the record cannot reproduce faithfully make the plan `not-replayed` with the reason:
a stateful hypothesis run, a body the record cut short, an Authorization header sent verbatim.

Each attempt replays the plan on new resources and deletes them afterwards (they are written to
the report directory's ledger first, so `ticonf cleanup` finds them after a crash). The problem
is `confirmed` when every attempt shows it again (the oracle of report/problems.py), `flaky`
when some do not; `ticonf replay` (cli_replay.py) and the shell scripts (report/scripts.py)
run the same plan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ticonf.client.api import ApiClient
from ticonf.client.config import Target
from ticonf.client.exchanges import Recorder, body_text
from ticonf.client.politeness import Politeness
from ticonf.client.provisioning import DEFAULT_MODEL_TYPE, Ledger, remove_all
from ticonf.client.samples import png_base64, png_data_url
from ticonf.core.locations import RAW_DIR, RESOURCES, raw_file, raw_glob
from ticonf.core.operations import ADD
from ticonf.core.records import Oracle, ReplayResult
from ticonf.core.vocabulary import Confirmation
from ticonf.report.problems import is_stateful, media_type, path_of, still_failing
from ticonf.report.scrub import REDACTED

DEFAULT_ATTEMPTS = 3
FLAKY_POLICIES = ("fail", "pass")
DEFAULT_FLAKY_POLICY = "fail"
LEDGER_NAME = raw_file(RESOURCES, "replay")

_ID_FIELD = re.compile(r'"(id|[A-Za-z]+Id)"\s*:\s*"([^"\\]+)"')
_ABBREVIATED_DATA_URL = re.compile(r'data:[^",]*,[^"]{0,80}\.\.\.\[[0-9]+ characters\]')
_CUT_SHORT = re.compile(r"\.\.\. \[[0-9]+ more characters\]$")


@dataclass
class Step:
    """One request of a plan; `path` and `body` may hold variables like @ID1@."""

    method: str
    path: str
    body: str | None
    headers: dict[str, str]
    auth: str | None  # "target", None (no credentials) or a curl -u argument
    recorded_status: int | None
    learn: list[tuple[str, str, int]] = field(default_factory=list)  # (variable, key, nth)
    creates: str | None = None  # "model" or "asset": deleted after the attempt
    proving: bool = False
    origin: str = "recorded"  # "recorded" or "re-created" (a prologue step)


@dataclass
class Plan:
    steps: list[Step]
    oracle: Oracle
    variables: list[str]


class NotReplayable(Exception):
    """The record does not allow a faithful replay; the message says why."""


# -- making a plan ---------------------------------------------------------------------------


def _id_fields(body: str | None) -> list[tuple[str, int, str]]:
    """(key, nth occurrence of that key, value) of every ID-like string field of a body."""
    counts: dict[str, int] = {}
    found = []
    for match in _ID_FIELD.finditer(body or ""):
        key, value = match.group(1), match.group(2)
        counts[key] = counts.get(key, 0) + 1
        found.append((key, counts[key], value))
    return found


def _request_text(exchange: dict[str, Any]) -> str:
    return f"{exchange.get('url', '')} {exchange.get('request_body') or ''}"


def _created_kind(exchange: dict[str, Any]) -> str | None:
    path, method = path_of(exchange.get("url", "")), exchange.get("method", "").upper()
    if method == "POST" and path.rstrip("/") == "/models":
        return "model"
    if method == "POST" and path.rstrip("/") == "/assets":
        return "asset"
    if ADD.matches(method, path):
        return "image"
    return None


def _tail_start(sequence: list[dict[str, Any]], complete: bool, generated: bool) -> int:
    """Where the minimal example starts in the recorded sequence."""
    proof = sequence[-1]
    if complete and not generated:
        return 0
    for index in range(len(sequence) - 1, -1, -1):
        exchange = sequence[index]
        if _created_kind(exchange) == "model":
            fields = _id_fields(exchange.get("response_body"))
            if fields and fields[0][2] in proof.get("url", ""):
                return index
    return 0 if complete else len(sequence) - 1


def _auth_of(exchange: dict[str, Any]) -> str | None:
    if not exchange.get("authenticated", True):
        if "authorization" in (exchange.get("request_headers") or {}):
            raise NotReplayable(
                "a request carried an Authorization header verbatim, which the record does not keep"
            )
        return None
    curl = exchange.get("curl") or ""
    found = re.search(r' -u ("(?:[^"\\]|\\.)*")', curl)
    if not found or found.group(1) == '"$TICONF_API_KEY:$TICONF_API_SECRET"':
        return "target"
    return found.group(1)


_CONCURRENT = re.compile(r"concurren|simultaneous|(?<![a-z])race|parallel", re.IGNORECASE)
_PNG_SUBSTITUTE_MAX = 4096  # a tiny PNG of the suite: another tiny PNG shows the same


def _check_replayable(tail: list[dict[str, Any]], message: str, test: str) -> None:
    if is_stateful(test, message):
        raise NotReplayable(
            "a stateful hypothesis run: its steps depend on state the replay cannot rebuild"
        )
    if _CONCURRENT.search(test):
        raise NotReplayable(
            "simultaneous requests: a replay one after the other cannot reproduce their "
            "interleaving"
        )
    if "ignored_auth" in message:
        raise NotReplayable(
            "an authentication probe of the schema half: the record does not keep the "
            "credentials it sent"
        )
    proving = tail[-1].get("request_body") or ""
    for found in _ABBREVIATED_DATA_URL.finditer(proving):
        text = found.group(0)
        count = re.search(r"\[([0-9]+) characters\]$", text)
        length = int(count.group(1)) if count else _PNG_SUBSTITUTE_MAX + 1
        if not text.startswith("data:image/png;") or length > _PNG_SUBSTITUTE_MAX:
            raise NotReplayable(
                "the failing request sent an image the record keeps abbreviated "
                f"({text[:40]}..., {length} characters): a replay cannot send the same one"
            )
    for exchange in tail:
        if exchange.get("status") is None:
            raise NotReplayable("a request of the example got no answer (network error)")
        if _CUT_SHORT.search(exchange.get("request_body") or ""):
            raise NotReplayable("a request body was longer than the record keeps")


class _Namer:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}  # recorded value -> variable

    def variable(self, value: str) -> str:
        if value not in self.values:
            self.values[value] = f"@ID{len(self.values) + 1}@"
        return self.values[value]

    def template(self, text: str | None) -> str | None:
        if text is None:
            return None
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, self.values[value])
        return text


def _prologue(
    foreign: list[str],
    kinds: dict[str, tuple[str, str | None]],
    namer: _Namer,
    run_id: str,
    model_type: str,
) -> list[Step]:
    """Steps that create afresh the scratch resources the example used but did not create."""
    order = {"model": 0, "asset": 1, "image": 2}
    steps = []
    for number, value in enumerate(sorted(foreign, key=lambda v: order[kinds[v][0]]), start=1):
        kind, parent = kinds[value]
        variable = namer.variable(value)
        if kind == "model":
            path, body = "/models", {"name": f"ticonf-{run_id}-replay-model", "type": model_type}
        elif kind == "asset":
            path = "/assets"
            body = {"name": f"ticonf-{run_id}-replay-asset.png", "image": png_base64(number)}
        else:
            if parent is None:
                raise NotReplayable(f"image {value} was made before the record starts")
            path = ADD.path_for(namer.variable(parent))
            body = {"data": png_data_url(number), "name": f"ticonf-{run_id}-replay-image.png"}
        steps.append(
            Step(
                method="POST",
                path=path,
                body=json.dumps(body),
                headers={"content-type": "application/json"},
                auth="target",
                recorded_status=200,
                learn=[(variable, "id", 1)],
                creates=kind if kind != "image" else None,
                origin="re-created",
            )
        )
    return steps


def _resource_kinds(
    sequence: list[dict[str, Any]], ledger_ids: dict[str, str]
) -> dict[str, tuple[str, str | None]]:
    """Every scratch resource ID the sequence or the ledger knows: (kind, its model if image)."""
    kinds: dict[str, tuple[str, str | None]] = {v: (k, None) for v, k in ledger_ids.items()}
    for exchange in sequence:
        kind = _created_kind(exchange)
        fields = _id_fields(exchange.get("response_body"))
        if kind in ("model", "asset") and fields:
            kinds.setdefault(fields[0][2], (kind, None))
        parts = path_of(exchange.get("url", "")).split("/")
        model = parts[2] if len(parts) > 2 and parts[1] == "models" else None
        if kind == "image" or (model and exchange.get("method") in ("PUT", "GET")):
            for key, _, value in fields:
                if key == "id" and value != model:
                    kinds.setdefault(value, ("image", model))
    return kinds


def make_plan(
    example: dict[str, Any],
    oracle: Oracle | None,
    *,
    run_id: str,
    model_type: str,
    ledger_ids: dict[str, str] | None = None,
) -> Plan:
    """The replay plan of a problem's minimal example, or NotReplayable."""
    sequence = example.get("steps") or []
    if not sequence or oracle is None:
        raise NotReplayable("the failure recorded no exchange")
    start = _tail_start(
        sequence, example.get("steps_complete", False), bool(example.get("generated"))
    )
    tail = sequence[start:]
    _check_replayable(tail, example.get("message", ""), example.get("test", ""))
    kinds = _resource_kinds(sequence, ledger_ids or {})
    namer = _Namer()
    steps: list[Step] = []
    learned: set[str] = set()
    # An auth probe of the schema half (wrong credentials, recorded as the target's) was
    # refused before any logic ran: it changed nothing, and cannot be sent again as it was.
    tail = [
        x
        for i, x in enumerate(tail)
        if i == len(tail) - 1 or not (x.get("status") in (401, 403) and _auth_of(x) == "target")
    ]
    for index, exchange in enumerate(tail):
        later = " ".join(_request_text(x) for x in tail[index + 1 :])
        earlier = " ".join(_request_text(x) for x in tail[: index + 1])
        learn = []
        for key, nth, value in _id_fields(exchange.get("response_body")):
            if value in later and value not in earlier and value not in learned:
                learned.add(value)
                learn.append((namer.variable(value), key, nth))
        kind = _created_kind(exchange)
        steps.append(
            Step(
                method=exchange["method"].upper(),
                path=_relative(exchange["url"]),
                body=_real_images(exchange.get("request_body")),
                headers=dict(exchange.get("request_headers") or {}),
                auth=_auth_of(exchange),
                recorded_status=exchange.get("status"),
                learn=learn,
                creates=kind if kind in ("model", "asset") else None,
                proving=index == len(tail) - 1,
            )
        )
    used = " ".join(_request_text(x) for x in tail)
    foreign = [v for v in kinds if v in used and v not in learned]
    for value in list(foreign):
        parent = kinds[value][1]
        if parent and parent not in learned and parent not in foreign:
            foreign.append(parent)
    prologue = _prologue(foreign, kinds, namer, run_id, model_type)
    for step in steps:
        step.path = namer.template(step.path) or ""
        step.body = namer.template(step.body)
        step.headers.pop("authorization", None)
    return Plan(steps=prologue + steps, oracle=oracle, variables=list(namer.values.values()))


def _relative(url: str) -> str:
    query = urlsplit(url).query
    return path_of(url) + (f"?{query}" if query else "")


def _real_images(body: str | None) -> str | None:
    if body is None:
        return None
    return _ABBREVIATED_DATA_URL.sub(lambda _: png_data_url(5), body)


# -- running a plan ---------------------------------------------------------------------------


def nth_field(body: str, key: str, nth: int) -> str | None:
    found = [m.group(2) for m in _ID_FIELD.finditer(body) if m.group(1) == key]
    return found[nth - 1] if len(found) >= nth else None


def _credentials(auth: str | None, target: Target) -> tuple[str, str] | None:
    if auth is None:
        return None
    if auth == "target":
        return target.basic_auth
    inner = auth[1:-1]
    user, _, password = inner.partition(":")

    def resolve(text: str) -> str:
        # A wrong secret made from the right one was scrubbed to [redacted]...: put it back.
        text = text.replace(REDACTED, "$TICONF_API_SECRET")
        text = text.replace("$TICONF_API_KEY", target.api_key)
        text = text.replace("$TICONF_API_SECRET", target.api_secret)
        return re.sub(r"\\(.)", r"\1", text)

    return resolve(user), resolve(password)


@dataclass
class Attempt:
    reproduced: bool
    note: str
    status: int | None = None
    body: str | None = None
    reached: bool = False  # the proving request was sent and answered

    @property
    def fixed(self) -> bool:
        return self.reached and not self.reproduced


def run_plan(
    plan: Plan,
    target: Target,
    ledger: Ledger,
    *,
    timeout: float = 30.0,
    politeness: Politeness | None = None,
) -> Attempt:
    """One attempt on fresh resources; they are deleted afterwards, whatever happened."""
    api = ApiClient(target, Recorder(), timeout=timeout, politeness=politeness)
    values: dict[str, str] = {}
    created: dict[str, list[str]] = {"model": [], "asset": []}
    try:
        return _steps(plan, api, target, values, created, ledger)
    except httpx.TransportError as error:
        return Attempt(False, f"network error: {type(error).__name__}")
    finally:
        for kind, ids in created.items():
            remove_all(api, ledger, kind, ids)
        api.close()


def _fill(text: str | None, values: dict[str, str]) -> str | None:
    if text is None:
        return None
    for variable, value in values.items():
        text = text.replace(variable, value)
    return text


def _steps(
    plan: Plan,
    api: ApiClient,
    target: Target,
    values: dict[str, str],
    created: dict[str, list[str]],
    ledger: Ledger,
) -> Attempt:
    """Send the plan's steps in order until the proving one, or until one goes another way."""
    for number, step in enumerate(plan.steps, start=1):
        body = _fill(step.body, values)
        client = api.with_auth(_credentials(step.auth, target))
        response = client.send(
            step.method,
            _fill(step.path, values) or "",
            content=body.encode() if body is not None else None,
            headers=step.headers,
        )
        text = response.text
        if step.creates and response.status_code == 200:
            new_id = nth_field(text, "id", 1)
            if new_id:
                created[step.creates].append(new_id)
                ledger.write("created", step.creates, new_id)
        if step.proving:
            # The answer as the record keeps answers, so both compare alike.
            failing = still_failing(
                plan.oracle,
                response.status_code,
                body_text(response.content),
                media_type(dict(response.headers)),
            )
            note = "still failing" if failing else "the server answered as documented"
            return Attempt(failing, note, response.status_code, text, reached=True)
        if response.status_code != step.recorded_status:
            return Attempt(
                False,
                f"step {number} ({step.method} {step.path}) answered {response.status_code}, "
                f"the record {step.recorded_status}: the sequence went another way",
                response.status_code,
                text,
            )
        for variable, key, nth in step.learn:
            value = nth_field(text, key, nth)
            if value is None:
                return Attempt(False, f"step {number}: no {key} #{nth} in the answer")
            values[variable] = value
    return Attempt(False, "the plan has no proving step")


# -- confirming the problems of a report ------------------------------------------------------


def ledger_ids(raw_dir: Path) -> dict[str, str]:
    """Scratch model and asset IDs of the run, from its resource ledgers."""
    ids: dict[str, str] = {}
    for path in sorted(raw_dir.glob(raw_glob(RESOURCES))):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            ids[entry["id"]] = entry["kind"]
    return ids


def plan_of(
    problem: dict[str, Any],
    run: dict[str, Any],
    raw_dir: Path | None,
    settings: dict[str, Any] | None = None,
) -> Plan:
    """The plan of a problem of a report (`settings`: the report's `replay` section)."""
    return make_plan(
        problem["example"],
        problem.get("oracle"),
        run_id=run.get("run_id", "replay"),
        model_type=(settings or {}).get("model_type") or DEFAULT_MODEL_TYPE,
        ledger_ids=ledger_ids(raw_dir) if raw_dir and raw_dir.is_dir() else {},
    )


def confirm(
    problem: dict[str, Any],
    run: dict[str, Any],
    target: Target,
    report_dir: Path,
    *,
    settings: dict[str, Any] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    timeout: float = 30.0,
    politeness: Politeness | None = None,
) -> ReplayResult:
    """The `confirmation` of one problem after `attempts` replays."""
    try:
        plan = plan_of(problem, run, report_dir / RAW_DIR, settings)
    except NotReplayable as why:
        return ReplayResult(
            status=Confirmation.NOT_REPLAYED, attempts=0, reproduced=0, note=str(why)
        )
    ledger = Ledger(report_dir / RAW_DIR / LEDGER_NAME)
    results = [
        run_plan(plan, target, ledger, timeout=timeout, politeness=politeness)
        for _ in range(attempts)
    ]
    reproduced = sum(1 for r in results if r.reproduced)
    status = Confirmation.CONFIRMED if reproduced == attempts else Confirmation.FLAKY
    notes = sorted(
        {re.sub(r"@ID([0-9]+)@", r"{id\1}", r.note) for r in results if not r.reproduced}
    )
    note = f"reproduced {reproduced} of {attempts} times on fresh scratch resources"
    if notes:
        note += "; otherwise: " + "; ".join(notes)[:400]
    return ReplayResult(
        status=status, attempts=attempts, reproduced=reproduced, note=note, steps=len(plan.steps)
    )


def confirm_all(
    report: dict[str, Any],
    target: Target,
    report_dir: Path,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    timeout: float = 30.0,
    politeness: Politeness | None = None,
) -> None:
    """Replay every problem of `report` (in place); attempts 0 leaves them `not-replayed`."""
    if attempts <= 0:
        for problem in report.get("problems", []):
            problem["confirmation"]["note"] = "replay was turned off (--replays 0)"
        return
    for problem in report.get("problems", []):
        try:
            problem["confirmation"] = confirm(
                problem,
                report["run"],
                target,
                report_dir,
                settings=report.get("replay"),
                attempts=attempts,
                timeout=timeout,
                politeness=politeness,
            )
        except Exception as error:
            problem["confirmation"]["note"] = f"the replay broke: {type(error).__name__}: {error}"
