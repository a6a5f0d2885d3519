"""Requests per test and per kind, from a finished run's raw exchanges (issue 15, step 3).

    .venv/bin/python bench/requests_per_test.py REPORT_DIR [--top N] [--json]

Reads REPORT_DIR/raw/exchanges-*.ndjson (every exchange a run made, with the test that made
it) and sorts each exchange into one kind: the fixture calls (model create, read, delete;
asset create, delete), the images a provisioner adds for a test's set-up (their names carry
the run's `-image-` marker) and the operation under test (every other call of the four
operations, and any other request). Prints the totals per kind, then the tests that make the
most requests with their split, so that waste shows where it is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

KINDS = (
    "model create",
    "model read",
    "model delete",
    "asset create",
    "asset delete",
    "image set-up",
    "operation",
)
# The name a Provisioner gives the images it adds: ticonf-<run id>-image-<pid>-<n>.png
SET_UP_IMAGE = re.compile(r'"name": "ticonf-[^"]*-image-\d+-\d+\.png"')
MODEL_PATH = re.compile(r"/models/[^/]+$")


def kind_of(exchange: dict) -> str:
    method = exchange["method"]
    path = urlsplit(exchange["url"]).path.removeprefix("/v1")
    if path == "/models" and method == "POST":
        return "model create"
    if MODEL_PATH.fullmatch(path) and method in ("GET", "DELETE"):
        return "model read" if method == "GET" else "model delete"
    if path == "/assets":
        return "asset create" if method == "POST" else "asset delete"
    body = exchange.get("request_body") or ""
    if method == "POST" and path.endswith("/training-images") and SET_UP_IMAGE.search(body):
        return "image set-up"
    return "operation"


def test_name(nodeid: str) -> str:
    """A test function's node ID without its parameters (their cases count together)."""
    return nodeid.split("[", 1)[0].removeprefix("suites/scenarios/")


def count(report_dir: Path) -> dict[str, Counter[str]]:
    """For each test function, its requests per kind."""
    per_test: dict[str, Counter[str]] = defaultdict(Counter)
    files = sorted((report_dir / "raw").glob("exchanges-*.ndjson"))
    if not files:
        sys.exit(f"no raw/exchanges-*.ndjson in {report_dir}")
    for path in files:
        for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: U+2028 in names
            if not line:
                continue
            exchange = json.loads(line)
            per_test[test_name(exchange.get("test") or "<none>")][kind_of(exchange)] += 1
    return per_test


def totals(per_test: dict[str, Counter[str]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for kinds in per_test.values():
        total.update(kinds)
    return total


def table(per_test: dict[str, Counter[str]], top: int) -> list[str]:
    total = totals(per_test)
    all_requests = sum(total.values())
    lines = [f"{all_requests} requests in {len(per_test)} test functions", ""]
    lines += [f"  {kind:<13} {total[kind]:>6}  {total[kind] / all_requests:6.1%}" for kind in KINDS]
    header = "requests  " + "  ".join(f"{kind.split()[-1][:6]:>6}" for kind in KINDS) + "  test"
    lines += ["", "kinds: " + ", ".join(KINDS), header]
    ranked = sorted(per_test.items(), key=lambda item: -sum(item[1].values()))
    for name, kinds in ranked[:top]:
        split = "  ".join(f"{kinds[kind]:>6}" for kind in KINDS)
        lines.append(f"{sum(kinds.values()):>8}  {split}  {name}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--top", type=int, default=40, help="tests listed (40)")
    parser.add_argument("--json", action="store_true", help="per test and kind, as JSON")
    args = parser.parse_args()
    per_test = count(args.report_dir)
    if args.json:
        print(json.dumps({"totals": totals(per_test), "tests": per_test}, indent=1))
        return
    print("\n".join(table(per_test, args.top)))


if __name__ == "__main__":
    main()
