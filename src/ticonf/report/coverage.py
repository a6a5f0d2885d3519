"""Coverage of the documentation: what of each operation's documented surface the run used.

Per operation (spec/openapi.yaml): the query parameters, the body fields, the enum values of
those fields (and of enum parameters) that a request of the run carried, and the documented
response codes a response of the run had. Read from the run's exchange log
(raw/exchanges-*.ndjson, every exchange of every test). An operation that never answered 2xx
was never reached beyond its validation: the run says so as a warning, because its checks of
that operation's logic then proved nothing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import parse_qsl, urlsplit

import yaml

from ticonf.core.catalog import OPENAPI_PATH
from ticonf.core.locations import EXCHANGES, raw_glob
from ticonf.core.operations import OPERATIONS
from ticonf.core.records import Coverage, OperationCoverage
from ticonf.report.problems import operation_of


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = functools.reduce(lambda n, k: n[k], node["$ref"][2:].split("/"), spec)
    return node


class Surface(TypedDict):
    """What openapi.yaml documents of one operation."""

    parameters: list[str]  # query parameters
    body_fields: list[str]
    enums: dict[str, list[Any]]  # of parameters and body fields
    statuses: list[int]


class _Seen(TypedDict):
    """What the run's requests to one operation carried, and the statuses they got."""

    requests: int
    parameters: set[str]
    fields: set[str]
    values: dict[str, set[str]]
    statuses: dict[int, int]


def _nothing_seen() -> _Seen:
    return _Seen(requests=0, parameters=set(), fields=set(), values={}, statuses={})


@functools.cache
def documented() -> dict[str, Surface]:
    """Per operation: query parameters, body fields, enum values and response codes."""
    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    surface: dict[str, Surface] = {}
    for operation in OPERATIONS:
        entry = spec["paths"][operation.path][operation.method.lower()]
        parameters = [_resolve(spec, p) for p in entry.get("parameters", [])]
        enums = {
            p["name"]: list(p.get("schema", {}).get("enum", []))
            for p in parameters
            if p.get("schema", {}).get("enum")
        }
        schema = _resolve(spec, entry.get("requestBody", {}))
        schema = _resolve(spec, schema.get("content", {}).get("application/json", {}).get("schema"))
        if isinstance(schema, dict) and schema.get("type") == "array":
            schema = _resolve(spec, schema.get("items"))
        properties = (schema or {}).get("properties", {}) if isinstance(schema, dict) else {}
        enums |= {name: list(p["enum"]) for name, p in properties.items() if p.get("enum")}
        surface[operation.name] = Surface(
            parameters=[p["name"] for p in parameters if p.get("in") == "query"],
            body_fields=list(properties),
            enums=enums,
            statuses=[int(code) for code in entry.get("responses", {}) if code.isdigit()],
        )
    return surface


def read_exchange_log(raw_dir: Path) -> list[dict[str, Any]]:
    exchanges = []
    for path in sorted(raw_dir.glob(raw_glob(EXCHANGES))):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                exchanges.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a killed worker
    return exchanges


def _body_objects(body: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(body) if body else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than json can follow
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _seen(exchanges: Iterable[dict[str, Any]]) -> dict[str, _Seen]:
    seen: dict[str, _Seen] = {}
    for exchange in exchanges:
        operation = operation_of(exchange)
        if operation not in documented():
            continue
        mine = seen.setdefault(operation, _nothing_seen())
        mine["requests"] += 1
        for name, value in parse_qsl(urlsplit(exchange.get("url", "")).query, True):
            mine["parameters"].add(name)
            mine["values"].setdefault(name, set()).add(value)
        for item in _body_objects(exchange.get("request_body")):
            for name, value in item.items():
                mine["fields"].add(name)
                if isinstance(value, str):
                    mine["values"].setdefault(name, set()).add(value)
        status = exchange.get("status")
        if status is not None:
            mine["statuses"][status] = mine["statuses"].get(status, 0) + 1
    return seen


def _operation_coverage(operation: str, doc: Surface, mine: _Seen) -> OperationCoverage:
    statuses = mine["statuses"]
    return OperationCoverage(
        operation=operation,
        requests=mine["requests"],
        reached_logic=any(200 <= s < 300 for s in statuses),
        parameters={p: p in mine["parameters"] for p in doc["parameters"]},
        body_fields={f: f in mine["fields"] for f in doc["body_fields"]},
        enums={
            name: {v: v in mine["values"].get(name, set()) for v in values}
            for name, values in doc["enums"].items()
        },
        statuses={str(code): statuses.get(code, 0) for code in doc["statuses"]},
        undocumented_statuses={
            str(code): count
            for code, count in sorted(statuses.items())
            if code not in doc["statuses"]
        },
    )


def coverage(exchanges: list[dict[str, Any]]) -> Coverage:
    """The `coverage` section of report.json."""
    seen = _seen(exchanges)
    operations: list[OperationCoverage] = []
    warnings: list[str] = []
    for operation, doc in documented().items():
        mine = seen.get(operation) or _nothing_seen()
        entry = _operation_coverage(operation, doc, mine)
        operations.append(entry)
        if mine["requests"] and not entry["reached_logic"]:
            warnings.append(
                f"{operation}: none of its {mine['requests']} request(s) got a 2xx, so the run "
                "never reached the operation's logic (every answer was a rejection)"
            )
        elif not mine["requests"]:
            warnings.append(f"{operation}: the run sent it no request")
    return Coverage(operations=operations, warnings=warnings, exchanges=len(exchanges))
