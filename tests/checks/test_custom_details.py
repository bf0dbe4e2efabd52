"""A failed phrase or pattern check's detail says what it looked for, and that letter case counted where it
did; a failed contains_all shows what is missing, not the phrases found (review migrate2, findings 4, 5, 12)."""

import pytest

from harness.checks.base import CheckContext
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case

CASE = Case(id="c1", turns=[{"role": "customer", "content": "order 1004?"}], metadata={"order_id": "1004"})
REPLY = "Hey! Sorry, order 1004 is on its way."


def run(reply=REPLY, **fields):
    check = build_custom_check(CustomCheckSpec(name="mine", **fields), lambda raw: None)
    return check.run(CheckContext(case=CASE, reply=reply))


@pytest.mark.parametrize("fields, detail", [
    ({"type": "contains", "value": "sorry", "ignore_case": False}, "none of 'sorry' found (case-sensitive)"),
    ({"type": "contains", "value": "refund"}, "none of 'refund' found"),
    ({"type": "contains_all", "value": ["order", "refund"], "ignore_case": False},
     "missing 'refund' (case-sensitive)"),
    ({"type": "not_contains_all", "value": ["qq", "zz"]}, "missing 'qq', 'zz'"),
    ({"type": "equals", "value": "hey! sorry", "ignore_case": False}, "is not 'hey! sorry' (case-sensitive)"),
    ({"type": "starts_with", "value": "Dear"}, "does not start with 'Dear'"),
    ({"type": "regex", "value": r"\$\d+"}, r"no match for /\$\d+/"),
    ({"type": "regex", "value": "SORRY", "ignore_case": False}, "no match for /SORRY/ (case-sensitive)"),
    ({"type": "regex", "value": r"#{{ metadata.order_id }}"}, "no match for /#1004/"),  # the case's value filled in
])
def test_a_miss_says_what_was_looked_for(fields, detail):
    result = run(**fields)
    assert result.detail == detail


def test_a_not_contains_miss_is_worded_as_what_it_looked_for():
    result = run(type="not_contains", value=["Globex", "Initech"])
    assert result.passed is True and result.detail == "none of 'Globex', 'Initech' found"


def test_a_failed_contains_all_quotes_nothing_found_and_names_what_is_missing():
    result = run(reply="About 1004", type="contains_all", value=["1004", "order X"])
    assert result.passed is False and result.evidence == [] and result.detail == "missing 'order X'"
    assert result.data == {"found": ["1004"], "missing": ["order X"]}
    passed = run(reply="About order X 1004", type="contains_all", value=["1004", "order X"])
    assert passed.passed is True and [span.text for span in passed.evidence] == ["order X", "1004"]


def test_a_regex_hit_names_its_pattern_too():
    result = run(type="not_regex", value=r"\d{4}")
    assert result.passed is False and result.detail == r"1 match(es) of /\d{4}/"
    assert [span.text for span in result.evidence] == ["1004"]
