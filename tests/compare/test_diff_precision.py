"""Review finding 8: at thousands of cases whole percentage points hid what a row was about
("injection_attempt +0 pp [+0, +0] ... MDE ±0 pp" for a real ±0.12 pp interval and a 0.32 pp MDE, and
"70% → 71%" beside "+0 pp [-1, +2]"). Below 1 pp, and from 1,000 cases, they keep one decimal; a bootstrap
interval that disagrees with its test says so in its cell."""

from __future__ import annotations

from types import SimpleNamespace

from harness.compare.rows import TEST_REJECTS, UNRELIABLE
from harness.report.diff_cells import fmt_diff_value, fmt_difference, fmt_mde
from harness.scoring.schema import Interval


def _row(n: int, difference: float, lo: float, hi: float, mde: float, scale: str = "pass_fail", **extra):
    return SimpleNamespace(scale=scale, kind="check", n_cases=n, difference=difference, ci=Interval(lo=lo, hi=hi),
                           mde=mde, **extra)


def test_a_large_unchanged_row_never_reads_plus_zero_plus_zero():
    row = _row(3150, 0.0, -0.0012, 0.0012, 0.0032)
    assert fmt_difference(row) == "+0.0 pp [-0.1, +0.1]"
    assert fmt_mde(row) == "±0.3 pp"


def test_from_1000_cases_values_and_differences_keep_one_decimal():
    row = _row(3015, 0.0056, -0.0076, 0.0182, 0.024)
    assert [fmt_diff_value(row, v) for v in (0.7012, 0.7068)] == ["70.1%", "70.7%"]
    assert fmt_difference(row) == "+0.6 pp [-0.8, +1.8]" and fmt_mde(row) == "±2.4 pp"


def test_small_rows_keep_whole_points_above_one():
    row = _row(70, -0.44, -0.59, -0.30, 0.2)
    assert fmt_diff_value(row, 0.56) == "56%"
    assert fmt_difference(row) == "-44 pp [-59, -30]" and fmt_mde(row) == "±20 pp"
    assert fmt_mde(_row(70, 0.0, -0.05, 0.05, 0.004)) == "±0.4 pp"


def test_a_bootstrap_interval_that_disagrees_with_its_test_is_marked():
    row = _row(60, 0.083, 0.017, 0.15, 0.1, scale="1-5", ci_note=UNRELIABLE)
    assert fmt_difference(row) == "+0.08 [+0.02, +0.15] (interval unreliable)"
    row.ci_note = TEST_REJECTS
    assert fmt_difference(row).endswith("(interval includes 0; the test rejects)")
    row.ci_note = None
    assert fmt_difference(row) == "+0.08 [+0.02, +0.15]"
