"""Problems, not just requirements: the failures of a run grouped by the deviation they show.

One wrong answer often breaks several requirements at once (a 500 breaks the operation's own
rule, HTTP-001 and STATUS-001), and several tests often stumble on the same wrong answer. A
reader wants to know how many distinct things are wrong, so failures are grouped:

- a wrong *status* (a 5xx, an undocumented code, or another code than the test expected) is
  one problem per operation, status and error body: "Add an image answers 500 {...}";
- any other deviation (a wrong body, a wrong stored state) is one problem per test function
  and set of failed requirements: one failing test is one problem unless it shows exactly the
  wrong status another test shows.

Each problem names the requirements it violates, its minimal example (the failing test whose
evidence is shortest, scenario tests before generated ones) and an oracle: what a replay of
that example must see for the problem to still be there (report/replay.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict
from urllib.parse import urlsplit

from ticonf.core.operations import OPERATION_NAMES, OPERATIONS, operation_called
from ticonf.core.records import (
    Example,
    ExchangeRecord,
    Oracle,
    Problem,
    ProblemFacts,
    Record,
    ReplayResult,
)
from ticonf.core.vocabulary import Confirmation, Level, Status
from ticonf.report.text import one_line, reason

DOCUMENTED_STATUSES = (200, 400, 401, 403, 404, 409, 413, 422, 429)
# How a problem's title names an operation: the four documented ones, reading the model
# (a fixture the tests call), anything else.
TITLES = {
    **{operation.name: operation.title for operation in OPERATIONS},
    "read-model": "Get the model",
    "other": "A request",
}

# The rules of normalized_body, in order, as POSIX extended regular expressions: the shell
# scripts apply the very same ones with `sed -E` (report/scripts.py).
NORMALIZE_RULES = (
    ("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?", "<time>"),
    ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "<date>"),
    ("[0-9]{1,2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?", "<time>"),
    ("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "<id>"),
    ("[A-Za-z0-9]+_[A-Za-z0-9]{10,}", "<id>"),
    ("[0-9a-fA-F]{16,}", "<id>"),
    ("[0-9]{10,}([.][0-9]+)?", "<number>"),
)
_RULES = tuple((re.compile(pattern), value) for pattern, value in NORMALIZE_RULES)
_ID_IN_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[A-Za-z0-9]+_[A-Za-z0-9]{10,}"
)
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_EXPECTED = re.compile(r"expected ((?:[1-5][0-9]{2})(?: or [1-5][0-9]{2})*)\b")


# -- what a recorded exchange was ------------------------------------------------------------


def path_of(url: str) -> str:
    """The path of a recorded URL below the API's /v1 prefix (query string dropped)."""
    path = urlsplit(url).path
    _, sep, tail = path.partition("/v1/")
    return "/" + tail if sep else path


def operation_of(exchange: Mapping[str, Any]) -> str:
    """Which documented operation an exchange called ('read-model', 'other' for the rest)."""
    path = path_of(exchange.get("url", ""))
    method = exchange.get("method", "").upper()
    called = operation_called(method, path)
    if called is not None:
        return called.name
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "models" and method == "GET":
        return "read-model"
    return "other"


def normalized_body(text: str | None) -> str:
    """A body with whitespace, IDs and timestamps blotted out, to compare two answers.

    report/scripts.py applies the same three rules with sed, so a shell script and
    `ticonf replay` agree on what "the same answer" is.
    """
    text = _WHITESPACE.sub("", text or "")
    for pattern, value in _RULES:
        text = pattern.sub(value, text)
    return text


# -- the oracle: what still failing means ----------------------------------------------------


def allowed_statuses(message: str, status: int | None) -> list[list[int]] | None:
    """The statuses the failed check allowed, as inclusive ranges, or None when the failure
    was not about the status at all (a wrong body, a wrong stored state)."""
    if status is None:
        return None
    found = _EXPECTED.search(message)
    if found:
        allowed = [[int(s), int(s)] for s in found.group(1).split(" or ")]
    elif "expected a 4xx" in message:
        allowed = [[400, 499]]
    elif status >= 500:
        allowed = [[100, 499]]
    elif status not in DOCUMENTED_STATUSES:
        allowed = [[s, s] for s in DOCUMENTED_STATUSES]
    else:
        return None
    if any(low <= status <= high for low, high in allowed):
        return None  # the proving exchange does not show a status deviation
    return allowed


def describe_allowed(allowed: list[list[int]]) -> str:
    if allowed == [[100, 499]]:
        return "no 5xx"
    if allowed == [[400, 499]]:
        return "a 4xx"
    return " or ".join(str(low) for low, _ in allowed)


