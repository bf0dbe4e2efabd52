"""``junit.xml``: a run as JUnit XML, the format every CI system shows.

One ``<testsuite>`` per candidate (``EVAL.CANDIDATE``) holding one
``<testcase>`` per case, and the gates as their own suite, ``EVAL.gates``, one
test case each (skipped when it had nothing to measure), and one skipped test
case per note.

What fails a case's test case is what the run is held to (``gated``, the
default): a check or criterion whose gate failed for that candidate (a ``min``:
every case that failed the measure; a ``max_regression``: the cases that got
worse), and a case error when the run failed its error tolerance. A failure no
failed gate holds is listed in ``<system-out>`` (the test case passes); a case
error within the tolerance is ``<skipped>`` (the case was not graded). So a
green night reads green, and a red one points at the cases behind it. ``all``
(``--junit all`` or ``HARNESS_JUNIT=all``) makes every failing check and criterion a
``<failure>`` and every case error an ``<error>``, as a per-assertion tool does.

A check that crashed on a case (a custom check that raised) is an error of the
case's check, never a failure: an ``<error type="check_crashed">`` naming it, with
``all``, when a failed gate holds that check, or when the run failed its error
tolerance; otherwise an ``error:`` line in ``<system-out>`` (the reply was graded by
the other checks, so the case is not skipped).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

from harness.checks.base import CHECK_CRASHED
from harness.ci.verdicts import CaseOutcome, by_candidate
from harness.errors import ConfigError
from harness.gates.outcome import gate_measure
from harness.records.store import atomic_write_text

JUNIT_FILE = "junit.xml"
GATED, ALL = "gated", "all"  # what fails a case's test case: a failed gate's measure, or any failure
JUNIT_ENV = "HARNESS_JUNIT"
MESSAGE_CHARS = 300
# Characters XML 1.0 cannot carry at all (not even escaped); a reply may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def junit_mode(value: str | None) -> str:
    """``gated`` (the default) or ``all``; ``value`` is the caller's choice, else ``$HARNESS_JUNIT``. Anything
    else is a ConfigError naming the variable, raised before the run makes a call."""
    import os

    chosen = value if value is not None else os.environ.get(JUNIT_ENV) or GATED
    if chosen not in (GATED, ALL):
        raise ConfigError(f"must be {GATED!r} (a case fails on what a failed gate holds) or {ALL!r} (on any failing "
                          f"check or criterion); got {chosen!r}", field=JUNIT_ENV)
    return chosen


def render_junit(eval_name: str, cases: list[CaseOutcome], outcome=None, timestamp: str | None = None,
                 mode: str = GATED) -> str:
    """The JUnit XML text of a run's ``cases`` (:func:`~harness.ci.verdicts.case_outcomes` of its records)
    and (optionally) its :class:`GateOutcome`; ``mode`` :data:`GATED` or :data:`ALL` (see the module).
    Without an outcome nothing is held, so every failure fails its case, as with ``all``."""
    held = _Held(outcome) if mode == GATED and outcome is not None else None
    root = ET.Element("testsuites", name=f"harness {eval_name}")
    for candidate, outcomes in by_candidate(cases).items():
        root.append(_candidate_suite(f"{eval_name}.{candidate}", outcomes, timestamp, held))
    if outcome is not None:
        root.append(_gate_suite(f"{eval_name}.gates", outcome, timestamp))
    _count(root, root.findall("testsuite"))
    _clean(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(path: str | Path, eval_name: str, cases: list[CaseOutcome], outcome=None,
                timestamp: str | None = None, mode: str = GATED) -> Path:
    path = Path(path)
    atomic_write_text(path, render_junit(eval_name, cases, outcome, timestamp, mode))
    return path


class _Held:
    """What the failed gates of a run hold, per candidate and measure: every case (a ``min``) or the cases
    that got worse (a ``max_regression``); and whether case errors failed the run (its error tolerance)."""

    def __init__(self, outcome) -> None:
        self.errors_failed = not outcome.complete
        self.cases: dict[tuple[str, str], set[str] | None] = {}
        for gate in outcome.failed:
            measure = gate_measure(gate)
            if measure is None or gate.candidate is None:
                continue
            key = (gate.candidate, " ".join(measure))
            earlier = self.cases.get(key, set())
            # None: every case that failed the measure is behind the gate (a minimum; a crashed check).
            self.cases[key] = None if earlier is None or not gate.cases else earlier | set(gate.cases)

    def holds(self, candidate: str, case_id: str, measure: str) -> bool:
        key = (candidate, measure)
        if key not in self.cases:
            return False
        cases = self.cases[key]
        return cases is None or case_id in cases


def _suite(name: str, timestamp: str | None) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    if timestamp:
        suite.set("timestamp", timestamp)
    return suite


def _candidate_suite(name: str, outcomes: list[CaseOutcome], timestamp: str | None,
                     held: _Held | None = None) -> ET.Element:
    suite = _suite(name, timestamp)
    if held is not None:
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="harness.junit", value=f"{GATED}: a case fails on what a failed "
                      f"gate holds; other failures are in system-out (--junit {ALL} or {JUNIT_ENV}={ALL} fails on "
                      f"every one)")
    for outcome in outcomes:
        suite.append(_case(name, outcome) if held is None else _gated_case(name, outcome, held))
    _count(suite, suite.findall("testcase"))
    return suite


def _case(classname: str, outcome: CaseOutcome) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=outcome.case_id, time=f"{outcome.latency_s:.3f}")
    _error(case, outcome, outcome.errors, outcome.check_errors())
    failed = outcome.failed_names
    if failed:
        failure = ET.SubElement(case, "failure", type="harness.verdict", message=_short("failed: " + ", ".join(failed)))
        failure.text = "\n".join(outcome.failures_of(lambda name: True, crashes=False)[0])
    if outcome.reply:
        ET.SubElement(case, "system-out").text = f"reply: {outcome.reply}"
    return case


def _error(case: ET.Element, outcome: CaseOutcome, case_errors: list[str], check_errors: list[str]) -> None:
    """The case's ``<error>``: its case errors (``type`` their kind) and crashed checks (``check_crashed``)."""
    lines = case_errors + check_errors
    if lines:
        kind = outcome.error_kind if case_errors else CHECK_CRASHED
        ET.SubElement(case, "error", type=kind, message=_short("; ".join(lines))).text = "\n".join(lines)


