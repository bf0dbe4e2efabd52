"""The pairwise preference comes from an exact test, never from a bootstrap interval alone; errors are
counted as pairs and as calls, and labelled so."""

from __future__ import annotations

import numpy as np

from harness.pairwise.judge import combine, winner_of
from harness.pairwise.markdown import fmt_difference, fmt_left_out
from harness.pairwise.schema import OrderVerdict, PairLeftOut, PairwiseRow
from harness.pairwise.stats import Judged, StatsOptions, apply_holm, build_row

PICK = {"B": ("second", "first"), "A": ("first", "second"), "tie": ("tie", "tie")}


def _judged(outcomes: list[str], criterion: str) -> list[Judged]:
    out = []
    for i, outcome in enumerate(outcomes):
        ab, ba = PICK[outcome]
        verdict = combine(criterion, OrderVerdict(order="AB", picked=ab, winner=winner_of("AB", ab)),
                          OrderVerdict(order="BA", picked=ba, winner=winner_of("BA", ba)))
        out.append(Judged(f"c{i:02d}", verdict, 100, 100))
    return out


def _rows(per_criterion: dict[str, list[str]], options: StatsOptions = StatsOptions()) -> list[PairwiseRow]:
    judged = {name: _judged(outcomes, name) for name, outcomes in per_criterion.items()}
    rows = [build_row("criterion", name, pairs, PairLeftOut(), options) for name, pairs in judged.items()]
    rows.append(build_row("overall", "overall", [j for pairs in judged.values() for j in pairs], PairLeftOut(),
                          options))
    apply_holm(rows, options.alpha)
    return rows


def test_four_b_wins_and_a_tie_are_no_preference_overall_either():
    # The reviewer's case: each criterion p 0.125, and the pooled bootstrap interval [+40, +100] read
    # "B preferred". The sign test over the 5 cases (4 led by B, 1 level) gives 0.125 too.
    outcomes = ["B", "B", "B", "B", "tie"]
    *criteria, overall = _rows({"apology_quality": outcomes, "resolution": outcomes})
    assert {r.p_value for r in criteria} == {0.125}
    assert {r.preference for r in criteria} == {"no detectable preference"}
    assert (overall.cases_b, overall.cases_a, overall.p_value) == (4, 0, 0.125)
    assert overall.preference == "no detectable preference"
    assert overall.ci.lo > 0 and overall.ci_note is not None
    assert fmt_difference(overall).endswith("(interval unreliable)")
    # Criterion rows get the interval that agrees with their sign test: it includes 0 here.
    assert all(r.ci_method == "sign_test_exact" and r.ci.lo < 0 < r.ci.hi and r.ci_note is None for r in criteria)


def test_a_clear_overall_preference_is_still_called():
    outcomes = ["B"] * 8 + ["tie", "A"]
    *_, overall = _rows({"apology_quality": outcomes, "resolution": outcomes})
    assert (overall.cases_b, overall.cases_a) == (8, 1) and overall.p_value < 0.05
    assert overall.preference == "B preferred" and overall.ci_note is None
    flipped = [{"A": "B", "B": "A"}.get(o, o) for o in outcomes]
    assert _rows({"apology_quality": flipped})[-1].preference == "A preferred"


def test_null_comparisons_rarely_declare_a_preference():
    # As the reviewer's null runs: the same candidate against itself, 6 cases, 2 criteria that move together
    # (the judge sees one pair of replies per case), each case A, B or tie at random. The bootstrap interval
    # called about one in five a preference; the exact test may call at most alpha.
    rng = np.random.default_rng(11)
    options = StatsOptions(n_resamples=200)
    declared = {"overall": 0, "criterion": 0}
    reps = 300
    for _ in range(reps):
        outcomes = list(rng.choice(["A", "B", "tie"], size=6, p=[0.35, 0.35, 0.3]))
        rows = _rows({"apology_quality": outcomes, "resolution": outcomes}, options)
        declared["overall"] += rows[-1].preference != "no detectable preference"
        declared["criterion"] += any(r.preference != "no detectable preference" for r in rows[:-1])
    assert declared["overall"] / reps <= 0.05 and declared["criterion"] / reps <= 0.05


def test_pairs_with_an_error_and_failed_calls_are_labelled_apart():
    row = PairwiseRow(kind="overall", name="overall", interval_method="cluster_bootstrap", n_pairs=2,
                      left_out=PairLeftOut(judge_error=10, not_applicable=2), errors={"junk": 11})
    assert fmt_left_out(row) == "10 pairs with a judge error (11 failed calls: junk 11); 2 n/a"
    one = PairwiseRow(kind="criterion", name="x", interval_method="wilson", n_pairs=0,
                      left_out=PairLeftOut(judge_error=1), errors={"provider": 1})
    assert fmt_left_out(one) == "1 pair with a judge error (1 failed call: provider 1)"
