"""Which of several references a reference check keeps (the one its threshold reads best), and the one-line
refusal of an empty value list or an empty text in it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from harness.checks.base import CheckContext
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case

REPLY = "abcdefghijklmnopqrst"
# 6 edits, similarity 1 - 6/26 = 0.769; 5 edits, similarity 1 - 5/20 = 0.75
LONGER, SUBSTITUTED = "abcdefghijklmnopqrst123456", "abcdefghijklmnoVWXYZ"


def _run(**spec):
    check = build_custom_check(CustomCheckSpec(name="lev", type="levenshtein", **spec), lambda raw: None)
    case = Case(id="c1", turns=[{"role": "customer", "content": "hi"}])
    return check.run(CheckContext(case=case, reply=REPLY))


def test_max_distance_keeps_the_reference_with_the_fewest_edits():
    outcome = _run(value=[LONGER, SUBSTITUTED])
    assert outcome.passed is True and outcome.data["distance"] == 5, outcome.detail


def test_min_keeps_the_most_similar_reference():
    outcome = _run(value=[SUBSTITUTED, LONGER], min=0.76)
    assert outcome.passed is True and outcome.data["distance"] == 6, outcome.detail


def test_both_limits_keep_a_reference_meeting_both_else_the_most_similar():
    # LONGER: similarity 0.769 but 6 edits; SUBSTITUTED: 5 edits, similarity 0.75: only it meets both
    assert _run(value=[LONGER, SUBSTITUTED], min=0.7, max_distance=5).data["distance"] == 5
    failing = _run(value=[LONGER, SUBSTITUTED], min=0.76, max_distance=5)  # neither meets both
    assert failing.passed is False and failing.data["distance"] == 6


@pytest.mark.parametrize("value, says", [
    ([], "not an empty list"),
    (["ok", ""], "not an empty text at [1]"),
    (["ok", "  "], "not an empty text at [1]"),
    ("", "not an empty text"),
    (["ok", 3], "not int at [1]"),
    (3, "not int"),
])
def test_an_empty_value_or_text_says_what_is_wrong(value, says):
    with pytest.raises(ValidationError) as info:
        CustomCheckSpec(name="ref", type="rouge_l", value=value)
    [error] = info.value.errors()
    assert error["loc"] == ("value",) and says in error["msg"], error["msg"]
