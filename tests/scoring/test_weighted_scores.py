"""The scorecard's probability-weighted (G-Eval) means: present only where the judge reported probabilities."""

import pytest

from harness.records.schema import CriterionResult
from harness.report.tables import summary_rows
from harness.scoring import build_scorecard
from tests.scoring.factory import CRITERIA, judge_error, manifest, record, sample_records


def weighted(value: float, weighted_value: float | None) -> CriterionResult:
    return CriterionResult(score=value, passed=value >= 4, weighted_score=weighted_value)


def test_weighted_mean_over_verdicts_that_have_one():
    records = [record("c1", judge={"empathy": weighted(4, 3.6)}),
               record("c2", judge={"empathy": weighted(5, 4.4)}),
               record("c3", judge={"empathy": weighted(2, None)}),   # counts in the score, not the weighted mean
               record("c4", judge={"empathy": judge_error()})]
    card = build_scorecard(records, manifest(("bot_v1",)), CRITERIA)
    summary = card.candidates["bot_v1"].criteria["empathy"]
    assert summary.score.n == 3 and summary.score.mean == pytest.approx(11 / 3)
    assert summary.weighted_score.n == 2 and summary.weighted_score.mean == pytest.approx(4.0)
    assert 1.0 <= summary.weighted_score.ci.lo <= summary.weighted_score.ci.hi <= 5.0
    labels = [row.label for row in summary_rows(card)]
    assert "empathy (probability-weighted mean)" in labels


def test_absent_without_probabilities_and_the_report_is_unchanged():
    card = build_scorecard(sample_records(), manifest(), CRITERIA)
    assert all(s.weighted_score is None for c in card.candidates.values() for s in c.criteria.values())
    assert not any("probability-weighted" in row.label for row in summary_rows(card))
