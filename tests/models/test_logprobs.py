"""Reading score probabilities from token logprobs: locating the value, mapping alternatives to allowed values."""

from __future__ import annotations

import math

import pytest

from harness.judges.judge import weighted_score
from harness.judges.prompt import answer_schema
from harness.judges.rubric import Criterion
from harness.models.base import GenerateConfig, ModelResponse
from harness.models.logprobs import (enum_fields, field_probabilities, rejects_logprobs, value_offsets,
                                     with_field_probabilities, without_logprobs)

FIVE = Criterion(id="empathy", question="q", levels={str(i): "" for i in range(1, 6)})
PASS_FAIL = Criterion(id="policy", question="q", scale="pass_fail", levels={"pass": "", "fail": ""})
FIVE_SCHEMA = answer_schema(FIVE)
PASS_FAIL_SCHEMA = answer_schema(PASS_FAIL)


def tok(token: str, top: dict[str, float] | None = None, p: float | None = None) -> dict:
    """A token entry; ``top`` and ``p`` are probabilities (turned into logprobs here)."""
    top = top or {token: 0.99}
    chosen = p if p is not None else top.get(token, 0.99)
    return {"token": token, "logprob": math.log(chosen), "top": {t: math.log(q) for t, q in top.items()}}


def stream(*pieces: str | dict) -> list[dict]:
    return [piece if isinstance(piece, dict) else tok(piece) for piece in pieces]


def approx(found: dict[str, float]) -> dict[str, float]:
    return {k: pytest.approx(v) for k, v in found.items()}


def test_enum_fields_are_the_schemas_constrained_properties():
    assert enum_fields(FIVE_SCHEMA) == {"score": [1, 2, 3, 4, 5]}
    assert enum_fields(PASS_FAIL_SCHEMA) == {"score": ["pass", "fail"]}
    assert enum_fields({"type": "object", "properties": {"reason": {"type": "string"}}}) == {}
    assert enum_fields(None) == {}


def test_value_offsets_find_each_top_level_value():
    text = '```json\n{"reason": "a \\"quoted\\" {brace}", "score": 4}\n```'
    offsets = value_offsets(text)
    assert text[offsets["score"]] == "4" and text[offsets["reason"]] == '"'
    assert value_offsets('{"score": 3, "reason": "cut off') == {"score": 10, "reason": 23}
    assert value_offsets("no json here") == {}


def test_a_score_in_its_own_token():
    tokens = stream('{"', "reason", '": "', "Kind", " reply", '", "', "score", '": ',
                    tok("4", {"4": 0.6, "5": 0.25, "3": 0.1, " ": 0.05}), "}")
    found = field_probabilities(tokens, FIVE_SCHEMA)
    assert found == {"score": approx({"4": 0.6, "5": 0.25, "3": 0.1})}
    assert weighted_score(found, FIVE) == pytest.approx((4 * 0.6 + 5 * 0.25 + 3 * 0.1) / 0.95)


def test_a_score_sharing_its_token_with_the_text_before_it():
    # `":4` carries the colon too: only alternatives that start the same way (whitespace aside) count.
    score = tok('":4', {'":4': 0.5, '": 5': 0.2, '":3': 0.1, '":': 0.1, '"': 0.05, "4": 0.05})
    tokens = stream('{"', "reason", '":"', "ok", '","', "score", score, "}")
    assert field_probabilities(tokens, FIVE_SCHEMA) == {"score": approx({"4": 0.5, "5": 0.2, "3": 0.1})}


def test_a_number_that_would_continue_is_not_an_allowed_value():
    score = tok(" 4", {" 4": 0.7, " 45": 0.1, " 4,": 0.1, " 4.5": 0.05, " 6": 0.05})
    tokens = stream('{"', "score", '":', score, ', "', "reason", '": "', "x", '"}')
    assert field_probabilities(tokens, FIVE_SCHEMA) == {"score": approx({"4": 0.8})}


def test_pass_fail_with_the_quote_in_an_earlier_token():
    tokens = stream('{"', "reason", '": "', "fine", '", "', "score", '": "',
                    tok("pass", {"pass": 0.7, "fail": 0.2, "p": 0.05, "maybe": 0.05}), '"}')
    found = field_probabilities(tokens, PASS_FAIL_SCHEMA)
    assert found == {"score": approx({'"pass"': 0.75, '"fail"': 0.2})}
    assert weighted_score(found, PASS_FAIL) == pytest.approx(0.75 / 0.95)


