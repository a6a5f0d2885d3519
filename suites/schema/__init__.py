"""Property-based conformance tests: schemathesis over the four documented operations."""
