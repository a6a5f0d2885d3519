"""Defaults that more than one layer needs, each defined once."""

from __future__ import annotations

# The credentials the reference server accepts unless told otherwise.
DEFAULT_API_KEY = "ticonf"
DEFAULT_API_SECRET = "ticonf-secret"
