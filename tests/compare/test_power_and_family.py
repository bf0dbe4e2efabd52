"""The minimum detectable effect is an 80%-power figure under the exact test, and Holm's family leaves out
rows that could not be significant (Tarone): checked by small seeded simulations."""

from __future__ import annotations

import numpy as np
import pytest

from harness.compare.paired import (exact_floor, holm, mcnemar_exact, minimum_detectable_effect,
                                    smallest_attainable_p, smallest_significant_count, tarone_holm,
                                    tarone_size, wilcoxon_signed_rank)
from harness.compare.rows import apply_holm
from harness.compare.schema import DiffRow

RNG_SEED = 20240607


def _power_one_sample(n: int, d: float, alpha: float, reps: int = 4000) -> float:
    """Exact McNemar at ``alpha`` over ``n`` cases when each case flips up with probability ``d`` (none down)."""
    rng = np.random.default_rng(RNG_SEED)
    ups = rng.binomial(n, d, size=reps)
    return float(np.mean([mcnemar_exact(0, int(u)) < alpha for u in ups]))


def test_the_floor_has_80_percent_power_where_the_old_one_had_about_half():
    # The reviewer's case: nothing changed over 70 cases, tested at 0.05 / 24.
    alpha = 0.05 / 24
    old = smallest_significant_count(alpha) / 70  # 10 of 70: 14.3 pp
    new = minimum_detectable_effect([0.0] * 70, alpha=alpha)
    assert new == pytest.approx(exact_floor(70, alpha)) and new > old
    assert _power_one_sample(70, old, alpha) < 0.6
    assert _power_one_sample(70, new, alpha) == pytest.approx(0.8, abs=0.02)


def test_with_several_samples_the_floor_has_80_percent_power_too():
    # 5 samples per case, nothing changed on side A (0%): a true per-sample rise of d on B moves a case by
    # Binomial(5, d) / 5; the signed-rank test over cases decides. The old floor (k steps of 1/5 over n) had
    # far less than 80% power.
    n, samples, alpha, reps = 30, 5, 0.05 / 15, 600
    rng = np.random.default_rng(RNG_SEED)

    def power(d: float) -> float:
        deltas = rng.binomial(samples, d, size=(reps, n)) / samples
        return float(np.mean([wilcoxon_signed_rank(row) < alpha for row in deltas]))

    floor = minimum_detectable_effect([0.0] * n, alpha=alpha, samples=samples)
    old = smallest_significant_count(alpha) / samples / n
    assert power(floor) == pytest.approx(0.8, abs=0.05)
    assert power(old) < 0.5


def test_tarone_keeps_a_changed_row_from_paying_for_rows_that_did_not_change():
    # n = 8, 24 rows: resolution 6 of 8 cases one way (p 0.031), 23 rows where nothing changed. Holm over
    # all 24 made it 0.75; none of the 23 can give p below 1, so the family is the one row.
    p = [mcnemar_exact(6, 0)] + [1.0] * 23
    minimum = [smallest_attainable_p(6)] + [smallest_attainable_p(0)] * 23
    assert holm(p)[0] == pytest.approx(0.75)
    adjusted, family = tarone_holm(p, minimum, 0.05)
    assert family == 1 and adjusted[0] == pytest.approx(0.03125) and adjusted[1:] == [1.0] * 23


def test_tarone_counts_a_row_that_could_reach_the_level_even_when_it_did_not():
    # Two rows could reach 0.05 / 2 (7 and 9 changed), so both count, whatever their p.
    assert tarone_size([smallest_attainable_p(7), smallest_attainable_p(9), 1.0, 1.0], 0.05) == 2
    # Three rows of 6 changed (best p 0.031): more than 1 qualify at 0.05, none at 0.05 / 2, so K = 2 and
    # none is tested (Holm over the three would have said 0.094: not significant either).
    adjusted, family = tarone_holm([0.031] * 3, [smallest_attainable_p(6)] * 3, 0.05)
    assert family == 2 and adjusted == [1.0, 1.0, 1.0]
    assert tarone_holm([None, 0.5], [None, 0.0], 0.05) == ([None, 0.5], 1)


def test_tarone_holm_keeps_the_family_wise_error_rate():
    # 24 rows under the null, few changed cases each (many rows cannot reach significance): the chance of any
    # rejection stays below alpha, and Tarone rejects at least as often as plain Holm would.
    rng = np.random.default_rng(RNG_SEED)
    alpha, reps, rows = 0.05, 3000, 24
    any_tarone = any_holm = 0
    for _ in range(reps):
        changed = rng.poisson(rng.uniform(0, 10, rows))
        ups = rng.binomial(changed, 0.5)
        p = [mcnemar_exact(int(c - u), int(u)) for c, u in zip(changed, ups)]
        adjusted, _ = tarone_holm(p, [smallest_attainable_p(int(c)) for c in changed], alpha)
        any_tarone += any(a < alpha for a in adjusted)
        any_holm += any(a < alpha for a in holm(p))
    assert any_tarone / reps <= alpha + 0.01
    assert any_tarone >= any_holm


def test_apply_holm_uses_the_rows_changed_cases():
    def row(name: str, deltas: list[float], p: float) -> DiffRow:
        r = DiffRow(kind="check", name=name, scale="pass_fail", n_cases=len(deltas),
                    difference=float(np.mean(deltas)), p_value=p)
        r._deltas, r._step = np.asarray(deltas), 1.0
        return r

    changed = row("resolution", [1.0] * 6 + [0.0] * 2, mcnemar_exact(0, 6))
    still = [row(f"r{i}", [0.0] * 8, 1.0) for i in range(23)]
    assert apply_holm([changed, *still], 0.05) == 1
    assert changed.verdict == "improved" and changed.p_holm == pytest.approx(0.03125)
    assert {r.p_holm for r in still} == {1.0} and {r.verdict for r in still} == {"no detectable change"}
