"""The pairwise statistics against reference computations (scipy, and plain loops)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from harness.pairwise.judge import combine, winner_of
from harness.pairwise.schema import OrderVerdict, PairLeftOut
from harness.pairwise.stats import Judged, StatsOptions, apply_holm, build_row, cluster_share
from harness.scoring.stats import wilson_interval

# (pick with A first, pick with B first) per case; 40 cases, deterministic.
PICKS = ([("second", "first")] * 17 + [("first", "second")] * 6 + [("tie", "tie")] * 5 +
         [("first", "first")] * 8 + [("second", "second")] * 4)


def _judged(picks, criterion="empathy", prefix="c") -> list[Judged]:
    out = []
    for i, (ab, ba) in enumerate(picks):
        verdict = combine(criterion, OrderVerdict(order="AB", picked=ab, winner=winner_of("AB", ab)),
                          OrderVerdict(order="BA", picked=ba, winner=winner_of("BA", ba)))
        out.append(Judged(f"{prefix}{i:02d}", verdict, len_a=100, len_b=100 + (i % 3) - 1))
    return out


def test_counts_and_wilson_intervals_match_scipy():
    row = build_row("criterion", "empathy", _judged(PICKS), PairLeftOut(), StatsOptions())
    assert (row.b_wins.count, row.a_wins.count, row.ties.count, row.n_pairs) == (17, 6, 17, 40)
    assert row.inconsistent == 12 and row.consistency.count == 28
    for share in (row.b_wins, row.a_wins, row.ties, row.consistency, row.first_position):
        ref = scipy_stats.binomtest(share.count, share.n).proportion_ci(0.95, method="wilson")
        assert (share.ci.lo, share.ci.hi) == pytest.approx((ref.low, ref.high), abs=1e-9)
    # decisive answers: 17x(second, first) + 6x(first, second) + 8x(first, first) + 4x(second, second)
    assert (row.first_position.count, row.first_position.n) == (17 + 6 + 16, 70)


def test_sign_test_matches_scipy_binomtest():
    row = build_row("criterion", "empathy", _judged(PICKS), PairLeftOut(), StatsOptions())
    assert row.p_value == pytest.approx(scipy_stats.binomtest(17, 23, 0.5).pvalue, rel=1e-9)


def test_a_criterion_interval_is_the_one_that_agrees_with_its_sign_test():
    # One pair per case, won by A, B or tied: diff's McNemar row (A wins pass -> fail, B wins fail -> pass).
    from harness.compare.paired import mcnemar_exact_interval

    row = build_row("criterion", "empathy", _judged(PICKS), PairLeftOut(), StatsOptions())
    assert row.ci_method == "sign_test_exact" and row.ci_note is None
    assert (row.ci.lo, row.ci.hi) == pytest.approx(tuple(mcnemar_exact_interval(6, 17, 40)))
    assert row.ci.lo > 0 and row.p_value < 0.05  # they agree


def test_overall_difference_interval_matches_a_reference_bootstrap():
    # One criterion: the overall row's case bootstrap is a plain bootstrap of the per-case differences
    # (it was the criterion row's interval before that became the exact one).
    judged = _judged(PICKS)
    row = build_row("overall", "overall", judged, PairLeftOut(), StatsOptions(n_resamples=20000))
    deltas = np.array([(j.verdict.outcome == "B") - (j.verdict.outcome == "A") for j in judged], dtype=float)
    assert row.win_rate_difference == pytest.approx(deltas.mean()) == pytest.approx(11 / 40)
    ref = scipy_stats.bootstrap((deltas,), np.mean, n_resamples=20000, method="percentile",
                                confidence_level=0.95, random_state=np.random.default_rng(1)).confidence_interval
    # the bootstrap distribution lives on a grid of 1/40: the two may differ by one step at a tail
    step = 1 / 40 + 1e-9
    assert row.ci.lo == pytest.approx(ref.low, abs=step) and row.ci.hi == pytest.approx(ref.high, abs=step)


def test_overall_intervals_resample_whole_cases():
    # two criteria on the same 40 cases: the pooled row must resample cases, not (case, criterion) pairs
    judged = _judged(PICKS, "empathy") + _judged(PICKS[::-1], "policy")
    options = StatsOptions(n_resamples=20000, seed=3)
    row = build_row("overall", "overall", judged, PairLeftOut(), options)
    assert row.n_pairs == 80 and row.n_cases == 40 and row.interval_method == "cluster_bootstrap"
    by_case: dict[str, list[float]] = {}
    for j in judged:
        by_case.setdefault(j.case_id, []).append(float(j.verdict.outcome == "B"))
    # reference: a plain loop drawing cases with replacement
    rng = np.random.default_rng(7)
    ids = sorted(by_case)
    rates = []
    for _ in range(20000):
        drawn = rng.integers(0, len(ids), len(ids))
        values = [v for k in drawn for v in by_case[ids[k]]]
        rates.append(np.mean(values))
    lo, hi = np.percentile(rates, [2.5, 97.5])
    assert row.b_wins.rate == pytest.approx(34 / 80)
    assert row.b_wins.ci.lo == pytest.approx(lo, abs=0.02) and row.b_wins.ci.hi == pytest.approx(hi, abs=0.02)
    # The overall test counts cases, not pairs: the sign test of cases B led against cases A led.
    deltas = {}
    for j in judged:
        deltas[j.case_id] = deltas.get(j.case_id, 0) + (j.verdict.outcome == "B") - (j.verdict.outcome == "A")
    led_b, led_a = sum(d > 0 for d in deltas.values()), sum(d < 0 for d in deltas.values())
    assert (row.cases_b, row.cases_a) == (led_b, led_a)
    assert row.p_value == pytest.approx(scipy_stats.binomtest(led_b, led_b + led_a, 0.5).pvalue, rel=1e-9)


def test_cluster_share_is_seeded_and_handles_small_inputs():
    units = [("c1", True), ("c1", False), ("c2", True)]
    assert cluster_share(units, StatsOptions(seed=5)) == cluster_share(units, StatsOptions(seed=5))
    assert cluster_share([], StatsOptions()).n == 0
    one = cluster_share([("c1", True)], StatsOptions())
    assert one.rate == 1.0 and one.ci is None


def test_holm_and_preference():
    strong = build_row("criterion", "empathy", _judged([("second", "first")] * 20), PairLeftOut(), StatsOptions())
    weak = build_row("criterion", "policy", _judged([("second", "first")] * 3 + [("first", "second")] * 2),
                     PairLeftOut(), StatsOptions())
    rows = [strong, weak]
    apply_holm(rows, 0.05)
    # Tarone: 5 decided pairs can give p 0.0625 at best, so `weak` can never be significant and does not
    # count against `strong` (before, strong's p was doubled for it).
    assert weak.p_holm == 1.0 and strong.p_holm == pytest.approx(strong.p_value)
    both = [build_row("criterion", n, _judged([("second", "first")] * 20), PairLeftOut(), StatsOptions())
            for n in ("empathy", "policy")]
    apply_holm(both, 0.05)
    assert both[0].p_holm == pytest.approx(2 * both[0].p_value)
    assert strong.preference == "B preferred" and weak.preference == "no detectable preference"
    flipped = build_row("criterion", "x", _judged([("first", "second")] * 20), PairLeftOut(), StatsOptions())
    apply_holm([flipped], 0.05)
    assert flipped.preference == "A preferred"


def test_longer_preferred_counts_decided_pairs_of_unequal_length():
    judged = _judged(PICKS)
    row = build_row("criterion", "empathy", judged, PairLeftOut(), StatsOptions())
    expected = [(j.verdict.outcome == ("A" if j.len_a > j.len_b else "B"))
                for j in judged if j.verdict.outcome in ("A", "B") and j.len_a != j.len_b]
    assert (row.longer_preferred.count, row.longer_preferred.n) == (sum(expected), len(expected))


def test_cluster_share_never_collapses_to_a_point_when_every_case_agrees():
    # Three cases, every pair inconsistent: the bootstrap has no spread; the interval must still be honest.
    none = cluster_share([("c1", False), ("c2", False), ("c3", False)], StatsOptions())
    expected = wilson_interval(0, 3)
    assert (none.rate, none.ci.lo, none.ci.hi) == (0.0, 0.0, pytest.approx(expected.hi))
    assert none.ci.hi > 0.5
    # Two units per case, all alike: n is the 3 cases, not the 6 units.
    every = cluster_share([(c, True) for c in ("c1", "c2", "c3") for _ in range(2)], StatsOptions())
    assert every.ci.lo == pytest.approx(wilson_interval(3, 3).lo) and every.ci.hi == 1.0
    # Every case at the same interior share (1 of 2): Wilson at 1.5 of 3.
    half = cluster_share([("c1", True), ("c1", False), ("c2", False), ("c2", True)], StatsOptions())
    assert half.rate == 0.5 and half.ci.lo == pytest.approx(wilson_interval(1, 2).lo)


def test_every_pair_a_tie_gets_the_diff_no_change_bound_not_a_point():
    # 5 ties: every bootstrap resample is 0, and the percentile interval read "+0 pp [+0, +0]".
    from harness.compare.rows import no_change_interval

    row = build_row("criterion", "empathy", _judged([("tie", "tie")] * 5), PairLeftOut(), StatsOptions())
    bound = 1 - 0.025 ** (1 / 5)  # Clopper-Pearson's upper bound for 0 of 5, times the largest change, 1
    assert row.win_rate_difference == 0 and row.ci_method == "no_change"
    assert (row.ci.lo, row.ci.hi) == pytest.approx((-bound, bound)) and row.ci.hi == pytest.approx(0.522, abs=1e-3)
    assert (row.ci.lo, row.ci.hi) == tuple(no_change_interval(np.zeros(5), "pass_fail", 0.95))
    # Inconsistent pairs are ties too; pooled over two criteria, n is the 5 cases, not the 10 pairs.
    judged = _judged([("first", "first")] * 5, "empathy") + _judged([("tie", "tie")] * 5, "policy")
    overall = build_row("overall", "overall", judged, PairLeftOut(), StatsOptions())
    assert overall.ci_method == "no_change" and overall.ci.hi == pytest.approx(bound)


def test_every_pair_won_by_one_side_gets_the_uniform_change_bound():
    from harness.compare.rows import uniform_change_interval

    few = build_row("overall", "overall", _judged([("second", "first")] * 5), PairLeftOut(), StatsOptions())
    assert few.win_rate_difference == 1 and few.ci_method == "uniform_change"
    assert (few.ci.lo, few.ci.hi) == tuple(uniform_change_interval(np.ones(5), "pass_fail", 0.95))
    assert few.ci.lo < 0 < few.ci.hi <= 1  # 5 of 5: the sign test's p is 0.062, and the interval includes 0
    # A criterion row gets the exact interval, which includes 0 too.
    criterion = build_row("criterion", "empathy", _judged([("second", "first")] * 5), PairLeftOut(), StatsOptions())
    assert criterion.ci_method == "sign_test_exact" and criterion.ci.lo < 0 < criterion.ci.hi
    many = build_row("overall", "overall", _judged([("first", "second")] * 20), PairLeftOut(), StatsOptions())
    assert many.ci_method == "uniform_change" and -1 <= many.ci.lo < many.ci.hi < 0
    apply_holm([many], 0.05)
    assert many.preference == "A preferred"


def test_cases_that_differ_keep_the_bootstrap_interval_overall():
    row = build_row("overall", "overall", _judged(PICKS), PairLeftOut(), StatsOptions())
    assert row.ci_method == "bootstrap" and row.ci.lo < row.ci.hi
    one = build_row("overall", "overall", _judged([("second", "first"), ("tie", "tie")]), PairLeftOut(),
                    StatsOptions())
    assert one.ci_method == "bootstrap"
