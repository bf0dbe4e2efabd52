"""Results and spans built by harness.checks.results equal the validated ones in every respect."""

import pytest

from harness.checks.base import CheckResult, Span, span as validated_span
from harness.checks.results import result, span

REPLY = "We're sorry: your refund of $20 is on its way."


def same(fast: object, slow: object) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert list(fast.model_dump()) == list(slow.model_dump())
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    assert repr(fast) == repr(slow)
    assert fast.model_copy(deep=True) == slow.model_copy(deep=True)


def test_span_equals_the_validated_span():
    fast, slow = span(REPLY, 6, 11), validated_span(REPLY, 6, 11)
    same(fast, slow)
    assert hash(fast) == hash(slow)
    with pytest.raises(Exception):
        fast.start = 1  # frozen like the validated one


@pytest.mark.parametrize("kwargs", [
    {},
    {"detail": "no apology", "data": {"form": "none", "generic": False}},
    {"evidence": [], "detail": "", "data": {}},
    {"evidence": "spans", "detail": "2 found", "data": {"found": ["a", "b"], "nested": {"x": [1]}}},
    {"data": {"detected": True}},
])
@pytest.mark.parametrize("passed", [True, False, None])
def test_result_equals_the_validated_result(passed, kwargs):
    if kwargs.get("evidence") == "spans":
        kwargs = {**kwargs, "evidence": [validated_span(REPLY, 0, 5), validated_span(REPLY, 6, 11)]}
    fast, slow = result(passed, **kwargs), CheckResult(passed=passed, **kwargs)
    same(fast, slow)
    fast.data["extra"] = 1  # data and evidence are the result's own, as after validation
    if "data" in kwargs:
        assert "extra" not in kwargs["data"]


@pytest.mark.parametrize("kwargs", [
    {"passed": 1},
    {"passed": True, "evidence": [{"start": 0, "end": 5, "text": "We're"}]},
    {"passed": True, "evidence": (validated_span(REPLY, 0, 5),)},
    {"passed": "true", "detail": "x"},
])
def test_unexpected_types_are_validated(kwargs):
    same(result(**kwargs), CheckResult(**kwargs))


def test_unexpected_values_are_rejected_as_before():
    with pytest.raises(Exception):
        result("maybe")
    with pytest.raises(Exception):
        result(None, data={1: "x"})
    with pytest.raises(Exception):
        span(REPLY, "a", 3)
