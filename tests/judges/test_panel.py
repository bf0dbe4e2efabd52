"""Aggregating a judge panel's verdicts: per scale and method, with panellists failing."""

from __future__ import annotations

import asyncio
import json

import pytest

from harness.checks.base import CheckContext
from harness.datasets.schema import Case
from harness.errors import ConfigError, RateLimitError
from harness.judges.judge import Judge
from harness.judges.panel import PanelJudge, Panellist, aggregate_verdicts
from harness.judges.rubric import Criterion, Rubric
from harness.models.base import ModelResponse
from harness.models.fake import fake_model
from harness.records.schema import CallStats, CriterionResult, ErrorInfo

FIVE = Criterion(id="empathy", question="q", levels={str(i): "" for i in range(1, 6)}, pass_threshold=4)
PASS_FAIL = Criterion(id="policy", question="q", scale="pass_fail", levels={"pass": "", "fail": ""})


def scored(score: float, criterion: Criterion = FIVE, reason: str = "r", weighted: float | None = None):
    return CriterionResult(score=score, passed=criterion.to_pass(score), reason=reason, weighted_score=weighted)


def failed(kind: str = "judge_output") -> CriterionResult:
    return CriterionResult(error=ErrorInfo(kind=kind, message=f"{kind} happened", attempts=2))


@pytest.mark.parametrize("method, scores, expected, passed", [
    ("mean", [2, 4, 5], 11 / 3, False),
    ("mean", [4, 4, 5], 13 / 3, True),
    ("median", [2, 4, 5], 4.0, True),
    ("median", [2, 5], 3.5, False),
    ("majority", [2, 4, 4], 4.0, True),
    ("majority", [2, 5], 2.0, False),          # a tie goes to the lower score
    ("majority", [3, 3, 5, 5, 1], 3.0, False),  # likewise among the most common
])
def test_one_to_five_aggregates(method, scores, expected, passed):
    verdicts = {f"j{i}": scored(s) for i, s in enumerate(scores)}
    result = aggregate_verdicts(FIVE, verdicts, method)
    assert result.score == pytest.approx(expected)
    assert result.passed is passed
    assert result.n_votes == len(scores)
    assert result.panel == verdicts


@pytest.mark.parametrize("method, votes, score, passed", [
    ("mean", [1, 1, 0], 2 / 3, True),
    ("mean", [1, 0], 0.5, False),       # a tie fails
    ("mean", [1, 0, 0], 1 / 3, False),
    ("median", [1, 1, 0], 1.0, True),
    ("median", [1, 0], 0.5, False),
    ("majority", [1, 1, 0], 1.0, True),
    ("majority", [1, 0], 0.0, False),
])
def test_pass_fail_aggregates(method, votes, score, passed):
    verdicts = {f"j{i}": scored(v, PASS_FAIL) for i, v in enumerate(votes)}
    result = aggregate_verdicts(PASS_FAIL, verdicts, method)
    assert result.score == pytest.approx(score)
    assert result.passed is passed


def test_a_failing_panellist_is_left_out_and_the_vote_count_says_so():
    verdicts = {"a": scored(2), "b": failed("rate_limit"), "c": scored(5, reason="kind")}
    result = aggregate_verdicts(FIVE, verdicts, "mean")
    assert result.score == 3.5 and result.n_votes == 2 and result.error is None
    assert result.panel["b"].error.kind == "rate_limit"
    # The reason is that of the voter closest to the aggregate (the first one on a tie), with the votes.
    assert result.reason == "a: r [panel a 2, c 5 → mean 3.5]"


def test_every_panellist_failing_is_a_judge_error_naming_each():
    result = aggregate_verdicts(FIVE, {"a": failed("rate_limit"), "b": failed("judge_output")}, "median")
    assert result.score is None and result.passed is None and result.n_votes == 0
    assert result.error.kind == "rate_limit"
    assert result.error.message == "every panellist failed: a: rate_limit happened; b: judge_output happened"
    assert result.error.attempts == 4


