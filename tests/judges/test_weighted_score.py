"""Probability-weighted (G-Eval) scores from the judge model's reported score probabilities."""

import asyncio
import json

import pytest

from harness.checks.base import CheckContext
from harness.judges.judge import Judge, weighted_score
from harness.models.base import ModelResponse
from harness.models.fake import fake_model
from harness.records.schema import CallStats, CriterionResult
from tests.judges.test_judge import CASE, POLICY, RUBRIC, TONE


def answer(score, probabilities=None) -> ModelResponse:
    text = json.dumps({"reason": "because", "score": score})
    return ModelResponse(text=text, field_probabilities=None if probabilities is None else {"score": probabilities})


def grade(script):
    model = fake_model(script)
    results = asyncio.run(Judge(model=model, rubric=RUBRIC).grade(CheckContext(case=CASE, reply="Sorry."), CallStats()))
    return results


def test_weighted_score_is_recorded_beside_the_sampled_score():
    tone = {"1": 0.0, "2": 0.1, "3": 0.2, "4": 0.6, "5": 0.1}
    policy = {'"pass"': 0.75, '"fail"': 0.25}
    results = grade([answer(4, tone), answer("pass", policy)])
    assert results["tone"].score == 4 and results["tone"].weighted_score == pytest.approx(3.7)
    assert results["policy_compliance"].score == 1 and results["policy_compliance"].weighted_score == pytest.approx(0.75)


def test_no_probabilities_means_no_weighted_score():
    results = grade([answer(4), answer("fail")])
    assert results["tone"].weighted_score is None and results["policy_compliance"].weighted_score is None


def test_retried_answer_takes_the_probabilities_of_the_answer_that_counted():
    results = grade([ModelResponse(text="junk", field_probabilities={"score": {"1": 1.0}}),
                     answer(5, {"5": 1.0}), answer("pass", {'"pass"': 1.0})])
    assert results["tone"].weighted_score == 5.0


@pytest.mark.parametrize("probabilities, expected", [
    ({"1": 0.2, "5": 0.2}, 3.0),                       # renormalised over the mass on allowed values
    ({"4": 0.5, "7": 0.4, "\"x\"": 0.1}, 4.0),         # values outside the scale are ignored
    ({"3": 0.5, "3.5": 0.5, "true": 0.3}, 3.0),         # so are non-integers and booleans
    ({"1": 0.0, "2": 0.0}, None),                       # no mass at all
    ({"not json": 1.0}, None),
    ({}, None),
])
def test_weighted_score_on_a_1_to_5_scale(probabilities, expected):
    assert weighted_score({"score": probabilities}, TONE) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize("probabilities, expected", [
    ({'"pass"': 0.9, '"fail"': 0.1}, 0.9),
    ({'"pass"': 0.2, '"fail"': 0.2, "1": 0.6}, 0.5),
    ({"pass": 1.0}, None),                              # keys are JSON-encoded: a bare word is not a value
])
def test_weighted_score_on_pass_fail(probabilities, expected):
    assert weighted_score({"score": probabilities}, POLICY) == (pytest.approx(expected) if expected else None)


def test_other_fields_and_missing_probabilities_give_none():
    assert weighted_score(None, TONE) is None
    assert weighted_score({"reason": {'"x"': 1.0}}, TONE) is None


def test_record_field_defaults_to_none():
    assert CriterionResult(score=3).weighted_score is None


@pytest.mark.parametrize("probabilities, expected", [({"4": float("inf"), "5": 1.0}, 5.0),  # the infinite mass left out
                                                     ({"4": 1e308, "5": 1e308}, None)])  # a sum too large: no mean
def test_probabilities_too_large_to_add_never_give_a_nan_weighted_score(probabilities, expected):
    assert weighted_score({"score": probabilities}, TONE) == expected
