"""The pytest plugin, loaded through its entry point in a separate pytest process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from harness.cli.main import main
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
