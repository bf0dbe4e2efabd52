"""Gate bounds in the wrong units are refused at their line, before any call: a pass rate (and a drop in
one) is in [0, 1]; a 1-5 criterion's minimum is in [1, 5] and its drop at most 4 points. ``min: 70`` for
70% validated, printed 'below the minimum 7000.0%', and a max_regression of 5 could never trip."""

from __future__ import annotations

import pytest

from harness.cli.main import main
from harness.errors import ConfigError
from harness.gates.evaluate import evaluate_gates
from harness.scoring.scorecard import load_scorecard
from tests.nightly.conftest import EVAL

RUBRIC_1_5 = """\
id: mixed
version: "1"
criteria:
  - id: owns_the_problem
    question: Does the reply take ownership of the customer's problem?
    scale: pass_fail
    levels: {pass: takes ownership, fail: blames}
  - id: warmth
    question: How warm is the reply?
    scale: 1-5
    levels: {"1": cold, "2": curt, "3": neutral, "4": kind, "5": warm}
"""


def write(project, gates: str, rubric: str = "rubric.yaml") -> None:
    text = EVAL.format(dataset="cases.jsonl", rubric=rubric, epochs="")
    (project / "nightly.yaml").write_text(text.split("gates:\n")[0] + "gates:\n" + gates)


def line_of(project, text: str) -> int:
    return next(i for i, line in enumerate((project / "nightly.yaml").read_text().splitlines(), 1) if text in line)


def refused(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err.strip()


@pytest.mark.parametrize("bounds, field, message", [
    ("{min: 70, max_regression: 5}", "min", "a pass rate is in [0, 1]"),
    ("{min: -0.1}", "min", "a pass rate is in [0, 1]"),
    ("{max_regression: 5}", "max_regression", "a drop in a pass rate is in [0, 1] (0.05 is five percentage points)"),
])
def test_check_bounds_outside_0_1_are_refused_by_validate_and_run(nightly, capsys, bounds, field, message):
    project, _ = nightly
    write(project, f"  checks:\n    no_contradiction: {bounds}\n")
    line = line_of(project, "no_contradiction:")
    expected = f"nightly.yaml:{line}: gates.checks.no_contradiction.{field}: {message}"
    # validate lists every mistake of the file (both bounds of the first row), the run names the first one
    assert refused(capsys, "validate", "nightly.yaml").splitlines()[0] == f"error {expected}"
    assert refused(capsys, "run", "nightly.yaml", "--out", "results/x", "--no-cache", "--quiet").startswith(
        f"harness: error: {expected}")
    assert not (project / "results/x").exists()


def test_bounds_on_the_scale_still_validate(nightly, capsys):
    project, _ = nightly
    write(project, "  checks:\n    no_contradiction: {min: 1, max_regression: 1}\n    \"*\": {min: 0}\n")
    assert main(["validate", "nightly.yaml"]) == 0


@pytest.mark.parametrize("gates, loc, message", [
    ("owns_the_problem: {min: 70}", "owns_the_problem.min", "a pass rate is in [0, 1]"),
    ("owns_the_problem: {max_regression: 1.5}", "owns_the_problem.max_regression",
     "a drop in a pass rate is in [0, 1] (0.05 is five percentage points)"),
    ("warmth: {min: 0.7}", "warmth.min", "a mean score on a 1-5 criterion is in [1, 5]"),
    ("warmth: {min: 5.5}", "warmth.min", "a mean score on a 1-5 criterion is in [1, 5]"),
    ("warmth: {max_regression: 4.5}", "warmth.max_regression", "a drop on a 1-5 criterion is at most 4 points"),
    ('"*": {min: 3.5}', "*.min", "a pass rate is in [0, 1] (`*` covers criterion owns_the_problem)"),
])
def test_criterion_bounds_outside_the_rubric_scale_are_refused_before_any_call(nightly, capsys, gates, loc,
                                                                               message):
    project, _ = nightly
    (project / "mixed.yaml").write_text(RUBRIC_1_5)
    write(project, f"  criteria:\n    {gates}\n", rubric="mixed.yaml")
    line = line_of(project, gates.split(":")[0])
    assert refused(capsys, "validate", "nightly.yaml") == f"error nightly.yaml:{line}: gates.criteria.{loc}: {message}"
    assert refused(capsys, "run", "nightly.yaml", "--out", "results/x", "--no-cache", "--quiet") == \
        f"harness: error: nightly.yaml:{line}: gates.criteria.{loc}: {message}"
    assert not (project / "results/x").exists()


def test_criterion_bounds_on_their_scales_run(nightly, capsys):
    project, _ = nightly
    (project / "mixed.yaml").write_text(RUBRIC_1_5)
    write(project, "  criteria:\n    warmth: {min: 1, max_regression: 4}\n    \"*\": {min: 0.5}\n",
          rubric="mixed.yaml")
    # The test judge answers pass/fail, an error on the 1-5 criterion: the run is held to its gates, not refused.
    assert main(["run", "nightly.yaml", "--out", "results/x", "--no-cache", "--quiet"]) != 2
    assert (project / "results/x/gates.json").exists()


def test_a_finished_run_held_again_refuses_a_bound_off_its_scale(nightly, capsys):
    # A run made before the bounds were checked keeps them in its manifest: gating it again names the field.
    project, _ = nightly
    assert main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"]) == 0
    card = load_scorecard(project / "results/r")
    spec = {"gates": {"checks": {"no_contradiction": {"min": 70}}}}
    with pytest.raises(ConfigError, match=r"^nightly.yaml: gates.checks.no_contradiction.min: a pass rate is in"):
        evaluate_gates(project / "results/r", spec, card, eval_file="nightly.yaml")
    spec = {"gates": {"criteria": {"owns_the_problem": {"min": 3.5}}}}
    with pytest.raises(ConfigError, match=r"^nightly.yaml: gates.criteria.owns_the_problem.min: a pass rate is in"):
        evaluate_gates(project / "results/r", spec, card, eval_file="nightly.yaml")
