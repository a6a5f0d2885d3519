"""junit.xml with one test case per requirement, so CI systems show requirement IDs.

A failed requirement is a <failure> carrying its evidence (message and curl line of each
failure); a known deviation is <skipped> with its reason, so it stays visible without failing
the job; a run error becomes an <error> test case of its own, so an inconclusive run never
looks green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ticonf.core.vocabulary import Status
from ticonf.report.text import clean, one_line, reason


def _evidence(failure: dict[str, Any]) -> str:
    lines = [failure["test"], failure["message"]]
    exchanges = failure.get("exchanges") or []
    if exchanges:
        last = exchanges[-1]
        lines += [
            f"last exchange: {last.get('method')} {last.get('url')} -> {last.get('status')}",
            f"response: {last.get('response_body') or ''}"[:1000],
            f"reproduce: {last.get('curl', '')}"[:2000],
        ]
    return clean("\n".join(lines))


def _case(suite: ET.Element, req: dict[str, Any]) -> ET.Element:
    return ET.SubElement(
        suite,
        "testcase",
        classname=f"ticonf.{req['operation']}",
        name=clean(f"{req['id']} {req['level']}: {req['statement']}"),
        time=f"{sum(t.get('duration_s') or 0 for t in req['tests']):.3f}",
    )


def _outcome(case: ET.Element, req: dict[str, Any]) -> str:
    """Fill `case` for the requirement's status; returns the JUnit category it falls in."""
    status = req["status"]
    if status == Status.FAILED:
        node = ET.SubElement(
            case, "failure", message=one_line(reason(req["failures"][0]["message"]), 500)
        )
        node.text = "\n\n".join(_evidence(f) for f in req["failures"])
        return "failures"
    if status == Status.EXPECTED_FAILURE:
        why = req["expected_failure"]["reason"]
        ET.SubElement(case, "skipped", message=one_line(f"known deviation: {why}", 500))
        ET.SubElement(case, "system-out").text = "\n\n".join(_evidence(f) for f in req["failures"])
        return "skipped"
    if status == Status.ERROR:
        first = req["errors"][0]["message"] if req["errors"] else "the run could not check it"
        node = ET.SubElement(case, "error", message=one_line(first, 500))
        node.text = clean("\n\n".join(f"{e['test']}\n{e['message']}" for e in req["errors"]))
        return "errors"
    if status in (Status.SKIPPED, Status.UNTESTED):
        ET.SubElement(case, "skipped", message=f"{status}: no test of this run completed a check")
        return "skipped"
    return "passed"


def _run_error_case(suite: ET.Element, errors: list[dict[str, Any]]) -> None:
    case = ET.SubElement(suite, "testcase", classname="ticonf.run", name="RUN: the run itself")
    node = ET.SubElement(
        case, "error", message=one_line(f"{len(errors)} run error(s): the verdict is inconclusive")
    )
    node.text = clean(
        "\n\n".join(f"{e['test'] or 'the run'} ({e['kind']})\n{e['message']}" for e in errors)
    )


def render_junit(report: dict[str, Any]) -> str:
    run = report["run"]
    suite = ET.Element(
        "testsuite", name="ticonf", timestamp=run["started_at"], time=f"{run['duration_s']:.3f}"
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("verdict", "verdict_reason"):
        ET.SubElement(properties, "property", name=name, value=clean(report[name]))
    for name in ("target", "run_id", "profile", "seed", "suite_version", "spec_sha256"):
        ET.SubElement(properties, "property", name=name, value=clean(run[name]))
    tally = {"failures": 0, "errors": 0, "skipped": 0, "passed": 0}
    for req in report["requirements"]:
        tally[_outcome(_case(suite, req), req)] += 1
    if report["errors"]:
        _run_error_case(suite, report["errors"])
        tally["errors"] += 1
    suite.set("tests", str(sum(tally.values())))
    for key in ("failures", "errors", "skipped"):
        suite.set(key, str(tally[key]))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
