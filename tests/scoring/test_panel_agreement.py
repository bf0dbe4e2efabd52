"""Inter-judge agreement of a panel, held to the krippendorff package and scikit-learn on the same numbers."""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from harness.records.schema import CriterionResult, Record
from harness.scoring.accumulate import IntervalOptions
from harness.scoring.panel import PanelAcc
from harness.calibration import agreement as ag
from harness.scoring.panel_stats import RESAMPLES, Statistics, panel_agreement

FIVE = [1.0, 2.0, 3.0, 4.0, 5.0]
NAMES = ["gpt", "claude", "llama"]


def three_raters(seed: int, n: int = 60, missing: float = 0.15) -> np.ndarray:
    """Three panellists on a 1-5 scale who mostly agree, with some verdicts missing (NaN)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, n)
    scores = np.clip(truth + rng.integers(-1, 2, (3, n)) * (rng.random((3, n)) < 0.4), 1, 5).astype(float)
    scores[rng.random((3, n)) < missing] = np.nan
    return scores


def passes_of(scores: np.ndarray, threshold: float) -> np.ndarray:
    return np.where(np.isnan(scores), np.nan, (scores >= threshold).astype(float))


def usable(scores: np.ndarray) -> np.ndarray:
    return scores[:, (~np.isnan(scores)).sum(axis=0) >= 2]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_to_five_figures_match_krippendorff_and_sklearn(seed):
    scores = three_raters(seed)
    found = panel_agreement(NAMES, scores, passes_of(scores, 4), "1-5")
    kept = usable(scores)
    assert found.n_units == kept.shape[1]
    for level, stat in (("ordinal", found.krippendorff_alpha), ("interval", found.krippendorff_alpha_interval)):
        theirs = krippendorff.alpha(reliability_data=scores, level_of_measurement=level, value_domain=FIVE)
        assert stat.value == pytest.approx(theirs, abs=1e-9)
        assert stat.ci.lo <= stat.value <= stat.ci.hi
    for pair, (i, j) in zip(found.pairs, combinations(range(3), 2)):
        both = ~np.isnan(scores[i]) & ~np.isnan(scores[j])
        assert (pair.a, pair.b, pair.n) == (NAMES[i], NAMES[j], int(both.sum()))
        a, b = scores[i][both] >= 4, scores[j][both] >= 4
        assert pair.cohen_kappa.value == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
        assert pair.raw_agreement.value == pytest.approx(np.mean(scores[i][both] == scores[j][both]))
    all_same = [len(set(col[~np.isnan(col)])) == 1 for col in kept.T]
    assert found.raw_agreement.value == pytest.approx(np.mean(all_same))


def test_pass_fail_alpha_is_nominal_and_matches_krippendorff():
    rng = np.random.default_rng(7)
    scores = (rng.random((2, 40)) < 0.7).astype(float)
    scores[1, :10] = scores[0, :10]
    scores[0, 5] = np.nan
    found = panel_agreement(["a", "b"], scores, scores, "pass_fail")
    assert found.alpha_level == "nominal" and found.krippendorff_alpha_interval is None
    theirs = krippendorff.alpha(reliability_data=scores, level_of_measurement="nominal")
    assert found.krippendorff_alpha.value == pytest.approx(theirs, abs=1e-9)
    both = ~np.isnan(scores).any(axis=0)
    assert found.pairs[0].cohen_kappa.value == pytest.approx(cohen_kappa_score(scores[0][both], scores[1][both]))


def test_pattern_weighted_statistics_at_the_datas_counts_equal_agreement_on_the_units():
    scores = three_raters(11, n=300)
    kept = usable(scores)
    passes = passes_of(kept, 4)
    stats = Statistics(kept, passes, FIVE)
    assert stats.counts.sum() == kept.shape[1] and len(stats.counts) < kept.shape[1]  # patterns repeat
    data = stats.counts[None, :]
    ratings = [[None if np.isnan(v) else v for v in row] for row in kept.tolist()]
    for level in ("ordinal", "interval", "nominal"):
        assert stats.alpha(data, level)[0] == pytest.approx(ag.krippendorff_alpha(ratings, level, FIVE), abs=1e-12)
    for i, j in combinations(range(3), 2):
        assert stats.kappa(data, i, j)[0] == pytest.approx(stats.kappa_point(i, j), abs=1e-12)
        assert stats.pair_agree(data, i, j)[0] == pytest.approx(stats.pair_agree_point(i, j))


def test_a_resample_weighting_patterns_equals_the_same_units_resampled():
    scores = usable(three_raters(13, n=80))
    passes = passes_of(scores, 4)
    stats = Statistics(scores, passes, FIVE)
    drawn = np.random.default_rng(0).integers(0, scores.shape[1], scores.shape[1])
    resampled = Statistics(scores[:, drawn], passes[:, drawn], FIVE)
    # Weight each pattern of the full data by how often the resample drew units of it.
    index = {tuple(col): n for n, col in enumerate(np.nan_to_num(stats.scores.T, nan=-1.0).tolist())}
    weights = np.zeros((1, len(stats.counts)))
    for col in np.nan_to_num(scores[:, drawn].T, nan=-1.0).tolist():
        weights[0, index[tuple(col)]] += 1
    assert stats.alpha(weights, "ordinal")[0] == pytest.approx(
        resampled.alpha(resampled.counts[None, :], "ordinal")[0], abs=1e-12)
    assert stats.kappa(weights, 0, 1)[0] == pytest.approx(resampled.kappa_point(0, 1), abs=1e-12)


def test_intervals_are_seeded_and_shrink_with_more_units():
    small, big = three_raters(5, n=30), three_raters(5, n=600)
    first = panel_agreement(NAMES, small, passes_of(small, 4), "1-5")
    again = panel_agreement(NAMES, small, passes_of(small, 4), "1-5")
    assert first == again
    wide = first.krippendorff_alpha.ci.hi - first.krippendorff_alpha.ci.lo
    large = panel_agreement(NAMES, big, passes_of(big, 4), "1-5")
    assert large.krippendorff_alpha.ci.hi - large.krippendorff_alpha.ci.lo < wide / 2


def test_undefined_statistics_are_none_not_nan():
    # Both panellists passed everything: kappa and alpha are undefined, raw agreement is 1.
    ones = np.ones((2, 12))
    found = panel_agreement(["a", "b"], ones, ones, "pass_fail")
    assert found.krippendorff_alpha.value is None and found.pairs[0].cohen_kappa.value is None
    assert found.raw_agreement.value == 1.0
    empty = panel_agreement(["a", "b"], np.full((2, 3), np.nan), np.full((2, 3), np.nan), "1-5")
    assert empty.n_units == 0 and empty.krippendorff_alpha.value is None and empty.pairs[0].n == 0


def test_fractional_scores_snap_to_the_scale_for_categorical_statistics():
    scores = np.array([[3.5, 2.0, 4.4], [4.0, 2.0, 4.0]])
    found = panel_agreement(["a", "b"], scores, passes_of(scores, 4), "1-5")
    assert found.raw_agreement.value == 1.0  # 3.5 rounds half up to 4; 4.4 to 4


def test_big_runs_keep_their_intervals_and_stay_cheap():
    import time

    scores = three_raters(3, n=100_000)
    started = time.perf_counter()
    found = panel_agreement(NAMES, scores, passes_of(scores, 4), "1-5")
    assert time.perf_counter() - started < 20  # about a second on 2 busy cores
    assert found.krippendorff_alpha.ci.hi - found.krippendorff_alpha.ci.lo < 0.02
    theirs = krippendorff.alpha(reliability_data=scores, level_of_measurement="ordinal", value_domain=FIVE)
    assert found.krippendorff_alpha.value == pytest.approx(theirs, abs=1e-9)


def verdict(panel: dict[str, float | None]) -> CriterionResult:
    members = {name: CriterionResult(score=s, passed=s >= 4) if s is not None else
               CriterionResult(error={"kind": "timeout", "message": "slow"}) for name, s in panel.items()}
    voters = [s for s in panel.values() if s is not None]
    return CriterionResult(score=sum(voters) / len(voters), passed=True, panel=members, n_votes=len(voters))


def test_the_accumulator_reads_records_and_backfills_a_panellist_seen_late():
    records = [
        Record(case_id="c1", candidate="x", judge={"tone": verdict({"a": 4, "b": 5})}),
        Record(case_id="c2", candidate="x", judge={"tone": verdict({"a": 2, "b": None})}),
        Record(case_id="c3", candidate="y", judge={"tone": verdict({"a": 3, "b": 3, "c": 4})}),
        Record(case_id="c4", candidate="y", judge={"tone": CriterionResult(score=4, passed=True)}),  # no panel
    ]
    acc = PanelAcc()
    assert list(acc.tap(records)) == records
    summary = acc.result({"tone": "1-5"}, IntervalOptions(bounds={"tone": (1.0, 5.0)}), "mean")
    assert summary.panellists == ["a", "b", "c"] and summary.aggregate == "mean"
    tone = summary.criteria["tone"]
    assert tone.n_units == 2 and tone.votes == {"1": 1, "2": 1, "3": 1}
    assert [(p.a, p.b, p.n) for p in tone.pairs] == [("a", "b", 2), ("a", "c", 1), ("b", "c", 1)]
    data = np.array([[4, 2, 3], [5, np.nan, 3], [np.nan, np.nan, 4]])
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=FIVE)
    assert tone.krippendorff_alpha.value == pytest.approx(theirs, abs=1e-9)
    assert summary.means["x"]["tone"]["a"].mean == 3.0 and summary.means["x"]["tone"]["b"].n == 1
    assert summary.means["y"]["tone"]["c"].mean == 4.0
    assert summary.resamples == RESAMPLES


def test_no_panel_verdicts_means_no_panel_section():
    acc = PanelAcc()
    acc.add(Record(case_id="c1", candidate="x", judge={"tone": CriterionResult(score=4, passed=True)}))
    assert acc.result({"tone": "1-5"}, IntervalOptions()) is None
