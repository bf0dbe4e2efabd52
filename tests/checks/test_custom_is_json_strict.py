"""is_json reads JSON as RFC 8259 does (review_new item 8): NaN, Infinity, 1e999 and a key given twice were
read by Python's lenient json.loads and passed the check meant to guard a downstream parser."""

import pytest

from harness.checks.base import CheckContext
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case

CASE = Case(id="c1", turns=[{"role": "customer", "content": "where is my order"}])


def run(reply, **fields):
    c = build_custom_check(CustomCheckSpec(name="mine", type="is_json", **fields), lambda raw: None)
    return c.run(CheckContext(case=CASE, reply=reply))


@pytest.mark.parametrize("reply, reason", [
    ("NaN", "NaN is not a JSON value (JSON has no NaN or infinity)"),
    ("Infinity", "Infinity is not a JSON value"),
    ("-Infinity", "-Infinity is not a JSON value"),
    ('{"refund": NaN}', "NaN is not a JSON value"),
    ("1e999", "the number 1e999 is too large to be a finite number"),
    ("[-1E400]", "the number -1E400 is too large"),
    ('{"a": 1, "a": 2}', "the key 'a' is given twice in one object"),
    ('{"x": {"b": 1, "b": 1}}', "the key 'b' is given twice"),
    ("[" * 100_000 + "]" * 100_000, "nested too deep to read"),
])
def test_forms_other_parsers_refuse_fail_with_the_reason(reply, reason):
    res = run(reply)
    assert res.passed is False and res.data == {"json": False}
    assert res.detail.startswith("not JSON: ") and reason in res.detail


def test_nan_no_longer_satisfies_a_number_schema():
    assert run('{"refund": NaN}', value={"type": "object"}).passed is False
    assert run('{"refund": 25.5, "b": {"a": 1}, "c": [{"a": 2}]}', value={"type": "object"}).passed is True


@pytest.mark.parametrize("reply", ["1e308", "-0.0", '{"a": {"a": 1}}', '[{"a": 1}, {"a": 2}]', "12345678901234567890"])
def test_valid_json_still_passes(reply):
    assert run(reply).passed is True
