"""Gated nightly runs through the CLI write the same scorecard, report, junit.xml and summary.md from the
run's tally as a rebuild from the run directory writes (and as the readers streaming ``records.jsonl`` make
of it): with case errors, with regression gates against a baseline, and with epochs (whose scorecard streams
from disk)."""

from __future__ import annotations

from pathlib import Path

from harness.cli.main import main
from tests.nightly.conftest import REGRESSED_CASES, write_eval
from harness.ci.banner import with_gates_banner
from harness.gates.evaluate import read_outcome
from tests.runner.outputs_both_ways import assert_same_outputs, read_outputs, rebuilt_outputs, reference_outputs


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def _reference(run_dir: Path, baseline: Path | None) -> dict[str, str]:
    """The reference outputs, the report with the gates banner of the run's outcome (as the run put it in)."""
    texts = reference_outputs(run_dir, baseline)
    texts["report.html"] = with_gates_banner(texts["report.html"], read_outcome(run_dir))
    return texts


def _check_three_ways(run_dir: Path, baseline: Path | None = None) -> None:
    as_run = read_outputs(run_dir)
    assert_same_outputs(as_run, _reference(run_dir, baseline))
    assert_same_outputs(rebuilt_outputs(run_dir, baseline), as_run)


def test_case_errors_above_tolerance(nightly):
    _, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}
    assert run("errors") == 3
    _check_three_ways(Path("results/errors"))


def test_a_planted_regression_against_a_baseline(nightly):
    _, bot = nightly
    assert run("base") == 0
    bot.bad_cases = set(REGRESSED_CASES)
    bot.failing_cases = {"n01"}
    assert run("worse", "--baseline", "results/base") == 1
    summary = Path("results/worse/summary.md").read_text()
    assert "failed" in summary
    assert "`harness show results/worse --failing`, then `harness show results/worse CASE`" in summary
    assert "harness show" not in Path("results/base/summary.md").read_text()  # nothing failed there
    _check_three_ways(Path("results/worse"), Path("results/base"))


def test_epochs_score_from_disk_and_still_agree(nightly):
    project, bot = nightly
    write_eval(project, epochs="epochs: 3\n    reducer: pass^3")
    bot.bad_cases = {"n02"}
    run("epochs")
    assert "Consistency across epochs" in Path("results/epochs/scorecard.md").read_text()
    _check_three_ways(Path("results/epochs"))
