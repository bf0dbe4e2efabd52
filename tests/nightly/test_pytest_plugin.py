"""The pytest plugin, loaded through its entry point in a separate pytest process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.ci.verdicts import CaseOutcome, SampleOutcome
from harness.cli.main import main
from harness.pytest_plugin import CaseItem, HarnessAssertionError
from tests.nightly.conftest import REGRESSED_CASES

TESTS = '''
import pytest

RUN = {run!r}

def test_scorecard(harness_run):
    run = harness_run(run_dir=RUN)
    assert run.scorecard.candidates["bot"].n_records == 8
    run.assert_check_rate("bot", "no_contradiction", 0.9)

def test_gates(harness_run):
    harness_run(run_dir=RUN).assert_gates_passed()

@pytest.mark.harness_cases(run_dir=RUN)
def test_each_case(harness_case):
    harness_case.assert_passed(checks=["no_contradiction"])
'''


def test_plugin_fixtures_items_and_messages(nightly):
    project, bot = nightly
    bot.bad_cases = set(REGRESSED_CASES[:3])
    assert main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"]) == 1
    (project / "test_eval_assertions.py").write_text(TESTS.format(run=str(project / "results/r")))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf",
                           "test_eval_assertions.py"], cwd=project, capture_output=True, text=True, timeout=300)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "5 failed, 5 passed" in out  # 8 case items (3 fail) + scorecard + gates
    assert "test_each_case[bot/n02]" in out and "test_each_case[bot/n04]" in out
    assert "check no_contradiction failed" in out and "That's not true" in out
    assert "check no_contradiction passed 62.5%, below 90.0%; failing cases: n02, n04, n05" in out
    assert "gates failed (exit code 1)" in out
    # The message says it all: the plugin's own frames (its source lines) are not in the tracebacks.
    assert "pytest_plugin.py" not in out and "raise HarnessAssertionError" not in out
    # The case items asked for no_contradiction only: the reply's other failures are not listed.
    assert "apology_wording failed" not in out and "owns_the_problem failed" not in out


def _sample(sample: int, names: list[str], failures: list[str], errors: tuple[str, ...] = ()) -> SampleOutcome:
    return SampleOutcome(sample=sample, error_kind="x" if errors else None, errors=list(errors), failures=failures,
                         failing_names=names, reply="That's not true.", latency_s=0.0)


CONTRADICTS = 'check no_contradiction failed: "That\'s not true"'
NO_APOLOGY = "check apology_wording failed: no apology"
NO_APOLOGY_2 = "check apology_wording_strict failed: no apology"  # a name the first one starts
DISPUTES = "criterion owns_the_problem failed (score 0): disputes the customer"
JUDGE_ERROR = "criterion tone: judge error parse_error: not JSON"


def _item(*samples: SampleOutcome) -> CaseItem:
    return CaseItem("n02", "bot", CaseOutcome("n02", "bot", list(samples)))


def _message(item: CaseItem, **asked) -> list[str]:
    with pytest.raises(HarnessAssertionError) as info:
        item.assert_passed(**asked)
    return str(info.value).splitlines()


def test_assert_passed_lists_only_the_failures_asked_for():
    # It listed every failing check and criterion, also those the test did not ask about.
    one = _item(_sample(0, ["check no_contradiction", "check apology_wording", "check apology_wording_strict",
                            "criterion owns_the_problem"],
                        [CONTRADICTS, NO_APOLOGY, NO_APOLOGY_2, DISPUTES, JUDGE_ERROR]))
    head, reply = "case n02 × candidate bot:", "  reply: That's not true."
    assert _message(one, checks=["no_contradiction"]) == [head, f"  {CONTRADICTS}", reply]
    assert _message(one, checks=["apology_wording"]) == [head, f"  {NO_APOLOGY}", reply]
    assert _message(one, criteria=["owns_the_problem"]) == [head, f"  {DISPUTES}", reply]
    assert _message(one, checks=["no_contradiction"], criteria=["owns_the_problem", "tone"]) == \
        [head, f"  {CONTRADICTS}", f"  {DISPUTES}", f"  {JUDGE_ERROR}", reply]
    assert _message(one) == [head] + [f"  {line}" for line in
                                      (CONTRADICTS, NO_APOLOGY, NO_APOLOGY_2, DISPUTES, JUDGE_ERROR)] + [reply]
    one.assert_passed(checks=["next_step"])  # passes: nothing asked for failed

    # With several samples each line starts "sample n: "; a case error is always listed.
    several = _item(_sample(0, ["check apology_wording"], [NO_APOLOGY]),
                    _sample(1, ["check no_contradiction", "check apology_wording"], [CONTRADICTS, NO_APOLOGY]),
                    _sample(2, [], [], errors=("provider_error: no",)))
    assert _message(several, checks=["no_contradiction"]) == \
        [head, "  error: provider_error: no", f"  sample 1: {CONTRADICTS}", reply]


def test_a_loaded_run_is_held_to_what_the_run_was_held_to_baseline_included(nightly):
    # It re-evaluated the gates without a baseline: a run that failed its max_regression gates
    # (exit code 1) passed assert_gates_passed().
    import json
    import shutil

    from harness.pytest_plugin import HarnessGateWarning, open_run

    project, bot = nightly
    assert main(["run", "nightly.yaml", "--out", "results/base", "--no-cache", "--quiet"]) == 0
    bot.bad_cases = {"n02", "n04"}  # 6 of 8 still meets the minimum 0.75; a drop of 0.25 exceeds 0.10
    assert main(["run", "nightly.yaml", "--out", "results/drop", "--no-cache", "--quiet",
                 "--baseline", "results/base"]) == 1
    recorded = json.loads((project / "results/drop/gates.json").read_text())
    assert recorded["exit_code"] == 1 and recorded["baseline"] == "results/base"
    with pytest.raises(HarnessAssertionError, match="max regression check no_contradiction"):
        open_run(None, run_dir="results/drop").assert_gates_passed()

    # A run held to no baseline passes as the command did, with a warning that says what was skipped.
    assert main(["run", "nightly.yaml", "--out", "results/nobase", "--no-cache", "--quiet"]) == 0
    with pytest.warns(HarnessGateWarning, match="max_regression gates were skipped"):
        open_run(None, run_dir="results/nobase").assert_gates_passed()
    # ... and fails when the test names the baseline.
    with pytest.raises(HarnessAssertionError, match="max regression check no_contradiction"):
        open_run(None, run_dir="results/nobase", baseline="results/base").assert_gates_passed()

    # A run held to itself was refused with a message about the CLI's --pair.
    with pytest.raises(Exception, match="baseline: results/drop is the run itself: name an earlier run"):
        open_run(None, run_dir="results/drop", baseline="results/drop").assert_gates_passed()

    # A run directory gated before gates.json existed (or copied without it) is evaluated now.
    shutil.copytree(project / "results/drop", project / "copied")
    (project / "copied/gates.json").unlink()
    with pytest.raises(HarnessAssertionError, match="max regression"):
        open_run(None, run_dir="copied", baseline="results/base").assert_gates_passed()
    (project / "results/drop/gates.json").write_text("{")
    with pytest.raises(Exception, match="corrupt gate outcome"):
        open_run(None, run_dir="results/drop").assert_gates_passed()


def test_a_name_the_run_lacks_fails_with_the_run_s_names_closest_first(nightly):
    # assert_check_rate("bot", "no_contradicton", ...) raised a bare KeyError: 'no_contradicton', and
    # assert_passed(checks=[typo]) passed: the typo never fails.
    from harness.pytest_plugin import open_run

    assert main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"]) == 0
    run = open_run(None, run_dir="results/r")
    checks = "(it has no_contradiction, apology_wording, next_step)"
    with pytest.raises(HarnessAssertionError) as info:
        run.assert_check_rate("bot", "no_contradicton", 0.9)
    assert str(info.value) == f"no check 'no_contradicton' for candidate 'bot' in results/r {checks}"
    with pytest.raises(HarnessAssertionError, match=r"no check 'nxt_step' .* \(it has next_step, apology_wording,"):
        run.check_rate("bot", "nxt_step")
    with pytest.raises(HarnessAssertionError, match=r"no criterion 'owns_problem' for candidate 'bot' in results/r "
                                                    r"\(it has owns_the_problem\)"):
        run.criterion_mean("bot", "owns_problem")
    with pytest.raises(HarnessAssertionError, match=r"no candidate 'bot-v2' in results/r \(it has bot\)"):
        run.assert_check_rate("bot-v2", "no_contradiction", 0.9)
    item = run.cases()[0]
    item.assert_passed(checks=["no_contradiction"], criteria=["owns_the_problem"])  # known names: as before
    with pytest.raises(HarnessAssertionError, match="no check 'no_contradicton' for candidate 'bot' in this run "
                                                    r"\(it has no_contradiction, apology_wording, next_step\)"):
        item.assert_passed(checks=["no_contradicton"])
    with pytest.raises(HarnessAssertionError, match=r"no criterion 'tone' .* \(it has owns_the_problem\)"):
        item.assert_passed(criteria=["tone"])


def test_case_items_follow_the_eval_s_candidates_then_the_dataset_s_cases(nightly):
    # They came in the order the records were written (as replies finished): bot-v2/c009, agent/c007, ...
    from harness.pytest_plugin import open_run

    project, _ = nightly
    rows = (project / "cases.jsonl").read_text().splitlines()
    (project / "cases.jsonl").write_text("\n".join(rows[::-1]) + "\n")  # the dataset's order: n08 .. n01
    eval_text = (project / "nightly.yaml").read_text()
    (project / "nightly.yaml").write_text(eval_text.replace(
        "  - name: bot\n", '  - name: zeta\n    model: fake/nightly-bot\n    prompt: "Agent for {{ category }}."\n'
                           "  - name: bot\n"))
    assert main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"]) == 0
    records = project / "results/r/records.jsonl"
    lines = records.read_text().splitlines()
    records.write_text("\n".join(lines[1::2] + lines[::2]) + "\n")  # finished in another order
    ids = [f"{i.candidate}/{i.case_id}" for i in open_run(None, run_dir="results/r").cases()]
    cases = [f"n0{k}" for k in range(8, 0, -1)]
    assert ids == [f"zeta/{c}" for c in cases] + [f"bot/{c}" for c in cases]


def test_baseline_accepted_is_the_one_accepted_in_results(nightly):
    # harness_run(eval=..., baseline="accepted") looked in the fresh temporary directory's parent, which has
    # no index: "no accepted baseline for eval 'nightly' in /tmp/harness-pytest-…/", always.
    from harness.errors import ConfigError
    from harness.pytest_plugin import _RUNS, open_run

    project, bot = nightly
    assert main(["run", "nightly.yaml", "--out", "results/base", "--no-cache", "--quiet"]) == 0
    with pytest.raises(ConfigError, match=r"no accepted baseline for eval 'nightly' in results/ "):
        open_run(None, eval="nightly.yaml", baseline="accepted")
    assert main(["accept", "results/base"]) == 0
    bot.bad_cases = {"n02", "n04"}  # a drop of 0.25 exceeds the max_regression 0.10
    try:
        run = open_run(None, eval="nightly.yaml", baseline="accepted")
        assert run.baseline == Path("results/base")
        with pytest.raises(HarnessAssertionError, match="max regression check no_contradiction"):
            run.assert_gates_passed()
        assert not run.run_dir.resolve().is_relative_to(project)  # the run itself went to a scratch directory
        # results= names another results directory; out= without it reads the index beside out=.
        with pytest.raises(ConfigError, match=r"no accepted baseline for eval 'nightly' in elsewhere/ "):
            open_run(None, eval="nightly.yaml", baseline="accepted", results="elsewhere")
        with pytest.raises(ConfigError, match=r"no accepted baseline for eval 'nightly' in runs/ "):
            open_run(None, eval="nightly.yaml", out="runs/new", baseline="accepted")
        beside = open_run(None, eval="nightly.yaml", out="results/new", baseline="accepted")
        assert beside.run_dir == Path("results/new") and not beside.outcome.passed
    finally:
        _RUNS.clear()


RECORDED_CASES = "".join(json.dumps({"id": f"r{i}", "persona": "angry", "category": "retail",
                                     "turns": [{"role": "customer", "content": f"Order {i} is late."}],
                                     "recorded_replies": {"bot": "That's not true." if i == 2 else
                                                          "Sorry, I have reopened order 1 for you."}}) + "\n"
                         for i in (3, 1, 2))
RECORDED_EVAL = """\
name: recorded
dataset: cases.jsonl
candidates:
  - name: bot
    recorded: bot