class _Failure(TypedDict):
    """A failed test's record, its sequence cut at the exchange that proves the failure."""

    test: str
    message: str
    requirements: list[str]
    exchanges: list[ExchangeRecord]
    sequence: list[ExchangeRecord]
    sequence_complete: bool
    generated: bool


def oracle_of(failure: _Failure) -> Oracle | None:
    """What a replay of this failure's exchanges must see for the problem to be there."""
    exchanges = failure["exchanges"]
    if not exchanges:
        return None
    proof = exchanges[-1]
    status = proof.get("status")
    allowed = allowed_statuses(failure["message"], status)
    if allowed is not None:
        return {
            "kind": "status",
            "allowed": allowed,
            "expected": describe_allowed(allowed),
            "recorded_status": status,
            "recorded_body": one_line(proof.get("response_body") or "", 300),
        }
    return {
        "kind": "response",
        "media_type": media_type(proof.get("response_headers")),
        "expected": one_line(reason(failure["message"]), 200)
        + " (so: any answer but the recorded one)",
        "recorded_status": status,
        "recorded_body": one_line(proof.get("response_body") or "", 300),
        "normalized_body": normalized_body(proof.get("response_body")),
    }


def still_failing(
    oracle: Oracle, status: int | None, body: str | None, media: str | None = None
) -> bool:
    """Does this answer to the proving request still show the problem? (A response problem:
    the same status, media type and body, whitespace, IDs and times aside.)"""
    if status is None:
        return False
    if oracle["kind"] == "status":
        return not any(low <= status <= high for low, high in oracle["allowed"])
    recorded: int | None = oracle["recorded_status"]
    same_media = media is None or media == oracle.get("media_type", media)
    return status == recorded and same_media and normalized_body(body) == oracle["normalized_body"]


# -- grouping ----------------------------------------------------------------------------------


