"""The vocabulary every layer shares: the requirement catalog, where ticonf's files are
and what a run writes, exit codes, errors and defaults. It imports no other layer."""
