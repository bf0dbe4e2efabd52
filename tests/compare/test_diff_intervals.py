"""A diff row with no changed case keeps an interval that reflects n, never ``+0 pp [+0, +0]``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp

from harness.compare import build_diff
from harness.compare.rows import bounded_difference_interval
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
            assert fmt_difference(next_step) == "+0 pp [-3, +3]"
            assert fmt_difference(empathy) == "+0.00 [-0.11, +0.11]"
    assert widths == sorted(widths, reverse=True)


def test_the_interval_with_no_change_is_the_jeffreys_one_of_the_rescaled_differences():
    # All n differences 0 on [-1, 1]: rescaled to 1/2 each, with half a pseudo-value at 0 and at 1, the
    # posterior has mean 1/2 and variance (1/4 / (n + 1)) / (n + 2): a symmetric beta of that variance.
    n = 70
    lo, hi = bounded_difference_interval(np.zeros(n), "pass_fail", 0.95)
    variance = 0.25 / (n + 1) / (n + 2)
    shape = 0.25 / variance - 1
    expected = 2 * sp.beta.ppf(0.975, shape / 2, shape / 2) - 1
    assert hi == pytest.approx(expected, rel=1e-8) and lo == pytest.approx(-expected, rel=1e-8)
    assert bounded_difference_interval(np.zeros(1), "pass_fail", 0.95) is None
    assert bounded_difference_interval(np.zeros(5), "other", 0.95) is None


def test_a_clear_change_keeps_its_bootstrap_interval(tmp_path):
    a = _records(60)
    b = [rec(r.case_id, checks={**r.checks, "next_step": chk(False)}, judge=r.judge) for r in _records(60)]
    row = next(r for r in build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)).comparisons[0].rows
               if r.name == "next_step")
    assert row.verdict == "regressed" and row.ci.hi < 0 and row.ci.lo > -0.7  # -50 pp, 30 flips of 60
