"""A diff row with no changed case keeps an interval that reflects n, never ``+0 pp [+0, +0]``; a row where
cases changed keeps the bootstrap interval, which agrees with its test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp

from harness.compare import build_diff
from harness.compare.rows import no_change_interval
from harness.report.tables import fmt_difference
from tests.compare.runs import chk, crit, rec, write_run


def _records(n: int, candidate: str = "bot") -> list:
    return [rec(f"c{i:03d}", candidate, checks={"apology_wording": chk(True), "next_step": chk(i % 2 == 0),
                                                "no_contradiction": chk(True)},
                judge={"empathy": crit(3 + i % 3), "policy": crit(1.0)}) for i in range(n)]


def test_unchanged_rows_have_an_interval_that_narrows_with_n(tmp_path):
    widths = []
    for n in (10, 70, 700):
        run = write_run(tmp_path / f"a{n}", _records(n))
        rows = {r.name: r for r in build_diff(run, write_run(tmp_path / f"b{n}", _records(n))).comparisons[0].rows}
        next_step, empathy = rows["next_step"], rows["empathy"]
        assert next_step.difference == 0 and next_step.ci.lo < 0 < next_step.ci.hi
        assert next_step.ci.lo == pytest.approx(-next_step.ci.hi) and empathy.ci.lo < 0 < empathy.ci.hi
        widths.append(next_step.ci.hi)
        if n == 70:
            assert fmt_difference(next_step) == "+0 pp [-5, +5]"
            assert fmt_difference(empathy) == "+0.00 [-0.21, +0.21]"
    assert widths == sorted(widths, reverse=True)


def test_the_interval_with_no_change_is_clopper_pearsons_bound_on_the_share_of_changed_cases():
    # 0 of n cases changed: the share that changes is at most Clopper-Pearson's upper bound, and each
    # changes by at most the scale's largest difference (1 on pass/fail, 4 on 1-5).
    for n in (1, 6, 70):
        upper = sp.beta.ppf(0.975, 1, n)
        lo, hi = no_change_interval(np.zeros(n), "pass_fail", 0.95)
        assert hi == pytest.approx(upper, rel=1e-9) and lo == pytest.approx(-upper, rel=1e-9)
        assert no_change_interval(np.zeros(n), "1-5", 0.95)[1] == pytest.approx(4 * upper, rel=1e-9)
    assert no_change_interval(np.array([0.0, 0.25]), "pass_fail", 0.95) is None
    assert no_change_interval(np.zeros(5), "other", 0.95) is None


def test_it_covers_a_small_true_change_at_least_95_percent_of_the_time():
    # A true change of r (each case flips with probability r): the row shows no change with probability
    # (1 - r)^n; the interval must then hold r. Worst case just past the bound: below 2.5% of the time.
    n = 70
    hi = no_change_interval(np.zeros(n), "pass_fail", 0.95)[1]
    assert (1 - hi * 1.0001) ** n < 0.025


def test_a_constant_small_shift_keeps_an_interval_that_agrees_with_its_verdict(tmp_path):
    # Ten cases x 4 samples; B's first sample of every case scores one point lower: every case -0.25.
    # The hull with a bounded interval used to read -0.25 [-0.91, +0.46] beside "regressed".
    def runs(lower: bool):
        return [rec(f"c{i}", sample=s, judge={"empathy": crit(3.0 if lower and s == 0 else 4.0)})
                for i in range(10) for s in range(4)]
    a, b = write_run(tmp_path / "a", runs(False)), write_run(tmp_path / "b", runs(True))
    row = next(r for r in build_diff(a, b).comparisons[0].rows if r.name == "empathy")
    assert row.difference == pytest.approx(-0.25) and row.verdict == "regressed"
    assert row.ci.hi < 0


def test_a_clear_change_keeps_its_bootstrap_interval(tmp_path):
    a = _records(60)
    b = [rec(r.case_id, checks={**r.checks, "next_step": chk(False)}, judge=r.judge) for r in _records(60)]
    row = next(r for r in build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)).comparisons[0].rows
               if r.name == "next_step")
    assert row.verdict == "regressed" and row.ci.hi < 0 and row.ci.lo > -0.7  # -50 pp, 30 flips of 60
