"""junit.xml with one test case per requirement, so CI systems show requirement IDs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any


def render_junit(report: dict[str, Any]) -> str:
    suite = ET.Element("testsuite", name="ticonf", tests=str(len(report["requirements"])))
    failures = errors = skipped = 0
    for req in report["requirements"]:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"ticonf.{req['operation']}",
            name=f"{req['id']} {req['level']}: {req['statement']}",
        )
        status = req["status"]
        if status == "failed":
            failures += 1
            first = req["failures"][0] if req["failures"] else {"message": ""}
            node = ET.SubElement(case, "failure", message=first["message"][:500])
            node.text = "\n\n".join(f"{f['test']}\n{f['message']}" for f in req["failures"])
        elif status == "error":
            errors += 1
            ET.SubElement(case, "error", message="the run could not check this requirement")
        elif status in ("skipped", "untested"):
            skipped += 1
            ET.SubElement(case, "skipped", message=status)
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