def _gated_case(classname: str, outcome: CaseOutcome, held: _Held) -> ET.Element:
    """A case's test case when only what a failed gate holds fails it (see the module)."""
    case = ET.Element("testcase", classname=classname, name=outcome.case_id, time=f"{outcome.latency_s:.3f}")
    holds = partial(held.holds, outcome.candidate, outcome.case_id)
    names = [name for name in outcome.failed_names if holds(name)]
    lines, others = outcome.failures_of(holds, crashes=False)
    # A crashed check is an error where its check is held (a failed gate on it) or every error is (exit 3).
    crashes = outcome.check_errors(lambda name: held.errors_failed or holds(name))
    loose = outcome.check_errors(lambda name: not (held.errors_failed or holds(name)))
    out = []
    if names:
        failure = ET.SubElement(case, "failure", type="harness.verdict", message=_short("failed: " + ", ".join(names)))
        failure.text = "\n".join(lines)
    _error(case, outcome, outcome.errors if held.errors_failed else [], crashes)
    if outcome.errors and not held.errors_failed and not names and not crashes:
        ET.SubElement(case, "skipped", message=_short("not graded (within the run's error tolerance): "
                                                      + "; ".join(outcome.errors)))
    elif outcome.errors and not held.errors_failed:
        out += [f"error: {line}" for line in outcome.errors]
    out += [f"error (no failed gate holds the check): {line}" for line in loose]
    if others:
        out += ["not held by a failed gate:"] + [f"  {line}" for line in others]
    if outcome.reply:
        out.append(f"reply: {outcome.reply}")
    if out:
        ET.SubElement(case, "system-out").text = "\n".join(out)
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
