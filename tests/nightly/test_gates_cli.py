"""Exit codes of a gated run: 3 above max_error_rate, 2 for a baseline or gate that cannot be used,
and significant_only letting a drop the paired test cannot confirm pass."""

from __future__ import annotations

from harness.cli.main import main
from tests.nightly.conftest import EVAL, REGRESSED_CASES


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def test_errors_above_max_error_rate_exit_3(nightly, capsys):
    project, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}  # 3 of 8 = 37.5% > 25%
    assert run("errors") == 3
    summary = (project / "results/errors/summary.md").read_text()
    assert "did not complete within its error tolerance" in summary and "above max_error_rate" in summary
    assert 'type="model_error"' in (project / "results/errors/junit.xml").read_text() or \
        "<error" in (project / "results/errors/junit.xml").read_text()


def test_errors_within_tolerance_still_gate(nightly):
    project, bot = nightly
    bot.failing_cases = {"n01"}  # 12.5% <= 25%
    assert run("one-error") == 0


def test_no_accepted_baseline_is_a_usage_error(nightly, capsys):
    assert run("x", "--baseline", "accepted") == 2
    assert "no accepted baseline for eval 'nightly'" in capsys.readouterr().err
    assert run("y", "--baseline", "results/nothing-here") == 2


def test_gate_naming_an_unknown_check_is_exit_2(nightly, capsys):
    project, _ = nightly
    (project / "nightly.yaml").write_text(EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
                                          .replace("no_contradiction: {min", "no_contradiktion: {min"))
    assert run("typo") == 2
    assert "gates.checks.no_contradiktion" in capsys.readouterr().err


def test_gate_spec_typo_is_a_located_config_error(nightly, capsys):
    project, _ = nightly
    (project / "nightly.yaml").write_text(EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
                                          .replace("max_regression: 0.10", "max_regresion: 0.10"))
    assert run("typo") == 2
    assert "nightly.yaml:" in capsys.readouterr().err


def test_significant_only_lets_an_unconfirmed_drop_pass(nightly):
    project, bot = nightly
    text = (project / "nightly.yaml").read_text().replace("gates:\n", "gates:\n  significant_only: true\n")
    text = text.replace("{min: 0.75, max_regression: 0.10}", "{max_regression: 0.10}")
    text = text.replace("owns_the_problem: {min: 0.5}", "owns_the_problem: {min: 0.0}")
    (project / "nightly.yaml").write_text(text)
    assert run("base") == 0
    bot.bad_cases = set(REGRESSED_CASES[:2])  # 2 of 8 worse: too few cases for the paired test to confirm
    assert run("small-drop", "--baseline", "results/base") == 0
    bot.bad_cases = {f"n0{i}" for i in range(1, 9)}  # 8 of 8 worse: significant after Holm
    assert run("big-drop", "--baseline", "results/base") == 1


def test_a_failing_rerun_reports_its_minimums_but_does_not_hold_them(nightly, capsys):
    # --failing keeps the cases that failed: a minimum over them fails by construction (newcomer review).
    project, bot = nightly
    bot.bad_cases = set(REGRESSED_CASES)  # no_contradiction fails on 5 of 8: below its 75% minimum
    assert run("night") == 1
    assert run("rerun", "--failing", "results/night", "--failing-on", "no_contradiction") == 0
    summary = (project / "results/rerun/summary.md").read_text()
    assert "not held: 0.0% over 5 cases, which this run kept because they failed in results/night (--failing)" \
        in summary
    capsys.readouterr()
    assert main(["report", "results/rerun", "--quiet"]) in (0, None)
    bot.failing_cases = set(REGRESSED_CASES)  # every record of the rerun errors: that still fails the run
    assert run("broken", "--failing", "results/night", "--failing-on", "no_contradiction") == 3
