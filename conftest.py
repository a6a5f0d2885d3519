"""pytest wiring for the conformance suites.

Options (`--target`, `--api-key`, `--api-secret`, `--profile`, `--seed`, `--report-dir`,
`--run-id`), the run context, the fixtures (`target`, `api`, `provision`, `model_id`,
`observe`) and the per-test records all live in `ticonf.plugin.hooks`, so that `ticonf run`
and plain `pytest suites/` behave the same.
"""

pytest_plugins = ["ticonf.plugin.hooks"]
