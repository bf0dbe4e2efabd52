"""The quick check of judge answers accepts exactly what the answer's JSON Schema accepts."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from harness.errors import JudgeOutputError
from harness.judges.judge import _quickly_valid, parse_answer
from harness.judges.prompt import REASON_MAX_CHARS, answer_schema
from harness.judges.rubric import Criterion

LIKERT = Criterion(id="tone", question="Is it kind?", scale="1-5",
                   levels={str(i): f"level {i}" for i in range(1, 6)})
PASS_FAIL = Criterion(id="ack", question="Acknowledged?", scale="pass_fail", levels={"pass": "yes", "fail": "no"})

ANSWERS = [
    {"reason": "fine", "score": 4}, {"reason": "fine", "score": 1}, {"reason": "", "score": 5},
    {"reason": "fine", "score": 4.0}, {"reason": "fine", "score": True}, {"reason": "fine", "score": 0},
    {"reason": "fine", "score": 6}, {"reason": "fine", "score": "4"}, {"reason": "fine", "score": "pass"},
    {"reason": "fine", "score": "fail"}, {"reason": "fine", "score": "PASS"}, {"reason": "fine", "score": None},
    {"reason": "x" * REASON_MAX_CHARS, "score": 3}, {"reason": "x" * (REASON_MAX_CHARS + 1), "score": 3},
    {"reason": "é" * REASON_MAX_CHARS, "score": "pass"}, {"reason": 7, "score": 3}, {"reason": None, "score": 3},
    {"score": 3}, {"reason": "fine"}, {"reason": "fine", "score": 3, "extra": 1}, {}, [], "fine", 3, None,
    {"score": 3, "reason": "order does not matter"},
]


@pytest.mark.parametrize("criterion", [LIKERT, PASS_FAIL], ids=["likert", "pass_fail"])
def test_quick_check_never_accepts_what_the_schema_rejects(criterion):
    validator = Draft202012Validator(answer_schema(criterion))
    for answer in ANSWERS:
        if _quickly_valid(answer, criterion.scale):
            assert validator.is_valid(answer), answer


@pytest.mark.parametrize("criterion", [LIKERT, PASS_FAIL], ids=["likert", "pass_fail"])
def test_parse_answer_accepts_and_rejects_as_the_schema_does(criterion):
    validator = Draft202012Validator(answer_schema(criterion))
    for answer in ANSWERS:
        text = json.dumps(answer)
        if validator.is_valid(answer):
            result = parse_answer(text, criterion)
            raw = answer["score"]
            assert result.score == (float(raw == "pass") if criterion.scale == "pass_fail" else float(raw))
            assert result.reason == answer["reason"]
        else:
            with pytest.raises(JudgeOutputError, match="judge answer invalid at"):
                parse_answer(text, criterion)


def test_typical_answers_take_the_quick_path():
    assert _quickly_valid({"reason": "ok", "score": 4}, LIKERT.scale)
    assert _quickly_valid({"reason": "ok", "score": "fail"}, PASS_FAIL.scale)
