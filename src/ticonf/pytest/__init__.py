"""The pytest front end: ticonf's plugin (options, fixtures, per-test records)."""
