"""A run that did not complete within its error tolerance (exit code 3) failed: summary.md's headline marks
it ❌, as the report banner calls it failed; ⚠️ stays the mark of a gate not measured. Its second line says
which of the three happened (not complete, every record in error, above max_error_rate)."""

from __future__ import annotations

from harness.ci.summary import verdict
from harness.cli.main import main
from harness.gates.outcome import GateOutcome
from harness.gates.tolerance import ErrorCount, within_tolerance


def test_exit_code_3_is_a_failure_in_the_headline(nightly):
    project, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}  # 3 of 8 = 37.5% > 25%
    assert main(["run", "nightly.yaml", "--out", "results/errors", "--no-cache", "--quiet"]) == 3
    lines = (project / "results/errors/summary.md").read_text().splitlines()
    assert lines[0] == "## nightly: ❌ the run did not complete within its error tolerance (exit code 3)"
    assert "3 of 8 records (37.5%) with an error: 3 without a reply, above max_error_rate 25.0%" in lines[2]


def test_each_way_of_not_completing_is_named():
    cases = [(ErrorCount(8, 3), "interrupted", 0.25, "the run is interrupted, not complete"),
             (ErrorCount(8, 8), "complete", None, "every record (8 of 8) ended in an error"),
             (ErrorCount(8, 3), "complete", 0.25, "above max_error_rate 25.0%")]
    for count, status, rate, words in cases:
        complete, completion = within_tolerance(count, status, rate)
        outcome = GateOutcome(gates=[], complete=complete, completion=completion)
        assert outcome.exit_code == 3 and words in completion
        assert verdict(outcome).startswith("❌ ")
