"""A gate with nothing to measure is a warning (⚠️), not a pass (✅), in summary.md, junit.xml and gates.json,
and the pytest plugin warns of it; a baseline that shares no graded case with the run fails the gated run
(exit 2: nothing was compared) instead of passing every regression gate as 'not measured'."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.ci.nightly import gate_run
from harness.cli.main import main
from harness.pytest_plugin import EvalRun, HarnessGateWarning
from tests.nightly.conftest import EVAL

# escalation_offered applies to none of the test cases: its gates have nothing to measure.
GATES = """\
gates:
  checks:
    no_contradiction: {min: 0.75, max_regression: 0.10}
    escalation_offered: {min: 0.5, max_regression: 0.10}
"""


def write(project, gates: str = GATES) -> None:
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    text = text.replace("checks: [no_contradiction, apology_wording, next_step]", "checks: [no_contradiction, "
                        "escalation_offered]")
    (project / "nightly.yaml").write_text(text.split("gates:\n")[0] + gates)


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def gates_json(project, out: str) -> dict:
    return json.loads((project / f"results/{out}/gates.json").read_text())


def junit_gates(project, out: str) -> dict[str, ET.Element]:
    root = ET.parse(project / f"results/{out}/junit.xml").getroot()
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "nightly.gates")
    return {case.get("name"): case for case in suite.iter("testcase")}


def test_a_gate_with_nothing_to_measure_is_a_warning_everywhere(nightly, capsys):
    project, _ = nightly
    write(project)
    assert run("base") == 0
    capsys.readouterr()
    assert run("next", "--baseline", "results/base") == 0
    out = capsys.readouterr()
    assert "gates:     all passed, 2 not measured (exit code 0)" in out.out
    assert "harness: note: min check escalation_offered [bot]: not measured: it applied to no case" in out.err

    data = gates_json(project, "next")
    status = {(g["name"], g["candidate"]): g["status"] for g in data["gates"]}
    assert status[("min check escalation_offered", "bot")] == "not_measured"
    assert status[("max regression check escalation_offered", "bot")] == "not_measured"
    assert status[("min check no_contradiction", "bot")] == "passed"
    assert data["passed"] and data["exit_code"] == 0

    summary = (project / "results/next/summary.md").read_text()
    assert summary.startswith("## nightly: ✅ all gates passed, 2 not measured (exit code 0)")
    rows = [line for line in summary.splitlines() if "escalation_offered |" in line and line.startswith("| ")]
    assert len(rows) == 2 and all(row.startswith("| ⚠️ |") for row in rows)
    assert "- min check escalation_offered" not in summary  # shown once, as its row, not again as a note

    cases = junit_gates(project, "next")
    skipped = cases["max regression check escalation_offered [bot]"].find("skipped")
    assert skipped is not None and "no case was graded on both sides" in skipped.get("message")
    assert cases["min check no_contradiction [bot]"].find("skipped") is None
    assert len(cases) == 5  # the completion gate, two minimums, two regressions: no note repeats a gate

    with pytest.warns(HarnessGateWarning, match="escalation_offered"):
        EvalRun(project / "results/next").assert_gates_passed()


def test_a_baseline_sharing_no_case_fails_the_gated_run_with_exit_2(nightly, capsys):
    project, _ = nightly
    write(project)
    assert run("base", "--cases", "n01,n02,n03") == 0
    assert run("other", "--cases", "n05,n06,n07") == 0
    gated = gate_run(project / "results/other", Path("results/base"))  # what the run finds after its calls
    assert gated.exit_code == 2
    failed = [(g.name, g.detail) for g in gated.outcome.failed]
    assert failed == [("baseline usable", "results/base: shares no case with this run (of the candidates gated): "
                                          "nothing was compared")]
    assert not any(g.name.startswith("max regression") for g in gated.outcome.gates)
    summary = (project / "results/other/summary.md").read_text()
    assert summary.startswith("## nightly: ❌ the baseline could not be used (exit code 2)")
    assert "| ❌ | baseline usable | — | results/base: shares no case" in summary
    assert "- max_regression gates were not evaluated: the baseline could not be used" in summary
    assert junit_gates(project, "other")["baseline usable"].find("failure") is not None
    data = gates_json(project, "other")
    assert data["exit_code"] == 2 and not data["passed"]


def test_shared_cases_none_graded_on_both_sides_fail_too(nightly):
    project, bot = nightly
    write(project)
    assert run("base", "--cases", "n01,n02,n03") == 0
    bot.failing_cases = {"n01", "n02", "n03"}
    run("worse", "--cases", "n01,n02,n03,n04,n05,n06,n07,n08")
    gated = gate_run(project / "results/worse", Path("results/base"))
    assert [g.detail for g in gated.outcome.failed if g.name == "baseline usable"] == [
        "results/base: no case was graded on both sides (the 3 cases shared ended in an error on one side or the "
        "other): nothing was compared"]


def test_a_baseline_without_regression_gates_is_not_compared(nightly, capsys):
    project, _ = nightly
    write(project, "gates:\n  checks:\n    no_contradiction: {min: 0.75}\n")
    assert run("base", "--cases", "n01") == 0
    capsys.readouterr()
    assert run("next", "--cases", "n05", "--baseline", "results/base") == 0
    assert "harness: note: the baseline was not used: no gate sets a max_regression" in capsys.readouterr().err


def _minimum_of(scores, kind: str, name: str, scale: str | None = None):
    """The one minimum gate of ``scores`` (a CandidateScores) on ``name``, held at 0.5."""
    from harness.gates.evaluate import minimum_gates
    from harness.gates.spec import GatesSpec
    from harness.scoring.schema import CriterionInfo, Scorecard

    spec = GatesSpec.model_validate({("criteria" if kind == "criterion" else "checks"): {name: {"min": 0.5}}})
    card = Scorecard.model_construct(candidates={"bot": scores}, checks=[name] if kind == "check" else [],
                                     criteria={name: CriterionInfo(scale=scale)} if kind == "criterion" else {})
    [gate] = minimum_gates(spec, card, ["bot"])
    return gate


def test_a_minimum_whose_every_ask_errored_fails_instead_of_blaming_applicability():
    from harness.scoring.schema import CandidateScores, CriterionSummary

    scores = CandidateScores(name="bot", n_records=10, criteria={"ack": CriterionSummary(
        n_errors=10, errors_by_kind={"model_error": 10})})
    gate = _minimum_of(scores, "criterion", "ack", "pass_fail")
    assert gate.status == "failed"
    assert gate.detail == "not measured: every ask ended in an error (model_error 10) (minimum 50.0%)"


def test_a_minimum_on_a_candidate_whose_every_reply_failed_fails():
    from harness.scoring.schema import CandidateScores

    scores = CandidateScores(name="bot", n_records=4, n_case_errors=4, case_errors_by_kind={"timeout": 4})
    gate = _minimum_of(scores, "check", "no_contradiction")
    assert gate.status == "failed"
    assert gate.detail == ("not measured: every record ended in a case error, with no reply to check (timeout 4) "
                           "(minimum 50.0%)")


def test_a_minimum_that_applied_to_nothing_stays_a_warning_and_a_mix_names_both():
    from harness.scoring.schema import CandidateScores, CheckSummary, CriterionSummary

    scores = CandidateScores(name="bot", n_records=5, checks={"esc": CheckSummary(n_not_applicable=5)})
    gate = _minimum_of(scores, "check", "esc")
    assert gate.status == "not_measured" and gate.detail == "not measured: it applied to no case (minimum 50.0%)"
    scores = CandidateScores(name="bot", n_records=5, criteria={"ack": CriterionSummary(
        n_not_applicable=3, n_errors=2, errors_by_kind={"judge_output": 2})})
    gate = _minimum_of(scores, "criterion", "ack", "pass_fail")
    assert gate.status == "not_measured"
    assert gate.detail == ("not measured: it applied to none of 3 records; 2 asks ended in an error "
                           "(judge_output 2) (minimum 50.0%)")