def test_pass_fail_with_the_quote_in_the_same_token():
    score = tok(' "fail', {' "fail': 0.6, '"pass': 0.3, ' "': 0.05, '"failure': 0.05})
    tokens = stream('{"', "reason", '":', ' "', "no", '",', ' "', "score", '":', score, '"}')
    assert field_probabilities(tokens, PASS_FAIL_SCHEMA) == {"score": approx({'"fail"': 0.6, '"pass"': 0.3})}


def test_a_prefix_shared_by_two_allowed_values_decides_nothing():
    schema = {"type": "object", "properties": {"verdict": {"enum": ["fail", "fair"]}}}
    tokens = stream('{"', "verdict", '": "', tok("fa", {"fa": 0.8, "fail": 0.1, "fair": 0.1}), "il", '"}')
    assert field_probabilities(tokens, schema) == {"verdict": approx({'"fail"': 0.1, '"fair"': 0.1})}


def test_score_before_reason_and_a_chosen_token_missing_from_top():
    score = tok("2", {"3": 0.5, "1": 0.2}, p=0.3)
    tokens = stream("{", '"', "score", '":', score, ',"', "reason", '":"', "x", '"}')
    assert field_probabilities(tokens, FIVE_SCHEMA) == {"score": approx({"3": 0.5, "2": 0.3, "1": 0.2})}


def test_nothing_to_attribute_gives_none():
    assert field_probabilities(None, FIVE_SCHEMA) is None
    assert field_probabilities(stream("not", " json"), FIVE_SCHEMA) is None
    assert field_probabilities(stream('{"', "score", '": ', "4", "}"), {"type": "object"}) is None
    assert field_probabilities(stream('{"', "score", '": '), FIVE_SCHEMA) is None  # cut off before the value
    assert field_probabilities(stream('{"', "score", '": "'), PASS_FAIL_SCHEMA) is None
    nan = {"token": "4", "logprob": float("nan"), "top": {"4": float("nan")}}
    assert field_probabilities(stream('{"', "score", '": ', nan, "}"), FIVE_SCHEMA) is None


def test_with_field_probabilities_only_when_asked_and_not_already_known():
    tokens = stream('{"', "score", '": ', tok("5", {"5": 0.9, "4": 0.1}), "}")
    response = ModelResponse(text='{"score": 5}', logprobs=tokens)
    asked = GenerateConfig(logprobs=True, response_schema=FIVE_SCHEMA)
    assert with_field_probabilities(response, asked).field_probabilities == {"score": approx({"5": 0.9, "4": 0.1})}
    assert with_field_probabilities(response, GenerateConfig(response_schema=FIVE_SCHEMA)) is response
    known = response.model_copy(update={"field_probabilities": {"score": {"3": 1.0}}})
    assert with_field_probabilities(known, asked).field_probabilities == {"score": {"3": 1.0}}


def test_refusals_are_recognised_and_logprobs_dropped():
    assert rejects_logprobs(400, "This model does not support the 'logprobs' parameter.")
    assert rejects_logprobs(422, "Unsupported parameter: top_logprobs")
    assert not rejects_logprobs(400, "response_format json_schema is not supported")
    assert not rejects_logprobs(500, "logprobs failed")
    config = GenerateConfig(logprobs=True, temperature=0.0, extra={"top_logprobs": 10, "user": "x"})
    dropped = without_logprobs(config)
    assert dropped.logprobs is False and dropped.extra == {"user": "x"} and dropped.temperature == 0.0


def test_logprobs_in_an_unexpected_shape_never_cost_the_answer():
    odd = ModelResponse(text='{"score": 5}', logprobs=[{"token": '{"score": ', "top": None}, {"token": "5", "top": 7}])
    asked = GenerateConfig(logprobs=True, response_schema=FIVE_SCHEMA)
    assert with_field_probabilities(odd, asked).text == '{"score": 5}'


def test_logprobs_that_are_no_probability_never_cost_the_answer_nor_make_a_nan_score():
    # exp(1000) raised OverflowError out of the provider (a model_error, the judge's answer lost);
    # an infinite logprob gave an infinite mass and a NaN weighted score.
    for chosen in (1000.0, float("inf")):
        tokens = stream('{"score": ', {"token": "4", "logprob": chosen, "top": {"4": chosen, "5": math.log(0.2)}}, "}")
        response = ModelResponse(text='{"score": 4}', logprobs=tokens)
        found = with_field_probabilities(response, GenerateConfig(logprobs=True, response_schema=FIVE_SCHEMA))
        probabilities = found.field_probabilities["score"]
        assert all(0 < p <= 1 for p in probabilities.values())
        assert math.isfinite(weighted_score(found.field_probabilities, FIVE))
