"""equals, starts_with, is_json, max_latency_ms and max_cost_usd: each decides as documented, and a bad
value is refused when the eval file is read."""

import pytest
from pydantic import ValidationError

from harness.checks.base import CheckContext, CheckResult
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case
from harness.models.base import Usage
from harness.records.schema import CallStats

CASE = Case(id="c1", turns=[{"role": "customer", "content": "where is my order"}])
LIVE = CallStats(usage=Usage(prompt_tokens=90, completion_tokens=30, cost_usd=0.0015), latency_s=1.2344, calls=1)
SCHEMA = {"type": "object", "required": ["order_id", "status"],
          "properties": {"order_id": {"type": "integer"}, "status": {"enum": ["shipped", "late"]}}}


def check(**fields):
    return build_custom_check(CustomCheckSpec(name="mine", **fields), lambda raw: None)


def run(c, reply="", responder=None) -> CheckResult:
    return c.run(CheckContext(case=CASE, reply=reply, responder=responder))


@pytest.mark.parametrize("kind, value, reply, passed", [
    ("equals", "Refund issued.", "Refund issued.", True),
    ("equals", "Refund issued.", "  refund ISSUED.\n", True),  # surrounding whitespace and letter case aside
    ("equals", "Refund issued.", "Refund issued. Sorry!", False),
    ("equals", ["yes", "no"], "No", True),
    ("starts_with", "Hi", "  Hi there", True),
    ("starts_with", ["Hello", "Hi"], "Well, hi", False),
    ("starts_with", "(a.b)", "(a.b) first", True),  # literal, not a pattern
    ("starts_with", "(a.b)", "(axb) first", False),
])
def test_equals_and_starts_with(kind, value, reply, passed):
    assert run(check(type=kind, value=value), reply).passed is passed


def test_equals_and_starts_with_point_at_the_match():
    res = run(check(type="starts_with", value="hi"), "  Hi there")
    assert [(e.start, e.end, e.text) for e in res.evidence] == [(2, 4, "Hi")] and res.data == {"matched": "hi"}
    res = run(check(type="equals", value="ok"), " OK ")
    assert [(e.start, e.end, e.text) for e in res.evidence] == [(1, 3, "OK")]
    res = run(check(type="equals", value=["yes", "no"]), "maybe")
    assert res.detail == "is not 'yes', 'no'" and res.data == {"matched": None}
    assert run(check(type="equals", value="ok", ignore_case=False), "OK").passed is False


@pytest.mark.parametrize("reply, passed", [
    ('{"order_id": 4411}', True), ("  [1, 2]\n", True), ("42", True),
    ("Sure! {\"order_id\": 4411}", False), ('```json\n{"a": 1}\n```', False), ("", False),
])
def test_is_json_needs_the_whole_reply_to_parse(reply, passed):
    res = run(check(type="is_json"), reply)
    assert res.passed is passed and res.data == {"json": passed}
    if not passed:
        assert res.detail.startswith("not JSON: ")


def test_is_json_with_a_schema_names_what_does_not_fit():
    c = check(type="is_json", value=SCHEMA)
    assert run(c, '{"order_id": 4411, "status": "late"}').passed is True
    res = run(c, '{"order_id": "4411", "status": "lost"}')
    assert res.passed is False
    assert res.detail.startswith("does not fit the schema: $.") and "(and 1 more)" in res.detail
    assert res.data["json"] is True and len(res.data["schema_errors"]) == 2
    assert run(c, "not json").data == {"json": False}


def test_max_latency_ms_reads_the_responder_call():
    res = run(check(type="max_latency_ms", value=2000), responder=LIVE)
    assert (res.passed, res.detail, res.data) == (True, "1234.4 ms (at most 2000)",
                                                  {"latency_ms": 1234.4, "limit_ms": 2000.0})
    assert run(check(type="max_latency_ms", value=1000), responder=LIVE).passed is False


def test_max_cost_usd_reads_the_responder_call():
    res = run(check(type="max_cost_usd", value=0.002), responder=LIVE)
    assert (res.passed, res.data) == (True, {"cost_usd": 0.0015, "limit_usd": 0.002})
    assert run(check(type="max_cost_usd", value=0.001), responder=LIVE).passed is False
    free = CallStats(usage=Usage(cost_usd=0.0), calls=1, latency_s=0.5)  # the embedded model: known, and 0
    assert run(check(type="max_cost_usd", value=0), responder=free).passed is True


@pytest.mark.parametrize("stats, latency, cost", [
    (None, "no account of the responder call", "no account of the responder call"),
    (CallStats(), "the reply was recorded", "the reply was recorded"),
    (CallStats(calls=1, cache_hits=1, latency_s=0.001, usage=Usage(cost_usd=0.003)), "came from the cache", None),
    (CallStats(calls=1, latency_s=0.2, usage=Usage(cost_usd=None)), None, "price is unknown"),
])
def test_without_an_honest_measure_the_check_does_not_apply(stats, latency, cost):
    for kind, expected in (("max_latency_ms", latency), ("max_cost_usd", cost)):
        res = run(check(type=kind, value=1000 if kind == "max_latency_ms" else 0.002), responder=stats)
        if expected is None:
            assert res.passed is not None, kind
        else:
            assert res.passed is None and expected in res.detail and res.detail.startswith("does not apply"), kind


def test_an_unknown_price_names_the_way_to_give_one():
    res = run(check(type="max_cost_usd", value=0.002), responder=CallStats(calls=1, usage=Usage(cost_usd=None)))
    assert res.passed is None and res.detail.endswith("give the model a `price:` to check it")


def test_a_cached_answer_keeps_the_cost_of_the_call_that_produced_it():
    cached = CallStats(calls=1, cache_hits=1, latency_s=0.001, usage=Usage(cost_usd=0.003))
    res = run(check(type="max_cost_usd", value=0.002), responder=cached)
    assert res.passed is False and "from the cache" in res.detail


@pytest.mark.parametrize("fields, message", [
    ({"type": "max_latency_ms", "value": 0}, "above 0"),
    ({"type": "max_latency_ms", "value": "2s"}, "a number of milliseconds"),
    ({"type": "max_latency_ms"}, "a number of milliseconds"),
    ({"type": "max_latency_ms", "value": True}, "must be a phrase"),
    ({"type": "max_cost_usd", "value": -0.5}, "0 or more"),
    ({"type": "max_cost_usd", "value": [1]}, "a number of US dollars"),
    ({"type": "max_cost_usd", "value": float("inf")}, "a number of US dollars"),
    ({"type": "is_json", "value": "schema.json"}, "a JSON Schema"),
    ({"type": "is_json", "value": {"type": "objekt"}}, "not a valid JSON Schema"),
    ({"type": "is_json", "value": {"required": "order_id"}}, "not a valid JSON Schema"),
    ({"type": "equals"}, "type equals needs `value`"),
    ({"type": "equals", "value": ""}, "a phrase or a list of non-empty phrases"),
    ({"type": "starts_with", "value": 3}, "a phrase or a list of non-empty phrases"),
    ({"type": "max_length", "value": 2.5}, "a whole number of characters"),
    ({"type": "contains"}, "type contains needs `value`"),
])
def test_bad_values_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        CustomCheckSpec(name="mine", **fields)


def test_a_whole_float_length_reads_as_its_number():
    assert CustomCheckSpec(name="mine", type="max_length", value=600.0).value == 600
