"""Files users hand to the report side: an earlier report.json and a known-deviations file.

Both are user input, so every problem becomes a ReportInputError whose message is the one
line the user sees (exit 2), never a traceback.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ticonf.core.catalog import load_catalog
from ticonf.core.locations import REPORT_SCHEMA_PATH
from ticonf.report.model import FORMAT_VERSION

SCHEMA_PATH = REPORT_SCHEMA_PATH
DEVIATION_KEYS = {"id", "reason"}


class ReportInputError(Exception):
    """A user-supplied file ticonf cannot use; the message is one line that says why."""


@functools.cache
def report_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_problems(document: Any) -> list[str]:
    """Where `document` departs from spec/report.schema.json, one line each (empty: valid)."""
    validator = jsonschema.Draft202012Validator(report_schema())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message[:160]}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInputError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise ReportInputError(f"{what} {path} is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ReportInputError(f"cannot read {what} {path}: {reason}") from None


def load_report(path: str | Path, what: str = "the report") -> dict[str, Any]:
    """A report.json written by ticonf, checked against the schema of its format version."""
    path = Path(path)
    text = _read_text(path, what)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ReportInputError(f"{what} {path} is not valid JSON ({error})") from None
    version = document.get("format_version") if isinstance(document, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise ReportInputError(
            f"{what} {path} has format_version {version}, this ticonf reads up to "
            f"{FORMAT_VERSION}: upgrade ticonf"
        )
    problems = schema_problems(document)
    if problems:
        raise ReportInputError(
            f"{what} {path} is not a ticonf report.json ({problems[0]}; "
            f"{len(problems)} problem(s) in all)"
        )
    return document


def load_deviations(path: str | Path) -> dict[str, str]:
    """The known deviations of a --expect-fail file: requirement ID -> the vendor's reason.

    The file is YAML: `deviations:` followed by a list of `{id: REQ-ID, reason: sentence}`.
    """
    path = Path(path)
    what = "the --expect-fail file"
    try:
        document = yaml.safe_load(_read_text(path, what))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ReportInputError(f"{what} {path} is not valid YAML{line}") from None
    entries = document.get("deviations") if isinstance(document, dict) else None
    if not isinstance(entries, list) or set(document) != {"deviations"}:
        raise ReportInputError(
            f"{what} {path} must hold one key, `deviations:`, a list of {{id, reason}} entries"
        )
    deviations: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        requirement_id, reason = _deviation_entry(entry, f"{what} {path}, entry {number}")
        if requirement_id in deviations:
            raise ReportInputError(f"{what} {path} lists {requirement_id} twice")
        deviations[requirement_id] = reason
    return deviations


def _deviation_entry(entry: Any, where: str) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise ReportInputError(f"{where}: expected `id:` and `reason:`, got {type(entry).__name__}")
    extra = sorted(set(entry) - DEVIATION_KEYS, key=str)
    if extra:
        raise ReportInputError(f"{where}: unknown key {extra[0]!r} (only id and reason)")
    requirement_id = entry.get("id")
    if not isinstance(requirement_id, str) or requirement_id not in load_catalog():
        raise ReportInputError(
            f"{where}: {requirement_id!r} is not a requirement ID of spec/requirements.yaml"
        )
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ReportInputError(f"{where} ({requirement_id}): give a reason for the deviation")
    return requirement_id, " ".join(reason.split())
