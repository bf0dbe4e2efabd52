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
          "    if os.environ.get('CRASHY') == 'yes':\n"
          "        raise KeyError('tier')\n"
          "    return True\n")


def eval_text(tolerance: bool = True) -> str:
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    text = text.replace("checks: [no_contradiction, apology_wording, next_step]\n",
                        "checks:\n  - no_contradiction\n  - {name: crashy, type: python, value: house.py:crashy}\n")
    return text if tolerance else text.replace("max_error_rate: 0.25\n", "")


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def setup(project, monkeypatch, tolerance: bool = True, crash: bool = True) -> None:
    (project / "house.py").write_text(CRASHY)
    (project / "nightly.yaml").write_text(eval_text(tolerance))
    monkeypatch.setenv("CRASHY", "yes" if crash else "no")


def test_a_check_crashing_everywhere_fails_max_error_rate(nightly, monkeypatch):
    project, _ = nightly
    setup(project, monkeypatch)
    assert run("boom") == 3
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["completion"] == ("8 of 8 records ended in an error (100.0%; 8 with a crashed check: crashy 8), "
                                   "above max_error_rate 25.0%")
    summary = (project / "results/boom/summary.md").read_text()
    assert summary.splitlines()[0] == ("## nightly: ❌ the run did not complete within its error tolerance, "
                                       "check crashy crashed (exit code 3)")
    assert "> ⚠️ check crashy crashed on 8 of 8 records (bot 8)" in summary


def test_without_max_error_rate_the_crash_is_a_notice_on_a_passing_night(nightly, monkeypatch, capsys):
    project, _ = nightly
    setup(project, monkeypatch, tolerance=False)
    assert run("boom") == 0  # no gate holds crashy: nothing held failed, but it is said, not hidden
    gates = json.loads((project / "results/boom/gates.json").read_text())
    assert gates["notes"][0].startswith("check crashy crashed on 8 of 8 records (bot 8): it decided nothing there")
    summary = (project / "results/boom/summary.md").read_text()
    assert summary.splitlines()[0] == "## nightly: ✅ all gates passed, check crashy crashed (exit code 0)"
    assert "8 of 8 records ended in an error (100.0%; 8 with a crashed check: crashy 8)" in summary
    assert "harness: note: check crashy crashed on 8 of 8 records" in capsys.readouterr().err
    assert "check crashy crashed" in (project / "results/boom/report.html").read_text()
    junit = (project / "results/boom/junit.xml").read_text()
    assert 'name="check crashy crashed on 8 of 8 records' in junit  # a skipped test case in the gates suite


def test_a_regression_gate_on_a_check_that_now_crashes_fails(nightly, monkeypatch):
    project, _ = nightly
    setup(project, monkeypatch, tolerance=False, crash=False)
    assert run("base") == 0
    monkeypatch.setenv("CRASHY", "yes")  # same check file (comparable), but tonight it raises on every case
    assert run("boom", "--baseline", "results/base") == 1
    gates = json.loads((project / "results/boom/gates.json").read_text())
    gate = next(g for g in gates["gates"] if g["name"] == "max regression check crashy")
    assert gate["status"] == "failed"
    assert gate["detail"].startswith("the check crashed on 8 record(s) of this run, which the comparison leaves out")


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
    assert within_tolerance(count, "complete", 0.2) == (False, "1 of 4 records ended in an error (25.0%; 1 with a "
                                                               "crashed check: crashy 1), above max_error_rate 20.0%")
