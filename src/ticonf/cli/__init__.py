"""The `ticonf` command front end: one module per command."""
