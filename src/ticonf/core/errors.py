"""Errors every layer may raise: a user's mistake is one line, never a traceback."""

from __future__ import annotations


class ConfigError(Exception):
    """A user's configuration mistake; its message is the one line shown to the user."""