checks: [no_contradiction]
"""
RUN_TESTS = '''
import pytest

def test_run(harness_run):
    run = harness_run(eval="recorded.yaml")
    print("RUN_DIR", run.run_dir)

@pytest.mark.harness_cases(eval="recorded.yaml")
def test_each_case(harness_case):
    harness_case.assert_passed()
'''


def test_a_run_without_out_goes_to_pytest_s_temporary_directories(tmp_path):
    # It went to tempfile.mkdtemp("harness-pytest-") and was never removed.
    (tmp_path / "cases.jsonl").write_text(RECORDED_CASES)
    (tmp_path / "recorded.yaml").write_text(RECORDED_EVAL)
    (tmp_path / "test_recorded.py").write_text(RUN_TESTS)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, "-m", "pytest", "-v", "-s", "-p", "no:cacheprovider", "--basetemp",
                           str(tmp_path / "base"), "test_recorded.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 3 passed" in done.stdout
    assert "pytest_plugin.py" not in done.stdout  # harness_cases(eval=...): no frame of the plugin's either
    # Items in the dataset's order; the run (the same one for both tests) under pytest's --basetemp.
    assert done.stdout.index("test_each_case[bot/r3]") < done.stdout.index("test_each_case[bot/r2]")
    assert list(scratch.iterdir()) == []
    assert (tmp_path / "base/harness-run0/recorded/manifest.json").exists()
    assert f"RUN_DIR {tmp_path / 'base/harness-run0/recorded'}" in done.stdout
