"""A row where every case moved by the same amount is not a certain ``+1.00 [+1.00, +1.00]``: every bootstrap
resample is then that amount. Its interval is Clopper-Pearson's bound on the share of cases that could move
otherwise unseen, as for a row where no case changed; json, md and html carry it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as sp

from harness.compare import build_diff, write_diff
from harness.compare.paired import Clusters
from harness.compare.rows import TEST_REJECTS, ZERO_WIDTH, StatOptions, build_row, uniform_change_interval
from harness.compare.schema import LeftOut
from harness.report.diff_cells import fmt_difference
from tests.compare.runs import chk, crit, rec, write_run


def _empathy(path, n: int, score: float):
    return write_run(path, [rec(f"c{i:02d}", judge={"empathy": crit(score)}) for i in range(n)])


def _row(report, name="empathy"):
    return next(r for r in report.comparisons[0].rows if r.name == name)


def test_every_case_plus_one_gets_an_interval_with_width(tmp_path):
    report = build_diff(_empathy(tmp_path / "a", 20, 3.0), _empathy(tmp_path / "b", 20, 4.0))
    row = _row(report)
    share = sp.beta.ppf(0.975, 1, 20)  # Clopper-Pearson's upper bound for 0 of 20
    assert row.ci_method == "uniform_change" and row.difference == 1.0
    assert row.ci.lo == pytest.approx((1 - share) - 4 * share) and row.ci.hi == pytest.approx((1 - share) + 4 * share)
    assert row.verdict == "improved" and row.ci_note is None
    assert fmt_difference(row) == "+1.00 [+0.16, +1.51]"
    paths = write_diff(report, tmp_path / "out")
    assert "+1.00 [+0.16, +1.51]" in paths["md"].read_text() and "+1.00 [+0.16, +1.51]" in paths["html"].read_text()
    saved = _row_json(paths["json"])
    assert saved["ci_method"] == "uniform_change" and saved["ci"]["lo"] == pytest.approx(row.ci.lo)


def _row_json(path):
    return next(r for r in json.loads(path.read_text())["comparisons"][0]["rows"] if r["name"] == "empathy")


def test_few_cases_all_one_way_say_when_the_test_rejects_but_the_bound_includes_0(tmp_path):
    row = _row(build_diff(_empathy(tmp_path / "a", 6, 3.0), _empathy(tmp_path / "b", 6, 4.0)))
    assert row.p_value == pytest.approx(1 / 32) and row.ci.lo < 0 < row.ci.hi  # exact signed-rank, 6 of 6 up
    assert row.ci_note == TEST_REJECTS
    assert fmt_difference(row).endswith("(interval includes 0; the test rejects)")
    five = _row(build_diff(_empathy(tmp_path / "c", 5, 3.0), _empathy(tmp_path / "d", 5, 4.0)))
    assert five.ci_note is None and five.ci.lo < 0 < five.ci.hi and five.p_value == pytest.approx(1 / 16)


def test_several_samples_per_case_all_moving_alike_get_the_bound_on_a_rate(tmp_path):
    def side(path, passes: int):
        return write_run(path, [rec(f"c{i:02d}", sample=s, checks={"next_step": chk(s < passes)})
                                for i in range(30) for s in range(2)])
    row = _row(build_diff(side(tmp_path / "a", 0), side(tmp_path / "b", 1)), "next_step")
    share = sp.beta.ppf(0.975, 1, 30)
    assert row.ci_method == "uniform_change" and row.difference == 0.5
    assert (row.ci.lo, row.ci.hi) == pytest.approx((0.5 * (1 - share) - share, 0.5 * (1 - share) + share))


def test_the_bound_is_none_unless_every_case_moved_alike():
    assert uniform_change_interval(np.array([1.0, 1.0, 2.0]), "1-5", 0.95) is None
    assert uniform_change_interval(np.zeros(4), "1-5", 0.95) is None  # no change: no_change_interval's
    assert uniform_change_interval(np.ones(4), "other", 0.95) is None
    lo, hi = uniform_change_interval(np.full(10, -2.0), "1-5", 0.95)
    assert lo < -2.0 < hi


def test_a_zero_width_bootstrap_on_a_scale_without_a_range_is_marked_unreliable():
    clusters = Clusters([f"c{i}" for i in range(8)], np.full(8, 3.0), np.ones(8), np.full(8, 5.0), np.ones(8))
    row = build_row("criterion", "odd", "other", clusters, LeftOut(), StatOptions())
    assert row.ci_method == "bootstrap" and row.ci.lo == row.ci.hi == 2.0
    assert row.ci_note == ZERO_WIDTH and fmt_difference(row) == "+2.00 [+2.00, +2.00] (interval unreliable)"
