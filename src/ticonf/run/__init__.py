"""One conformance run: its shared state, the pytest invocation, supervision of the
pytest child and live progress."""
