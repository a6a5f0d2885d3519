"""The hypothesis profiles of a run: quick (the CI gate) and full (the release regression).

The pytest plugin registers them when it configures pytest (`register_profiles`), so that
importing a ticonf module (the reports, the CLI) changes no hypothesis setting of the caller.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings
from hypothesis import core as hypothesis_core

PROFILES = ("quick", "full")

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
    HealthCheck.function_scoped_fixture,
]


def profile_name(profile: str) -> str:
    """The hypothesis profile of a ticonf profile: quick -> ticonf-quick."""
    return f"ticonf-{profile}"


def register_profiles() -> None:
    """Register ticonf-quick and ticonf-full (again, harmlessly, in a second pytest session).

    Both derive from hypothesis' own "default" profile, whichever profile is loaded now.
    The CI gate does not shrink: the failing exchange is the evidence, and shrinking against
    a server costs tens of seconds per failure. The release profile shrinks, for minimal
    examples.
    """
    base = settings(
        settings.get_profile("default"),
        deadline=None,
        database=None,
        derandomize=False,  # CI=true would otherwise inherit hypothesis' "ci" profile: no --seed
        suppress_health_check=_HEALTH,
        print_blob=False,
    )
    no_shrink = [phase for phase in Phase if phase is not Phase.shrink]
    settings.register_profile(
        profile_name("quick"), base, max_examples=20, stateful_step_count=8, phases=no_shrink
    )
    settings.register_profile(profile_name("full"), base, max_examples=150, stateful_step_count=30)


def load_profile(profile: str, seed: int) -> None:
    """Make `profile` hypothesis' active profile and `seed` the seed of every test."""
    settings.load_profile(profile_name(profile))
    hypothesis_core.global_force_seed = seed  # type: ignore[assignment]
