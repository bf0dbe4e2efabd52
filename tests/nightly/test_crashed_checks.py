"""A custom check that crashes is an errored measurement: it counts in max_error_rate, any gate on it fails
(a regression gate too, which passed as 'not measured'), and a notice names it in the summary, the banner's
verdict and gates.json, gated or not (a check crashing on every case gave a green night)."""

from __future__ import annotations

import json

from harness.cli.main import main
from harness.gates.tolerance import ErrorTally, within_tolerance
from harness.records.schema import Record
from tests.nightly.conftest import EVAL

CRASHY = ("import os\n"
          "def crashy(ctx):\n"
          "    if os.environ.get('CRASHY') == 'yes' or ctx.case.id in os.environ.get('CRASHY', '').split(','):\n"
          "        raise KeyError('tier')\n"
          "    return True\n")


def eval_text(tolerance: bool | str = True) -> str:
    """``tolerance``: the file's max_error_rate 0.25 (True), none (False: the default holds), or this value."""
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    text = text.replace("checks: [no_contradiction, apology_wording, next_step]\n",
                        "checks:\n  - no_contradiction\n  - {name: crashy, type: python, value: house.py:crashy}\n")
    if isinstance(tolerance, str):
        return text.replace("max_error_rate: 0.25\n", f"max_error_rate: {tolerance}\n")
    return text if tolerance else text.replace("max_error_rate: 0.25\n", "")


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def setup(project, monkeypatch, tolerance: bool | str = True, crash: bool | str = True) -> None:
    """``crash``: on every case (True), on none (False), or on the cases listed ("n01,n02")."""
    (project / "house.py").write_text(CRASHY)
    (project / "nightly.yaml").write_text(eval_text(tolerance))
    monkeypatch.setenv("CRASHY", crash if isinstance(crash, str) else "yes" if crash else "no")


def test_a_check_crashing_on_many_records_fails_max_error_rate(nightly, monkeypatch):
    # On 3 of 8 cases (it crashed on every case here before; that now fails whatever max_error_rate says).
    project, _ = nightly
    setup(project, monkeypatch, crash="n01,n02,n03")
    assert run("boom") == 3
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["completion"] == ("3 of 8 records (37.5%) with an error: 3 with a crashed check (crashy 3), "
                                   "above max_error_rate 25.0%")
    summary = (project / "results/boom/summary.md").read_text()
    assert summary.splitlines()[0] == ("## nightly: ❌ the run did not complete within its error tolerance, "
                                       "check crashy crashed (exit code 3)")
    assert "> ⚠️ check crashy crashed on 3 of 8 records (bot 3)" in summary


def test_with_the_share_not_held_a_crash_on_some_records_is_a_notice_on_a_passing_night(nightly, monkeypatch,
                                                                                         capsys):
    # It crashed on n01 only (it used to crash on every case here: that night now fails, see the next test).
    project, _ = nightly
    setup(project, monkeypatch, tolerance="1", crash="n01")  # the share of errors not held (default: next test)
    assert run("boom") == 0  # no gate holds crashy: nothing held failed, but it is said, not hidden
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["notes"][0].startswith("check crashy crashed on 1 of 8 records (bot 1): it decided nothing there")
    summary = (project / "results/boom/summary.md").read_text()
    assert summary.splitlines()[0] == "## nightly: ✅ all gates passed, check crashy crashed (exit code 0)"
    assert "1 of 8 records (12.5%) with an error: 1 with a crashed check (crashy 1)" in summary
    assert "harness: note: check crashy crashed on 1 of 8 records" in capsys.readouterr().err
    assert "check crashy crashed" in (project / "results/boom/report.html").read_text()
    junit = (project / "results/boom/junit.xml").read_text()
    assert 'name="check crashy crashed on 1 of 8 records' in junit  # a skipped test case in the gates suite


