"""The shapes of the JSON a run writes and reads back, each defined once.

One layer writes them (the plugin a record per test, the client its exchanges, report/ the
parts of report.json) and another reads them, often from a file of an earlier run, so they are
TypedDicts: plain dicts at run time, checked by mypy on both sides. Status-like fields are
typed `str` because, read back from JSON, they are plain strings; core.vocabulary names the
values. spec/report-format.md describes report.json for people.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class ExchangeRecord(TypedDict):
    """One request and its answer as evidence (client.exchanges.Exchange.to_dict)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None  # None: no answer (the network error is in `error`)
    response_headers: dict[str, str]
    response_body: str | None
    error: str | None
    elapsed_ms: float | None
    authenticated: bool
    curl_user: str | None
    curl: str


class Observation(TypedDict):
    """A behaviour the documentation leaves open, as a test saw it (the `observe` fixture)."""

    topic: str
    value: Any  # any JSON value


class Record(TypedDict):
    """One test's line of raw/records-*.ndjson, written by the plugin when the test ends."""

    nodeid: str
    requirements: list[str]  # the ones the test checks (its `req` markers)
    outcome: str  # a Status of vocabulary.OUTCOMES
    kind: str  # an ErrorKind when not passed, else ""
    message: str
    failed_requirements: NotRequired[list[str]]  # when failed: the ones it proved wrong
    observations: NotRequired[list[Observation]]
    generated: NotRequired[bool]  # a hypothesis test: each example makes its own resources
    duration: NotRequired[float]
    requests: NotRequired[int]
    retries: NotRequired[int]  # requests sent again after a 429
    exchanges: NotRequired[list[ExchangeRecord]]  # failed or error: the last few, as evidence
    sequence: NotRequired[list[ExchangeRecord]]  # failed: every exchange up to it (for replay)
    sequence_complete: NotRequired[bool]  # whether `sequence` starts at the test's beginning


class SessionProblem(TypedDict):
    """A failure pytest saw outside any record (a crashed worker), or a shard's trouble."""

    test: str
    message: str


# -- parts of report.json ---------------------------------------------------------------------


class RunError(TypedDict):
    """Anything that makes the run itself unreliable: one makes the verdict inconclusive."""

    test: str  # "" for the run as a whole
    kind: str  # an ErrorKind
    message: str


class TestedBy(TypedDict):
    """An entry of a requirement's `tests`: a test that checked it, and how it ended."""

    test: str
    outcome: str
    duration_s: float


class Failure(TypedDict):
    test: str
    message: str
    exchanges: list[ExchangeRecord]


class ObservedBy(TypedDict):
    test: str
    topic: str
    value: Any


class KnownDeviation(TypedDict):
    reason: str  # as the --expect-fail file gives it
    state: str  # a DeviationState


class CatalogEntry(TypedDict):
    """A requirement as spec/requirements.yaml has it (catalog.Requirement.to_dict)."""

    id: str
    level: str  # a Level
    operation: str  # an operation's name, or "all"
    statement: str
    source: str
    ref: str
    why: str


class RequirementResult(CatalogEntry):
    """An entry of `requirements`: the catalog's fields, then what the run found."""

    status: str  # a Status
    tests: list[TestedBy]
    failures: list[Failure]
    errors: list[RunError]
    observations: list[ObservedBy]
    expected_failure: KnownDeviation | None


# Requirements by level ("MUST", "SHOULD", "total"), then by status.
Counts = dict[str, dict[str, int]]


class SeenValue(TypedDict):
    value: Any
    count: int
    tests: list[str]


class ObservedBehaviour(TypedDict):
    """An entry of `observations`: each distinct value of a topic, most frequent first."""

    topic: str
    values: list[SeenValue]


class Change(TypedDict):
    """A requirement in `comparison`: its status in the baseline and now."""

    id: str
    level: str
    statement: str
    before: str | None  # None: not in the baseline
    now: str


class Comparison(TypedDict):
    baseline: dict[str, Any]  # who the baseline was: run_id, target, profile, ..., verdict
    warnings: list[str]
    regressions: list[Change]
    newly_passing: list[Change]
    still_failing: list[Change]
    other_changes: list[Change]
    removed: list[str]


class Gate(TypedDict):
    """The `gate` section, as gate.decide makes it (report/__init__.py adds the file names)."""

    mode: str  # "verdict", or "baseline" with a comparison
    known_deviations: dict[str, list[str]]  # requirement IDs by DeviationState
    passed: bool
    exit_code: int
    reason: str


class Oracle(TypedDict):
    """What a replay of a problem's example must see for the problem to still be there."""

    kind: str  # "status": a status outside `allowed`; "response": the recorded answer again
    allowed: NotRequired[list[list[int]]]  # status: the allowed statuses, inclusive ranges
    media_type: NotRequired[str]  # response: the recorded media type
    expected: str  # for people: what a conformant server answers
    recorded_status: int | None
    recorded_body: str
    normalized_body: NotRequired[str]  # response: the recorded body, IDs and times blotted out


class Example(TypedDict):
    """A problem's minimal example: the failing test whose evidence is shortest."""

    test: str
    message: str
    exchanges: list[ExchangeRecord]  # the last few, up to the proving one
    steps: list[ExchangeRecord]  # the sequence a replay starts from
    steps_complete: bool
    generated: bool


class ReplayResult(TypedDict):
    """A problem's `confirmation`: what the replays of its minimal example showed."""

    status: str  # a vocabulary.Confirmation
    attempts: int
    reproduced: int
    note: str
    steps: NotRequired[int]  # the steps of the replay plan, when there was one


class ProblemFacts(TypedDict):
    title: str
    kind: str  # "status" or "response"
    operation: str  # an operation's name, "read-model" or "other"
    requirements: list[str]
    levels: list[str]
    known_deviation: bool  # every requirement it violates is a known deviation
    tests: list[str]
    example: Example
    oracle: Oracle | None  # None: the failure recorded no exchange
    confirmation: ReplayResult
    script: str | None  # the shell script that replays it (report/scripts.py), once written


class Problem(ProblemFacts):
    """An entry of `problems`: one deviation, however many tests and requirements show it."""

    id: str  # P1, P2, ... (first in the document)


class OperationCoverage(TypedDict):
    """An entry of `coverage.operations`: what of one operation's documented surface the run
    used (True/False per parameter, field and enum value; counts per response status)."""

    operation: str
    requests: int
    reached_logic: bool  # some request got a 2xx, so the operation's checks proved something
    parameters: dict[str, bool]
    body_fields: dict[str, bool]
    enums: dict[str, dict[str, bool]]
    statuses: dict[str, int]
    undocumented_statuses: dict[str, int]


class Coverage(TypedDict):
    operations: list[OperationCoverage]
    warnings: list[str]
    exchanges: int  # how many exchanges the run's log holds
