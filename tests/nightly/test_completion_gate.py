"""The completion gate: a run in which every record ended in an error fails it (exit 3) whatever
max_error_rate says, and without max_error_rate the gate does not claim to hold one."""

from __future__ import annotations

import json

from harness.cli.main import main
from tests.nightly.conftest import CASE_TEXT, EVAL


def run(out: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet"])


def write_eval(project, max_error_rate: str | None) -> None:
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    line = "max_error_rate: 0.25\n"
    (project / "nightly.yaml").write_text(text.replace(line, "" if max_error_rate is None else
                                                       f"max_error_rate: {max_error_rate}\n"))


def completion(project, out: str) -> dict:
    gates = json.loads((project / f"results/{out}/gates.json").read_text())["gates"]
    return next(g for g in gates if g["name"].startswith("run completed"))


def test_every_record_in_error_without_max_error_rate_exits_3(nightly, capsys):
    project, bot = nightly
    write_eval(project, None)
    bot.failing_cases = set(CASE_TEXT)
    assert run("all-errors") == 3
    gate = completion(project, "all-errors")
    assert gate["name"] == "run completed" and not gate["passed"]
    assert "every record (8 of 8) ended in an error" in gate["detail"]
    summary = (project / "results/all-errors/summary.md").read_text()
    assert "✅" not in summary.split("### Figures")[0] and "within max_error_rate" not in summary
    assert "| ❌ | run completed | — | every record (8 of 8) ended in an error" in summary


def test_without_max_error_rate_some_errors_pass_under_the_plain_name(nightly):
    project, bot = nightly
    write_eval(project, None)
    bot.failing_cases = {"n01", "n02", "n03", "n04", "n05", "n06", "n07"}  # 7 of 8: one record was graded
    assert run("most-errors") in (0, 1)
    gate = completion(project, "most-errors")
    assert gate["name"] == "run completed" and gate["passed"]
    assert "7 of 8 records ended in an error (87.5%); no max_error_rate set" in gate["detail"]


def test_a_max_error_rate_of_1_still_fails_a_run_with_nothing_graded(nightly):
    project, bot = nightly
    write_eval(project, "1.0")
    bot.failing_cases = set(CASE_TEXT)
    assert run("all-errors") == 3
    gate = completion(project, "all-errors")
    assert gate["name"] == "run completed within max_error_rate" and not gate["passed"]


def test_with_max_error_rate_the_gate_names_it(nightly):
    project, bot = nightly
    bot.failing_cases = {"n01"}
    assert run("one-error") == 0
    gate = completion(project, "one-error")
    assert gate["name"] == "run completed within max_error_rate" and gate["passed"]
    assert gate["detail"] == "1 of 8 records ended in an error (12.5%), within max_error_rate 25.0%"


def test_a_judge_error_on_every_record_is_not_nothing_graded_when_checks_graded_them():
    from harness.gates.tolerance import ErrorTally, within_tolerance
    from harness.records.schema import CriterionResult, ErrorInfo, Record
    from harness.checks.base import CheckResult

    tally = ErrorTally()
    for i in range(4):
        tally.add(Record(case_id=f"c{i}", candidate="bot", reply="hi",
                         checks={"asks_question": CheckResult(passed=True)},
                         judge={"empathy": CriterionResult(error=ErrorInfo(kind="judge_output", message="junk"))}))
    ok, detail = within_tolerance(tally.count(), "complete", None)
    assert ok and "4 of 4 records ended in an error" in detail
    assert not within_tolerance(tally.count(), "complete", 0.5)[0]  # max_error_rate still counts them
    ungraded = ErrorTally()
    ungraded.add(Record(case_id="c0", candidate="bot", reply="hi",
                        judge={"empathy": CriterionResult(error=ErrorInfo(kind="judge_output", message="junk"))}))
    assert not within_tolerance(ungraded.count(), "complete", None)[0]
