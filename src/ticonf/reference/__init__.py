"""The reference server: a faithful, in-memory implementation of the training-images API."""

from ticonf.core.defaults import DEFAULT_API_KEY, DEFAULT_API_SECRET
from ticonf.reference.service import ReferenceService

__all__ = ["DEFAULT_API_KEY", "DEFAULT_API_SECRET", "ReferenceService"]
