# The two commands of the README. Both set everything up on a fresh machine with python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: a full conformance run against the embedded reference server; reports in reports/<run-id>/
run: $(STAMP)
	$(BIN)/ticonf run

## test: lint, types (mypy), import layers (lint-imports), then the project's own tests on 2 workers
test: $(STAMP) browser
	$(BIN)/ruff check src suites tests conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest tests -n 2 --dist loadgroup -p no:cacheprovider

## browser: Debian's headless chromium, for the HTML report test
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src suites tests conftest.py
	$(BIN)/ruff format --check src suites tests conftest.py

clean:
	rm -rf $(VENV) src/*.egg-info