def _test_function(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def _key(failure: _Failure, oracle: Oracle | None) -> tuple[str, ...]:
    exchanges = failure["exchanges"]
    if oracle and oracle["kind"] == "status":
        proof = exchanges[-1]
        body = normalized_body(proof.get("response_body"))[:160]
        return ("status", operation_of(proof), str(proof.get("status")), body)
    if oracle and "content-type" in failure["message"].lower():
        media = oracle.get("media_type") or "none"
        if media != "application/json":  # one wrong Content-Type, however many tests see it
            return ("media", operation_of(exchanges[-1]), media)
    return ("test", _test_function(failure["test"]), ",".join(sorted(failure["requirements"])))


_NAMED = re.compile(r"^(?:[A-Z]+-[0-9]{3}(?:, )?)+: ")


def action_of(message: str) -> str:
    """What the failing test did, from its message: "Add with data 'x'" of
    "ADD-009: Add with data 'x': expected a 4xx rejection, got 200 ..."."""
    text = _NAMED.sub("", reason(message))
    for cut in (": expected", ": got", "\n"):
        text = text.split(cut, 1)[0]
    return one_line(text, 90)


def _title(key: tuple[str, ...], example: _Failure, oracle: Oracle | None) -> str:
    if key[0] == "media":
        operation = TITLES.get(key[1], key[1])
        return f"{operation} answers with Content-Type {key[2]}, expected application/json"
    if key[0] == "status" and oracle:
        operation = TITLES.get(key[1], key[1])
        title = f"{operation} answers {key[2]}, expected {oracle['expected']}"
        action = action_of(example["message"])
        if int(key[2]) >= 500 or not action or "Undocumented status" in action:
            said = one_line(example["exchanges"][-1].get("response_body") or "", 70)
            return f"{title}: {said}" if said else title
        return f"{title} ({action})"
    return one_line(_NAMED.sub("", reason(example["message"])), 150) or example["test"]


def _cost(failure: _Failure) -> tuple[int, int, int, str]:
    """Minimal example first: replayable before stateful, scenario tests (repeatable) before
    generated ones, then the fewest steps."""
    generated = 1 if failure["generated"] else 0
    stateful = 1 if is_stateful(failure["test"], failure["message"]) else 0
    steps = len(failure["sequence"] or failure["exchanges"])
    return (stateful, generated, steps, failure["test"])


_GOT_STATUS = re.compile(
    r"(?:got (?:a server error )?|gave |Received: |for status code )([1-5][0-9]{2})\b"
)
_STATEFUL = re.compile(r"^\s*state\s*=|^\s*state\.\w+\(|APIStateMachine", re.MULTILINE)


def is_stateful(test: str, message: str) -> bool:
    """A stateful hypothesis run: its steps depend on a state no replay can rebuild."""
    return bool(_STATEFUL.search(message)) or "stateful" in test or "model_based" in test


def proof_index(exchanges: list[ExchangeRecord], message: str) -> int:
    """Which exchange proves the failure: usually the last one, but a hypothesis test may
    have run other examples after the failing one. The message quotes the answer it got
    (its status, often the IDs of its body), so the last exchange matching that is the one."""
    got = _GOT_STATUS.search(message)
    status = int(got.group(1)) if got else None
    ids = set(_ID_IN_TEXT.findall(message))
    candidates = range(len(exchanges) - 1, -1, -1)
    for index in candidates:
        exchange = exchanges[index]
        body = exchange.get("response_body") or ""
        if (
            (status is None or exchange.get("status") == status)
            and ids
            and any(i in body for i in ids)
        ):
            return index
    if status is not None:  # the last call of a documented operation with that status
        same = [i for i in candidates if exchanges[i].get("status") == status]
        documented = [i for i in same if operation_of(exchanges[i]) in OPERATION_NAMES]
        if documented or same:
            return (documented or same)[0]
    if not _ABOUT_AUTH.search(message):  # trailing auth probes of the schema half prove nothing
        for index in candidates:
            if exchanges[index].get("status") not in (401, 403):
                return index
    return len(exchanges) - 1


_ABOUT_AUTH = re.compile(r"40[13]|auth|credential|secret|api key", re.IGNORECASE)


def media_type(headers: dict[str, str] | None) -> str:
    """The media type of a Content-Type header, lower-case, without parameters."""
    return (headers or {}).get("content-type", "").split(";")[0].strip().lower()


def failures_of(records: Sequence[Record]) -> list[_Failure]:
    """Every conformance failure of the run, once per test (not once per requirement), its
    sequence cut at the exchange that proves it."""
    failures: list[_Failure] = []
    for r in records:
        if r.get("outcome") != Status.FAILED:
            continue
        message = r.get("message", "")
        sequence: list[ExchangeRecord] = r.get("sequence") or r.get("exchanges") or []
        cut = proof_index(sequence, message) + 1 if sequence else 0
        failures.append(
            {
                "test": r["nodeid"],
                "message": message,
                "requirements": list(r.get("failed_requirements") or r.get("requirements") or []),
                "exchanges": sequence[max(cut - 5, 0) : cut],
                "sequence": sequence[:cut],
                "sequence_complete": bool(r.get("sequence_complete")) and bool(r.get("sequence")),
                "generated": r.get("generated", False),
            }
        )
    return failures


def _problem(
    members: list[tuple[_Failure, Oracle | None]],
    key: tuple[str, ...],
    levels: dict[str, str],
    deviations: dict[str, str] | None,
) -> ProblemFacts:
    """One problem from the failures that show it, the cheapest one its example."""
    members.sort(key=lambda m: _cost(m[0]))
    example, oracle = members[0]
    requirements = sorted({r for failure, _ in members for r in failure["requirements"]})
    return {
        "title": _title(key, example, oracle),
        "kind": "status" if key[0] == "status" else "response",
        "operation": operation_of(example["exchanges"][-1]) if example["exchanges"] else "other",
        "requirements": requirements,
        "levels": sorted({levels.get(r, Level.MUST) for r in requirements}),
        "known_deviation": bool(deviations) and all(r in (deviations or {}) for r in requirements),
        "tests": [failure["test"] for failure, _ in members],
        "example": Example(
            test=example["test"],
            message=example["message"],
            exchanges=example["exchanges"],
            steps=example["sequence"] or example["exchanges"],
            steps_complete=example["sequence_complete"],
            generated=bool(example["generated"]),
        ),
        "oracle": oracle,
        "confirmation": ReplayResult(
            status=Confirmation.NOT_REPLAYED, attempts=0, reproduced=0, note="no replay was run"
        ),
        "script": None,
    }


def group_problems(
    records: Sequence[Record], levels: dict[str, str], deviations: dict[str, str] | None = None
) -> list[Problem]:
    """The `problems` of report.json (before replay: confirmation `not-replayed`)."""
    groups: dict[tuple[str, ...], list[tuple[_Failure, Oracle | None]]] = {}
    for failure in failures_of(records):
        oracle = oracle_of(failure)
        groups.setdefault(_key(failure, oracle), []).append((failure, oracle))
    problems = [_problem(members, key, levels, deviations) for key, members in groups.items()]
    problems.sort(
        key=lambda p: (Level.MUST not in p["levels"], -len(p["requirements"]), p["title"])
    )
    return [{"id": f"P{number}", **p} for number, p in enumerate(problems, start=1)]


def headline(problems: list[Problem]) -> str:
    """ "N problems violate M requirements", the first line of every rendering."""
    if not problems:
        return "No problem found"
    requirements = {r for p in problems for r in p["requirements"]}
    noun = "problem violates" if len(problems) == 1 else "problems violate"
    reqs = "requirement" if len(requirements) == 1 else "requirements"
    return f"{len(problems)} {noun} {len(requirements)} {reqs}"
