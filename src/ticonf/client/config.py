"""Where the suite points and with which credentials: options first, then environment.

Configuration comes only through a few documented names, the same for `ticonf run` and for
plain pytest: `--target`/`TICONF_TARGET`, `--api-key`/`TICONF_API_KEY`,
`--api-secret`/`TICONF_API_SECRET` (or `TICONF_API_SECRET_FILE`, a file readable by its owner
only).
"""

from __future__ import annotations

import argparse
import base64
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.core.errors import ConfigError

ENV_TARGET = "TICONF_TARGET"
ENV_API_KEY = "TICONF_API_KEY"
ENV_API_SECRET = "TICONF_API_SECRET"
ENV_API_SECRET_FILE = "TICONF_API_SECRET_FILE"
ENV_RUN_ID = "TICONF_RUN_ID"


@dataclass(frozen=True)
class Target:
    """A deployment under test: its base URL (ending in /v1) and its credentials."""

    base_url: str
    api_key: str
    api_secret: str = field(repr=False)

    @property
    def basic_auth(self) -> tuple[str, str]:
        return (self.api_key, self.api_secret)

    @property
    def authorization(self) -> str:
        token = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        return f"Basic {token}"

    def secrets(self) -> tuple[str, ...]:
        """Every string that must never be written to a report or a log."""
        return (self.api_secret, self.authorization, self.authorization.split(" ", 1)[1])


def validate_base_url(url: str) -> str:
    """The base URL without a trailing slash, or a ConfigError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"target {url!r} is not an http(s) URL, e.g. https://api.example.com/v1")
    trimmed = url.rstrip("/")
    if not trimmed.endswith("/v1"):
        raise ConfigError(f"target {url!r} must be the API's base URL, ending in /v1")
    return trimmed


def read_secret_file(path: str) -> str:
    """The secret in `path`, refused when other users may read the file."""
    file = Path(path)
    try:
        mode = file.stat().st_mode
    except OSError as error:
        raise ConfigError(f"cannot read the API secret file {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the API secret file {path} is readable by others: chmod 600 {path}")
    return file.read_text().strip()


def resolve_secret(option: str | None) -> str | None:
    if option:
        return option
    if os.environ.get(ENV_API_SECRET):
        return os.environ[ENV_API_SECRET]
    if os.environ.get(ENV_API_SECRET_FILE):
        return read_secret_file(os.environ[ENV_API_SECRET_FILE])
    return None


def resolve_target(
    target: str | None, api_key: str | None, api_secret: str | None
) -> Target | None:
    """The target named by options or environment; None means: test the embedded reference."""
    url = target or os.environ.get(ENV_TARGET)
    key = api_key or os.environ.get(ENV_API_KEY)
    secret = resolve_secret(api_secret)
    if not url:
        return None
    base_url = validate_base_url(url)
    if not key or not secret:
        missing = "--api-key" if not key else "--api-secret"
        raise ConfigError(f"{missing} is needed with a target (or {ENV_API_KEY}/{ENV_API_SECRET})")
    return Target(base_url, key, secret)


def embedded_target(base_url: str, api_key: str | None, api_secret: str | None) -> Target:
    """The embedded reference server's target; wrong credentials stay wrong on purpose."""
    return Target(base_url, api_key or DEFAULT_API_KEY, api_secret or DEFAULT_API_SECRET)


def parse_shard(value: str) -> tuple[int, int]:
    """'2/3' -> (2, 3); shards are numbered from 1."""
    index, _, total = value.partition("/")
    if not (index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise argparse.ArgumentTypeError(f"--shard takes I/N with 1 <= I <= N, not {value!r}")
    return int(index), int(total)
