"""A python check may return promptfoo's result shape, a dict {pass, score, reason}; a junk dict is named."""

from pathlib import Path

import pytest

from harness.checks.base import CheckContext
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case
from harness.runner.evaluate import run_checks

CASE = Case(id="c1", turns=[{"role": "customer", "content": "where is my order"}])

SOURCE = """
import numpy as np
def full(ctx):
    return {"pass": True, "score": 0.9, "reason": "cites the order"}
def failing(ctx):
    return {"pass": False, "reason": "no order number"}
def passed_key(ctx):
    return {"passed": True}
def numpy_values(ctx):
    return {"pass": np.bool_(False), "score": np.float32(0.25)}
def undecided(ctx):
    return {"pass": None, "reason": "not about an order"}
def score_only(ctx):
    return {"score": 0.75, "reason": "mostly"}
def typo(ctx):
    return {"pas": True}
def named_scores(ctx):
    return {"pass": True, "namedScores": {"x": 1}}
def both(ctx):
    return {"pass": True, "passed": False}
def text_pass(ctx):
    return {"pass": "yes"}
def big_score(ctx):
    return {"pass": True, "score": 5}
def nan_score(ctx):
    return {"pass": True, "score": float("nan")}
def number_reason(ctx):
    return {"pass": True, "reason": 3}
def empty(ctx):
    return {}
"""


@pytest.fixture()
def house(tmp_path: Path) -> Path:
    (tmp_path / "house.py").write_text(SOURCE)
    return tmp_path


def build(base: Path, function: str, **fields):
    spec = CustomCheckSpec(name="mine", type="python", value=f"house.py:{function}", **fields)
    return build_custom_check(spec, lambda raw: base / raw if (base / raw).exists() else None)


def outcome(base: Path, function: str, **fields):
    return run_checks([build(base, function, **fields)], CheckContext(case=CASE, reply="hi"))["mine"]


def test_pass_score_and_reason_become_the_result(house):
    res = outcome(house, "full")
    assert (res.passed, res.detail, res.data) == (True, "cites the order", {"score": 0.9})
    res = outcome(house, "failing")
    assert (res.passed, res.detail, res.data) == (False, "no order number", {})
    assert outcome(house, "passed_key").passed is True
    res = outcome(house, "numpy_values")
    assert res.passed is False and res.data == {"score": 0.25}
    res = outcome(house, "undecided")
    assert res.passed is None and res.detail == "not about an order" and "error" not in res.data


def test_a_score_without_pass_decides_against_the_threshold(house):
    res = outcome(house, "score_only", threshold=0.7)
    assert (res.passed, res.data) == (True, {"score": 0.75, "threshold": 0.7})
    assert outcome(house, "score_only", threshold=0.8).passed is False
    res = outcome(house, "score_only")  # no threshold: nothing says whether 0.75 passes
    assert res.passed is None and res.data == {"error": "check_crashed"}
    assert "add `threshold:`" in res.detail


@pytest.mark.parametrize("function, message", [
    ("typo", "the key 'pas'"),
    ("named_scores", "the key 'namedScores'"),
    ("both", "both 'pass' and 'passed'"),
    ("text_pass", "'pass' is 'yes'"),
    ("big_score", "'score' is 5; a score is a number from 0 to 1"),
    ("nan_score", "'score' is nan"),
    ("number_reason", "'reason' is int, not text"),
    ("empty", "without 'pass'"),
])
def test_a_junk_dict_is_a_crash_naming_the_key(house, function, message):
    res = outcome(house, function)
    assert res.passed is None and res.data == {"error": "check_crashed"}
    assert message in res.detail and f"house.py:{function} returned a dict" in res.detail
