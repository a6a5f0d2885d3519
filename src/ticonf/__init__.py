"""ticonf: a conformance suite for the training-images API of Scenario's image service."""

__version__ = "0.1.0"
