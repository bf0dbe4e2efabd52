"""The verbosity probe: Spearman's rho of reply length against judge score, held to scipy."""

import random

import pytest
from scipy.stats import spearmanr

from harness.records.schema import CriterionResult
from harness.report.markdown import render_scorecard_md
from harness.scoring import build_scorecard
from harness.scoring.stats import average_ranks, spearman
from harness.scoring.verbosity import verbosity_notices
from harness.scoring.schema import VerbosityProbe
from tests.scoring.factory import CRITERIA, NOTICE, judge_error, manifest, record, score


def _cases():
    rng = random.Random(7)
    yield [1, 2, 3, 4, 5], [5, 6, 7, 8, 7]
    yield [3, 1, 2], [1, 2, 3]
    yield [10, 10, 20, 30, 30, 30], [1, 5, 5, 2, 4, 4]               # ties on both sides
    for n in (2, 3, 10, 57, 400):
        lengths = [rng.randint(20, 600) for _ in range(n)]
        scores = [rng.randint(1, 5) for _ in range(n)]              # heavy ties, as 1-5 judge scores are
        yield lengths, scores
        yield lengths, [float(rng.random() < 0.5) for _ in range(n)]  # pass/fail


@pytest.mark.filterwarnings("ignore:An input array is constant")
@pytest.mark.parametrize("x, y", list(_cases()))
def test_spearman_matches_scipy(x, y):
    expected = spearmanr(x, y).statistic
    found = spearman(x, y)
    if expected != expected:  # scipy's NaN: a constant side
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=1e-12)


def test_average_ranks_share_ties():
    assert average_ranks([30, 10, 20, 10]) == [4.0, 1.5, 3.0, 1.5]


@pytest.mark.parametrize("x, y", [([], []), ([1], [2]), ([1, 2, 3], [4, 4, 4]), ([5, 5], [1, 2])])
def test_spearman_is_none_when_undefined(x, y):
    assert spearman(x, y) is None


def test_spearman_rejects_unpaired_values():
    with pytest.raises(ValueError):
        spearman([1, 2], [1])


def _records(n: int, follows_length: bool):
    out = []
    for i in range(n):
        value = 1 + i % 5 if follows_length else 1 + (i * 3) % 5
        reply = "x" * (50 + 10 * value + i) if follows_length else "x" * (50 + i)
        out.append(record(f"c{i}", "bot_v1" if i % 2 else "bot_v2", reply=reply,
                          judge={"empathy": score(value), "boundary": CriterionResult(applicable=False)}))
    return out


def test_probe_pools_candidates_and_skips_errors_and_not_applicable():
    records = _records(12, follows_length=True) + [record("e1", judge={"empathy": judge_error()}),
                                                   record("e2", error="timeout")]
    card = build_scorecard(records, manifest(), CRITERIA)
    probe = card.verbosity["empathy"]
    lengths = [len(r.reply) for r in records[:12]]
    assert probe.n == 12 and probe.rho == pytest.approx(spearmanr(lengths, [r.judge["empathy"].score
                                                                              for r in records[:12]]).statistic)
    assert "boundary" not in card.verbosity
    assert card.notices[0] == NOTICE and any(n.startswith("verbosity: judge scores on empathy rise") for n in card.notices)
    text = render_scorecard_md(card)
    assert "Verbosity probe" in text and f"empathy {probe.rho:+.2f} (n 12)" in text and "scores on empathy rise" in text


def test_no_notice_below_the_thresholds():
    assert verbosity_notices({"a": VerbosityProbe(rho=0.9, n=9), "b": VerbosityProbe(rho=-0.29, n=100),
                              "c": VerbosityProbe(rho=None, n=50)}) == []
    [notice] = verbosity_notices({"d": VerbosityProbe(rho=-0.3, n=10)})
    assert "on d fall with reply length" in notice and "rho -0.30, n 10" in notice


def test_no_probe_without_scored_replies():
    card = build_scorecard([record("c1", judge={"empathy": judge_error()})], manifest(), CRITERIA)
    assert card.verbosity is None and "Verbosity probe" not in render_scorecard_md(card)
    assert build_scorecard([], None).verbosity is None
