"""The minimum detectable effect of a diff row: at the level Holm holds the pair's family to, in steps one
case can make, and "none at this n" only when nothing could be detected."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from harness.compare import build_diff
from harness.compare.paired import minimum_detectable_effect
from harness.report.diff_cells import fmt_mde
from tests.compare.runs import chk, crit, rec, write_run


def _records(n: int, flip: bool, samples: int = 1, churn: bool = False) -> list:
    # churn: apology_wording flips both ways on side B (6 cases each way of 60): no change on balance, but a
    # row that could have been significant, so it counts in the family.
    return [rec(f"c{i:03d}", sample=s, checks={"next_step": chk(not (flip and i % 3 == 0 and s == 0)),
                                               "apology_wording": chk((i % 2 == 0) != (churn and i % 5 == 0))},
                judge={"empathy": crit(3 + i % 3), "policy": crit(1.0)})
            for i in range(n) for s in range(samples)]


def _row(tmp_path, samples: int = 1, churn: bool = False):
    a = write_run(tmp_path / "a", _records(60, False, samples))
    b = write_run(tmp_path / "b", _records(60, True, samples, churn))
    comparison = build_diff(a, b).comparisons[0]
    return comparison, next(r for r in comparison.rows if r.name == "next_step")


def test_the_detectable_effect_is_held_to_holms_level_for_the_family(tmp_path):
    comparison, row = _row(tmp_path, churn=True)
    assert comparison.holm_family == 2  # next_step and apology_wording; empathy and policy did not move
    deltas = np.array([-1.0 if i % 3 == 0 else 0.0 for i in range(60)])
    assert row.mde == pytest.approx(minimum_detectable_effect(deltas, alpha=0.05 / 2))
    assert row.mde > minimum_detectable_effect(deltas, alpha=0.05)


def test_rows_that_cannot_be_significant_do_not_raise_the_level(tmp_path):
    # Tarone: empathy, policy and apology_wording did not move (p can only be 1), so only next_step counts.
    comparison, row = _row(tmp_path)
    assert comparison.holm_family == 1
    deltas = np.array([-1.0 if i % 3 == 0 else 0.0 for i in range(60)])
    assert row.mde == pytest.approx(minimum_detectable_effect(deltas, alpha=0.05))
    assert row.p_holm == row.p_value
    assert {r.name: r.p_holm for r in comparison.rows if r.name != "next_step" and r.p_value is not None} == {
        "empathy": 1.0, "policy": 1.0, "apology_wording": 1.0}


def test_with_several_samples_the_floor_spreads_the_change_over_the_samples(tmp_path):
    # Three samples per case, one of them flipped: each case moves by 1/3. The floor is the per-sample change
    # that moves enough cases with 80% power, which is smaller than on one sample per case.
    _, row = _row(tmp_path, samples=3)
    deltas = np.array([-1 / 3 if i % 3 == 0 else 0.0 for i in range(60)])
    assert row.mde == pytest.approx(minimum_detectable_effect(deltas, alpha=0.05, samples=3))
    assert minimum_detectable_effect([0.0] * 60, samples=3) < minimum_detectable_effect([0.0] * 60)


def test_a_detectable_effect_of_exactly_the_whole_scale_is_printed_not_called_none():
    assert fmt_mde(SimpleNamespace(mde=1.0, scale="pass_fail", kind="check")) == "±100 pp"
    assert fmt_mde(SimpleNamespace(mde=2.0, scale="pass_fail", kind="check")) == "none at this n"


def test_fewer_cases_than_any_exact_test_can_call_significant_detect_nothing(tmp_path):
    a = write_run(tmp_path / "a", _records(4, False))
    b = write_run(tmp_path / "b", _records(4, True))
    row = next(r for r in build_diff(a, b).comparisons[0].rows if r.name == "next_step")
    assert fmt_mde(row) == "none at this n"