def test_without_max_error_rate_a_check_crashing_on_every_record_leaves_the_run_incomplete(nightly, monkeypatch):
    """It decided nothing at all, as a judge whose every ask failed: exit 3, the cause named, not a green night."""
    project, _ = nightly
    setup(project, monkeypatch, tolerance=False)
    assert run("boom") == 3
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["complete"] is False and gates["exit_code"] == 3
    assert gates["completion"] == ("check crashy gave no verdict: it crashed on all 8 records it ran on (each "
                                   "record's detail says why)")
    summary = (project / "results/boom/summary.md").read_text()
    assert summary.splitlines()[0] == ("## nightly: ❌ the run did not complete within its error tolerance, "
                                       "check crashy crashed (exit code 3)")
    assert "check crashy gave no verdict" in summary


def test_a_regression_gate_on_a_check_that_now_crashes_fails(nightly, monkeypatch):
    project, _ = nightly
    setup(project, monkeypatch, tolerance="1", crash=False)  # the crash on 1 of 8 would fail the default 5%
    assert run("base") == 0
    # Same check file (comparable), but tonight it raises on n01 (on every case, the run would be incomplete: 3).
    monkeypatch.setenv("CRASHY", "n01")
    assert run("boom", "--baseline", "results/base") == 1
    gates = json.loads((project / "results/boom/gates.json").read_text())
    gate = next(g for g in gates["gates"] if g["name"] == "max regression check crashy")
    assert gate["status"] == "failed"
    assert gate["detail"].startswith("the check crashed on 1 record of this run, which the comparison leaves out")


def record(crashed: bool) -> Record:
    check = {"passed": None, "data": {"error": "check_crashed"}, "detail": "check crashed: KeyError"} if crashed \
        else {"passed": True}
    return Record.model_validate({"case_id": "a", "candidate": "bot", "sample": 0, "reply": "hi",
                                  "checks": {"crashy": check, "no_contradiction": {"passed": True}}})


def test_the_tally_counts_a_record_with_a_crashed_check_as_an_error():
    tally = ErrorTally()
    for crashed in (True, False, False, False):
        tally.add(record(crashed))
    count = tally.count()
    assert (count.records, count.with_error, count.crashed, count.crashed_checks) == (4, 1, 1, "crashy 1")
    assert count.graded == 4 and not count.no_result  # the other checks still graded the reply
    assert within_tolerance(count, "complete", 0.2) == (False, "1 of 4 records (25.0%) with an error: 1 with a "
                                                               "crashed check (crashy 1), above max_error_rate 20.0%")


def test_the_tally_names_a_check_that_crashed_on_every_record_it_ran_on():
    """Not one that crashed on some (today's behaviour stands), nor records it did not apply to."""
    tally = ErrorTally()
    for crashed in (True, True):
        tally.add(record(crashed))
    tally.add(Record.model_validate({"case_id": "b", "candidate": "bot", "sample": 0, "reply": "hi",
                                     "checks": {"crashy": {"passed": None}, "no_contradiction": {"passed": True}}}))
    count = tally.count()
    assert count.checks_gave_nothing == (("crashy", 2),)
    assert within_tolerance(count, "complete", None) == (
        False, "check crashy gave no verdict: it crashed on all 2 records it ran on (each record's detail says why)")
    tally.add(record(False))
    # max_error_rate 1: 2 of 4 records with an error would fail the default 5% (what this holds is the cause).
    assert tally.count().checks_gave_nothing == () and within_tolerance(tally.count(), "complete", 1)[0]


def test_without_max_error_rate_a_crash_on_some_records_fails_the_default_tolerance(nightly, monkeypatch):
    # 1 of 8 records (12.5%) with a crashed check: above the default max_error_rate (5%), as Inspect AI fails a task
    # on a sample error by default; the run used to pass silently.
    project, _ = nightly
    setup(project, monkeypatch, tolerance=False, crash="n01")
    assert run("boom") == 3
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["completion"] == ("1 of 8 records (12.5%) with an error: 1 with a crashed check (crashy 1), above the "
                                   "default max_error_rate 5.0% (the eval file sets none; max_error_rate: 1 turns it off)")
    assert next(g for g in gates["gates"] if g["name"].startswith("run completed"))["name"] == "run completed"
