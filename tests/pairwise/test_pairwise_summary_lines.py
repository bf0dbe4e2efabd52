"""The terminal lines of ``harness pairwise`` count judge errors as the table does: pairs, then failed calls."""

from __future__ import annotations

from types import SimpleNamespace

from harness.cli.pairwise_cmd import summary_lines
from harness.pairwise.schema import PairComparison, PairLeftOut, PairwiseRow


def _report(judge_error: int, errors: dict[str, int]) -> SimpleNamespace:
    row = PairwiseRow(kind="overall", name="overall", interval_method="cluster_bootstrap", n_pairs=2,
                      left_out=PairLeftOut(judge_error=judge_error), errors=errors)
    return SimpleNamespace(comparisons=[PairComparison(candidate_a="v1", candidate_b="v2", rows=[row])])


def test_the_terminal_says_pairs_with_an_error_and_failed_calls_apart():
    # It said "judge errors 11 (junk 11)" beside a table saying 10 pairs: 11 failed calls lost 10 pairs.
    line = summary_lines(_report(10, {"junk": 11}))[1]
    assert line.endswith("; 10 pairs with a judge error (11 failed calls: junk 11)")
    assert "judge errors" not in line


def test_no_error_reads_zero_pairs():
    line = summary_lines(_report(0, {}))[1]
    assert line.endswith("; 0 pairs with a judge error")
    one = summary_lines(_report(1, {"provider": 1}))[1]
    assert one.endswith("; 1 pair with a judge error (1 failed call: provider 1)")
