"""Configuration: options win over environment, and every mistake is one clear line."""

from __future__ import annotations

import os

import pytest

from ticonf.client.config import resolve_target
from ticonf.core.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TICONF_"):
            monkeypatch.delenv(name)


def test_no_target_means_the_embedded_reference() -> None:
    assert resolve_target(None, None, None) is None


def test_options_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICONF_TARGET", "http://env.example/v1")
    monkeypatch.setenv("TICONF_API_KEY", "env-key")
    monkeypatch.setenv("TICONF_API_SECRET", "env-secret")
    target = resolve_target("http://opt.example/v1/", "opt-key", None)
    assert target is not None
    assert (target.base_url, target.api_key, target.api_secret) == (
        "http://opt.example/v1",
        "opt-key",
        "env-secret",
    )


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("ftp://x/v1", "is not an http"), ("http://x/api", "ending in /v1"), ("v1", "http")],
)
def test_bad_target_urls_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        resolve_target(url, "k", "s")


def test_a_target_needs_credentials() -> None:
    with pytest.raises(ConfigError, match="--api-secret"):
        resolve_target("http://x/v1", "k", None)


def test_secret_file_must_be_private(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    monkeypatch.setenv("TICONF_API_SECRET_FILE", str(secret))
    with pytest.raises(ConfigError, match="chmod 600"):
        resolve_target("http://x/v1", "k", None)
    secret.chmod(0o600)
    target = resolve_target("http://x/v1", "k", None)
    assert target is not None and target.api_secret == "s3cret"


def test_target_repr_hides_the_secret() -> None:
    target = resolve_target("http://x/v1", "k", "very-secret")
    assert "very-secret" not in repr(target)
