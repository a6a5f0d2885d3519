"""The exit codes of `ticonf`: the CI gate's contract with its users, defined once."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a `ticonf run` (or merge, diff, cleanup) tells the pipeline that called it."""

    CONFORMANT = 0  # the gate passed
    NONCONFORMANT = 1  # a MUST requirement failed (or regressed); only a verdict gives 1
    USAGE = 2  # the user's mistake: bad option, unreadable input, unusable report directory
    INCONCLUSIVE = 3  # no verdict: target unreachable or gone, credentials refused, disk full
    INTERRUPTED = 130  # Ctrl-C
