"""Targets by name: run labels and the targets file of `ticonf run --targets FILE`.

A label names a run in reports and in `ticonf compare` (a column of the matrix). It is short
and made of letters, digits and `._:+@-`, so it can also name a report directory. Without
`--label`, a run is named after its target's host (and port), or "reference" for the embedded
reference server.

The targets file is YAML and names where each target's credentials are, never the credentials:

    targets:
      - name: staging
        url: https://staging.example.com/v1
        key_env: STAGING_KEY          # the environment variable holding the API key
        secret_env: STAGING_SECRET    # ... and the one holding the API secret
      - name: reference               # no url: the embedded reference server

Every mistake in it is a ConfigError whose message is the one line the user sees (exit 2).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ticonf.client.config import ENV_API_KEY, ENV_API_SECRET, ENV_TARGET
from ticonf.core.errors import ConfigError

EMBEDDED_LABEL = "reference"
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+@-]{0,39}")
LABEL_RULE = "1 to 40 letters, digits or ._:+@- (starting with a letter or digit)"
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TARGET_KEYS = ("name", "url", "key_env", "secret_env")
RESERVED_NAMES = ("compare",)  # `<report-dir>/compare/` holds the matrix of the targets


def default_label(base_url: str, embedded: bool) -> str:
    """A run's label when none was given: the target's host[:port], or "reference"."""
    if embedded:
        return EMBEDDED_LABEL
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host


def check_label(value: str) -> str:
    """A label as given on the command line or in a targets file, or a ConfigError."""
    if not isinstance(value, str) or not LABEL_PATTERN.fullmatch(value):
        raise ConfigError(f"label {value!r} is not a short name: use {LABEL_RULE}")
    return value


def label_argument(value: str) -> str:
    """argparse type of `--label`."""
    try:
        return check_label(value)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


@dataclass(frozen=True)
class TargetEntry:
    """One target of a targets file: its name and where its credentials are."""

    name: str
    url: str | None
    key_env: str | None
    secret_env: str | None

    @property
    def embedded(self) -> bool:
        return self.url is None

    def credentials(self, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
        """The key and secret from the environment; a missing variable is a ConfigError."""
        values: list[str | None] = []
        for variable in (self.key_env, self.secret_env):
            if variable is None:
                values.append(None)
                continue
            value = environ.get(variable)
            if not value:
                raise ConfigError(
                    f"target {self.name}: the environment variable {variable} is not set "
                    "(it should hold the target's "
                    f"{'API key' if variable == self.key_env else 'API secret'})"
                )
            values.append(value)
        return values[0], values[1]


def load_targets(path: str | Path) -> list[TargetEntry]:
    """Every target of a targets file, in the file's order, or a one-line ConfigError."""
    path = Path(path)
    where = f"the targets file {path}"
    document = _read_yaml(path, where)
    entries = document.get("targets") if isinstance(document, dict) else None
    if not isinstance(entries, list) or set(document) != {"targets"} or not entries:
        raise ConfigError(
            f"{where} must hold one key, `targets:`, a non-empty list of "
            "{name, url, key_env, secret_env} entries"
        )
    targets: list[TargetEntry] = []
    for number, entry in enumerate(entries, start=1):
        target = _target_entry(entry, f"{where}, entry {number}")
        if any(t.name == target.name for t in targets):
            raise ConfigError(f"{where} names the target {target.name!r} twice")
        targets.append(target)
    return targets


def check_environment(targets: list[TargetEntry], environ: Mapping[str, str]) -> None:
    """Every target's credentials are in the environment (checked before any run starts)."""
    for target in targets:
        target.credentials(environ)


def _read_yaml(path: Path, where: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{where} is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"cannot read {where}: {reason}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where} is not valid YAML{line}") from None


def _target_entry(entry: Any, where: str) -> TargetEntry:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with name and url, got {_kind(entry)}")
    unknown = sorted(str(k) for k in set(entry) - set(TARGET_KEYS))
    if unknown:
        hint = " (name the variables that hold it: key_env, secret_env)"
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}{hint if _is_secret(unknown) else ''}; "
            f"the keys are {', '.join(TARGET_KEYS)}"
        )
    name = entry.get("name")
    if name is None:
        raise ConfigError(f"{where}: give the target a name")
    try:
        name = check_label(name if isinstance(name, str) else str(name))
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    if name in RESERVED_NAMES:
        raise ConfigError(f"{where}: the name {name!r} is reserved for the matrix directory")
    where = f"{where} ({name})"
    url = _url(entry.get("url"), where)
    key_env, secret_env = (_env_name(entry.get(k), k, where) for k in ("key_env", "secret_env"))
    if url is not None and (key_env is None or secret_env is None):
        raise ConfigError(f"{where}: a target with a url needs key_env and secret_env")
    if url is None and (key_env or secret_env):
        raise ConfigError(f"{where}: key_env and secret_env need a url (no url: the reference)")
    return TargetEntry(name, url, key_env, secret_env)


def _url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: url must be an http(s) base URL ending in /v1, not {value!r}")
    if parts.username or parts.password:
        raise ConfigError(f"{where}: put no credentials in the url; use key_env and secret_env")
    return value


def _env_name(value: Any, key: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not ENV_NAME.fullmatch(value):
        raise ConfigError(
            f"{where}: {key} is the NAME of an environment variable (like STAGING_KEY), "
            f"not {_kind(value) if not isinstance(value, str) else 'a value like that'}"
        )
    return value


def _is_secret(keys: list[str]) -> bool:
    return any(word in key.lower() for key in keys for word in ("key", "secret", "password"))


def _kind(value: Any) -> str:
    return type(value).__name__


def environment_for(target: TargetEntry, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of one target's `ticonf run`: its URL and credentials, nobody else's."""
    env = {k: v for k, v in environ.items() if not k.startswith("TICONF_")}
    key, secret = target.credentials(environ)
    if target.url is not None and key is not None and secret is not None:
        env.update({ENV_TARGET: target.url, ENV_API_KEY: key, ENV_API_SECRET: secret})
    return env


def label_in(report: dict[str, Any]) -> str:
    """The label of a report.json document (reports of an older ticonf have none)."""
    run = report.get("run") or {}
    label = run.get("label")
    if isinstance(label, str) and label:
        return label
    return default_label(str(run.get("target", "")), bool(run.get("embedded_reference")))


__all__ = [
    "EMBEDDED_LABEL",
    "TargetEntry",
    "check_environment",
    "check_label",
    "default_label",
    "environment_for",
    "label_argument",
    "label_in",
    "load_targets",
]