def test_not_applicable_stays_not_applicable():
    na = CriterionResult(applicable=False)
    result = aggregate_verdicts(FIVE, {"a": na, "b": na}, "mean")
    assert result.applicable is False and result.score is None and result.error is None


def test_weighted_score_is_the_voters_mean_only_when_every_voter_has_one():
    both = aggregate_verdicts(FIVE, {"a": scored(4, weighted=3.6), "b": scored(5, weighted=4.8)}, "majority")
    assert both.weighted_score == pytest.approx(4.2)
    one = aggregate_verdicts(FIVE, {"a": scored(4, weighted=3.6), "b": scored(5)}, "mean")
    assert one.weighted_score is None


def test_panel_needs_two_distinct_panellists_and_a_known_aggregate():
    rubric = Rubric(id="r", version="1", criteria=[FIVE])
    judge = Judge(model=fake_model(["x"]), rubric=rubric)
    with pytest.raises(ConfigError, match="at least two"):
        PanelJudge([Panellist("a", judge)], rubric)
    with pytest.raises(ConfigError, match="unique"):
        PanelJudge([Panellist("a", judge), Panellist("a", judge)], rubric)
    with pytest.raises(ConfigError, match="unknown panel aggregate"):
        PanelJudge([Panellist("a", judge), Panellist("b", judge)], rubric, aggregate="mode")


def test_panel_grades_with_every_panellist_and_accounts_every_call():
    rubric = Rubric(id="r", version="1", criteria=[FIVE, PASS_FAIL])

    def answers(empathy: int, policy: str):
        def script(messages, config):
            user = messages[-1].content
            if "Criterion `empathy`" in user:
                return ModelResponse(text=json.dumps({"reason": "e", "score": empathy}),
                                     field_probabilities={"score": {"4": 0.5, "5": 0.5}})
            return json.dumps({"reason": "p", "score": policy})
        return script

    flaky = iter([RateLimitError("slow down", retryable=False)])

    def third(messages, config):
        if "Criterion `policy`" in messages[-1].content:
            return next(flaky, json.dumps({"reason": "p", "score": "fail"}))
        return json.dumps({"reason": "e", "score": 1})

    models = [fake_model(answers(4, "pass"), "fake/a"), fake_model(answers(5, "pass"), "fake/b"),
              fake_model(third, "fake/c", max_retries=0)]
    panel = PanelJudge([Panellist(m.name, Judge(model=m, rubric=rubric)) for m in models], rubric, "median")
    case = Case(id="c1", turns=[{"role": "customer", "content": "where is my parcel"}])
    stats = CallStats()
    results = asyncio.run(panel.grade(CheckContext(case=case, reply="Sorry, checking now."), stats))
    assert list(results) == ["empathy", "policy"]
    assert results["empathy"].score == 4 and results["empathy"].n_votes == 3
    assert results["empathy"].weighted_score is None  # fake/c reported no probabilities
    assert results["policy"].n_votes == 2 and results["policy"].passed is True
    assert results["policy"].panel["fake/c"].error.kind == "rate_limit"
    assert stats.calls == 5  # the refused call never reached accounting; every answer did
    assert all(m.provider.calls == 2 for m in models)


def test_a_panellists_own_records_for_calibration():
    from harness.judges.panel import panellist_records
    from harness.records.schema import Record

    judge = {"panel": [{"panellist": "a"}, {"panellist": "b"}]}
    panel = aggregate_verdicts(FIVE, {"a": scored(2), "b": scored(4)}, "mean")
    records = [Record(case_id="c1", candidate="x", judge={"empathy": panel, "na": CriterionResult(applicable=False)}),
               Record(case_id="c2", candidate="x", judge={"empathy": scored(5)})]  # judged without the panel
    first, second = panellist_records(judge, records, "b")
    assert first.judge["empathy"].score == 4 and first.judge["na"].applicable is False
    assert second.judge["empathy"].error.kind == "not_judged"
    assert records[0].judge["empathy"].score == 3  # the originals are untouched
    with pytest.raises(ConfigError, match="no judge panel"):
        list(panellist_records({"name": "fake/a"}, records, "a"))
