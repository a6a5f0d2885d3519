"""The property-based half of ticonf: schemathesis over the four documented operations.

- `loading`: the spec loaded once per test module and configured from the run context.
- `workspace`: the real resources a generated request points at, and the completion of
  positive cases (a genuine image, existing assets, training images of the scratch model).
- `recording`: every request schemathesis sends, recorded as the running test's evidence.
- `stateful`: the state machine over the OpenAPI links, checking the model after each step.

The checks and their requirement IDs live in `ticonf.schema.checks`.
"""
