"""Talking to the target: configuration, the recording client, politeness (rate, 429s,
a dead target), scratch resources and their ledger, the pre-flight check, cleanup."""
