"""``junit.xml``: a run as JUnit XML, the format every CI system shows.

One ``<testsuite>`` per candidate (``EVAL.CANDIDATE``) holding one
``<testcase>`` per case: a ``<failure>`` names each failing check (with its
evidence) and criterion (with the judge's reason); a case error is an
``<error>``. Gates are their own suite, ``EVAL.gates``, one test case each
(skipped when it had nothing to measure), and one skipped test case per note.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from harness.ci.verdicts import CaseOutcome, by_candidate
from harness.records.store import atomic_write_text

JUNIT_FILE = "junit.xml"
MESSAGE_CHARS = 300
# Characters XML 1.0 cannot carry at all (not even escaped); a reply may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_junit(eval_name: str, cases: list[CaseOutcome], outcome=None, timestamp: str | None = None) -> str:
    """The JUnit XML text of a run's ``cases`` (:func:`~harness.ci.verdicts.case_outcomes` of its records)
    and (optionally) its :class:`GateOutcome`."""
    root = ET.Element("testsuites", name=f"harness {eval_name}")
    for candidate, outcomes in by_candidate(cases).items():
        root.append(_candidate_suite(f"{eval_name}.{candidate}", outcomes, timestamp))
    if outcome is not None:
        root.append(_gate_suite(f"{eval_name}.gates", outcome, timestamp))
    _count(root, root.findall("testsuite"))
    _clean(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(path: str | Path, eval_name: str, cases: list[CaseOutcome], outcome=None,
                timestamp: str | None = None) -> Path:
    path = Path(path)
    atomic_write_text(path, render_junit(eval_name, cases, outcome, timestamp))
    return path


def _suite(name: str, timestamp: str | None) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    if timestamp:
        suite.set("timestamp", timestamp)
    return suite


def _candidate_suite(name: str, outcomes: list[CaseOutcome], timestamp: str | None) -> ET.Element:
    suite = _suite(name, timestamp)
    for outcome in outcomes:
        suite.append(_case(name, outcome))
    _count(suite, suite.findall("testcase"))
    return suite


def _case(classname: str, outcome: CaseOutcome) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=outcome.case_id, time=f"{outcome.latency_s:.3f}")
    if outcome.errors:
        error = ET.SubElement(case, "error", type=outcome.error_kind, message=_short("; ".join(outcome.errors)))
        error.text = "\n".join(outcome.errors)
    if outcome.failing_names:
        failure = ET.SubElement(case, "failure", type="harness.verdict",
                                message=_short("failed: " + ", ".join(outcome.failing_names)))
        failure.text = "\n".join(outcome.failures)
    if outcome.reply:
        ET.SubElement(case, "system-out").text = f"reply: {outcome.reply}"
    return case


def _gate_suite(name: str, outcome, timestamp: str | None) -> ET.Element:
    suite = _suite(name, timestamp)
    for gate in outcome.gates:
        case = ET.SubElement(suite, "testcase", classname=name, name=gate.label, time="0")
        if not gate.passed:
            failure = ET.SubElement(case, "failure", type="harness.gate", message=_short(gate.detail))
            failure.text = gate.detail + (f"\ncases that got worse: {', '.join(gate.cases)}" if gate.cases else "")
        elif not gate.measured:
            ET.SubElement(case, "skipped", message=_short(gate.detail))
        else:
            ET.SubElement(case, "system-out").text = gate.detail
    for note in outcome.general_notes():
        skipped = ET.SubElement(suite, "testcase", classname=name, name=note, time="0")
        ET.SubElement(skipped, "skipped", message=note)
    _count(suite, suite.findall("testcase"))
    return suite


def _count(element: ET.Element, children: list[ET.Element]) -> None:
    if element.tag == "testsuites":
        totals = {k: sum(int(c.get(k, 0)) for c in children) for k in ("tests", "failures", "errors", "skipped")}
    else:
        totals = {"tests": len(children), "failures": sum(c.find("failure") is not None for c in children),
                  "errors": sum(c.find("error") is not None for c in children),
                  "skipped": sum(c.find("skipped") is not None for c in children)}
    for key, value in totals.items():
        element.set(key, str(value))


def _short(text: str) -> str:
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def _clean(root: ET.Element) -> None:
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
        for key, value in element.attrib.items():
            element.set(key, _NOT_XML.sub("\ufffd", value))
