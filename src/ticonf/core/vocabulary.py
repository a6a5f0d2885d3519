"""The words report.json and the records are written in, each defined once.

They are StrEnums: a member is its string (it compares, hashes and serializes as it), so
records read back from JSON compare equal to the members and report.json keeps its format.
spec/report-format.md explains what each word means.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """How binding a requirement is (spec/requirements.yaml)."""

    MUST = "MUST"
    SHOULD = "SHOULD"


class Status(StrEnum):
    """A test's outcome (the first four) or a requirement's status (all six); this order is
    the order of report.json's counts."""

    PASSED = "passed"
    FAILED = "failed"
    EXPECTED_FAILURE = "expected-failure"  # failed, and the vendor lists it as a known deviation
    ERROR = "error"  # the run could not finish the check: never a verdict on the server
    SKIPPED = "skipped"
    UNTESTED = "untested"


# What a single test can end as; a requirement's status adds the other two.
OUTCOMES = (Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED)
FAILING = (Status.FAILED, Status.EXPECTED_FAILURE)


class Verdict(StrEnum):
    CONFORMANT = "conformant"
    NONCONFORMANT = "nonconformant"
    INCONCLUSIVE = "inconclusive"  # the run itself had an error, so no verdict


class ErrorKind(StrEnum):
    """Why a test did not pass: a failure is `conformance`, the others are run errors."""

    CONFORMANCE = "conformance"
    NETWORK = "network"
    SUITE = "suite"  # the suite's own mistake or crash
    SESSION = "session"  # pytest's or the run's, outside any test


class DeviationState(StrEnum):
    """What became of a known deviation (--expect-fail) in this run."""

    STILL_FAILING = "still-failing"
    NOW_PASSING = "now-passing"
    UNCHECKED = "unchecked"


class Confirmation(StrEnum):
    """What replaying a problem's minimal example showed (report/replay.py)."""

    CONFIRMED = "confirmed"
    FLAKY = "flaky"
    NOT_REPLAYED = "not-replayed"
