"""The completion gate: a run in which every record ended in an error, a candidate none of whose records came
through without one, or a judge that gave not one verdict for errors, fails it (exit 3) whatever
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


def test_without_max_error_rate_the_default_holds_under_the_plain_name(nightly):
    # It asserted the old default (no max_error_rate: 7 of 8 records in error passed); the default is now 5%.
    project, bot = nightly
    write_eval(project, None)
    bot.failing_cases = {"n01", "n02", "n03", "n04", "n05", "n06", "n07"}  # 7 of 8: one record was graded
    assert run("most-errors") == 3
    gate = completion(project, "most-errors")
    assert gate["name"] == "run completed" and not gate["passed"]
    assert gate["detail"] == ("7 of 8 records (87.5%) with an error: 7 without a reply, above the default "
                              "max_error_rate 5.0% (the eval file sets none; max_error_rate: 1 turns it off)")


def test_a_max_error_rate_of_1_turns_the_share_off(nightly):
    project, bot = nightly
    write_eval(project, "1")
    bot.failing_cases = {"n01", "n02", "n03", "n04", "n05", "n06", "n07"}
    assert run("most-errors") in (0, 1)
    gate = completion(project, "most-errors")
    assert gate["passed"] and gate["detail"] == ("7 of 8 records (87.5%) with an error: 7 without a reply; "
                                                 "max_error_rate 1 (the share of errors is not held)")


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
    assert gate["detail"] == "1 of 8 records (12.5%) with an error: 1 without a reply, within max_error_rate 25.0%"


def _records(n: int, candidate: str = "bot", **fields):
    from harness.records.schema import Record

    return [Record(case_id=f"c{i}", candidate=candidate, reply="hi", **fields) for i in range(n)]


def test_a_judge_error_on_every_record_fails_the_run_even_when_checks_graded_them():
    # Every ask of the judge failed (a wrong api_base, a revoked key): the checks' verdicts do not make the run a
    # pass; the candidate and the judge are both named as causes.
    from harness.checks.base import CheckResult
    from harness.gates.tolerance import ErrorTally, within_tolerance
    from harness.records.schema import CriterionResult, ErrorInfo

    tally = ErrorTally()
    for record in _records(4, checks={"asks_question": CheckResult(passed=True)},
                           judge={"empathy": CriterionResult(error=ErrorInfo(kind="model_error", message="404"))}):
        tally.add(record)
    ok, detail = within_tolerance(tally.count(), "complete", None)
    assert not ok
    assert "no record of candidate bot (judge model_error 4) came through without an error" in detail
    assert "the judge gave no verdict: all 4 of its asks ended in an error (model_error 4)" in detail


def test_a_judge_error_beside_a_verdict_on_another_criterion_leaves_the_record_graded():
    from harness.gates.tolerance import ErrorTally, within_tolerance
    from harness.records.schema import CriterionResult, ErrorInfo

    tally = ErrorTally()
    for record in _records(4, judge={"empathy": CriterionResult(error=ErrorInfo(kind="judge_output", message="x")),
                                     "owns": CriterionResult(score=1.0, passed=True)}):
        tally.add(record)
    # max_error_rate 1 (it passed None, then no tolerance): the share is not what this holds, the verdicts are.
    ok, detail = within_tolerance(tally.count(), "complete", 1)
    assert ok and detail.startswith("4 of 4 records (100.0%) with an error: 4 with a judge error; max_error_rate 1")


def test_a_candidate_whose_every_reply_failed_fails_the_run_beside_one_that_was_graded():
    from harness.checks.base import CheckResult
    from harness.gates.tolerance import ErrorTally, within_tolerance
    from harness.records.schema import ErrorInfo, Record

    tally = ErrorTally()
    for record in _records(3, "recorded", checks={"asks_question": CheckResult(passed=True)}):
        tally.add(record)
    for i in range(3):
        tally.add(Record(case_id=f"c{i}", candidate="live", error=ErrorInfo(kind="timeout", message="slow")))
    ok, detail = within_tolerance(tally.count(), "complete", 0.9)  # even a tolerant max_error_rate
    assert not ok and detail == "no record of candidate live (timeout 3) came through without an error"


def test_criteria_not_applicable_are_no_error_of_the_judge():
    from harness.checks.base import CheckResult
    from harness.gates.tolerance import ErrorTally, within_tolerance
    from harness.records.schema import CriterionResult

    tally = ErrorTally()
    for record in _records(3, checks={"asks_question": CheckResult(passed=True)},
                           judge={"empathy": CriterionResult(applicable=False)}):
        tally.add(record)
    assert within_tolerance(tally.count(), "complete", None)[0]


def test_a_judge_that_always_fails_exits_3_naming_the_causes(nightly, capsys):
    from harness.models.fake import register_fake
    from harness.errors import ModelCallError

    project, _ = nightly
    register_fake("fake/nightly-judge", lambda messages, config: ModelCallError("HTTP 404: no such route"))
    assert run("judge-down") == 3
    gate = completion(project, "judge-down")
    assert not gate["passed"]
    assert "no record of candidate bot (judge model_error 8) came through without an error" in gate["detail"]
    assert "the judge gave no verdict: all 8 of its asks ended in an error (model_error 8)" in gate["detail"]
    summary = (project / "results/judge-down/summary.md").read_text()
    assert summary.startswith("## nightly: ❌ the run did not complete within its error tolerance (exit code 3)")
    assert "only a run whose every record" not in summary
    gates = json.loads((project / "results/judge-down/gates.json").read_text())["gates"]
    owns = next(g for g in gates if g["name"] == "min criterion owns_the_problem")
    assert owns["status"] == "failed"
    assert owns["detail"] == "not measured: every ask ended in an error (model_error 8) (minimum 50.0%)"
    assert "run incomplete: no record of candidate bot" in capsys.readouterr().out
