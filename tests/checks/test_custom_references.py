"""`{{ field.path }}` in a declarative check's value: the case's own value, per case.

A case without the field makes the check n/a there (never a silent pass or fail, never a crash); a
reference no case can fill is refused when the eval file is read, at its line.
"""

from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.checks.base import CheckContext, CheckResult
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case

ORDER = Case(id="o1", turns=[{"role": "customer", "content": "late"}], persona="angry", channel="twitter",
             metadata={"order_id": "A.4411", "count": 3, "ids": ["1", "2"], "blank": " ", "flag": True,
                       "shipment": {"carrier": "DHL"}},
             context={"max_refund": 25.0, "currency": "USD"}, recorded_replies={"v1": "We shipped it."})
BARE = Case(id="b1", turns=[{"role": "customer", "content": "late"}])


def check(**fields):
    return build_custom_check(CustomCheckSpec(name="mine", **fields), lambda raw: None)


def run(c, reply, case=ORDER) -> CheckResult:
    return c.run(CheckContext(case=case, reply=reply))


@pytest.mark.parametrize("kind, value, reply, passed", [
    ("contains", "{{ metadata.order_id }}", "Order A.4411 ships today.", True),
    ("contains", "{{ metadata.order_id }}", "Your order ships today.", False),
    ("contains", "{{metadata.order_id}}", "order a.4411", True),  # spaces optional; letter case as ignore_case
    ("contains", "order {{ metadata.order_id }} ({{ channel }})", "re order A.4411 (twitter)", True),
    ("contains_all", ["{{ metadata.order_id }}", "{{ metadata.count }} items"], "A.4411: 3 items", True),
    ("contains_all", ["{{ metadata.order_id }}", "{{ metadata.count }} items"], "A.4411: 2 items", False),
    ("not_contains", "{{ metadata.shipment.carrier }}", "Your parcel is with DHL.", False),
    ("contains", "${{ context.max_refund }}", "A refund of $25 is on its way.", True),  # 25.0 reads 25
    ("contains", "{{ recorded_replies.v1 }}", "We shipped it. Sorry!", True),
    ("regex", r"#?{{ metadata.order_id }}\b", "about A.4411, shipped", True),
    ("regex", r"#?{{ metadata.order_id }}\b", "about AX4411, shipped", False),  # the value is escaped: '.' literal
    ("equals", "{{ metadata.order_id }}", " a.4411\n", True),
    ("starts_with", "Hi {{ persona }}", "hi angry customer", True),
])
def test_the_case_value_is_filled_in(kind, value, reply, passed):
    assert run(check(type=kind, value=value), reply).passed is passed


def test_found_and_missing_name_the_filled_in_text():
    res = run(check(type="contains", value="{{ metadata.order_id }}"), "see A.4411")
    assert res.data == {"found": ["A.4411"], "missing": []} and res.evidence[0].text == "A.4411"


@pytest.mark.parametrize("value, detail", [
    ("{{ metadata.order_id }}", "the case has no metadata.order_id"),
    ("{{ metadata.shipment.carrier }}", "the case has no metadata.shipment.carrier"),
    ("{{ context.max_refund }}", "the case has no context.max_refund"),
    ("{{ persona }}", "the case has no persona"),
])
def test_a_case_without_the_field_is_not_applicable_and_says_which(value, detail):
    for kind in ("contains", "not_contains", "contains_all", "equals", "starts_with", "regex", "not_regex"):
        res = run(check(type=kind, value=value), "anything at all", case=BARE)
        assert res.passed is None and res.detail == f"does not apply: {detail}", kind


@pytest.mark.parametrize("key, detail", [
    ("ids", "the case's metadata.ids is a list, not a text or a number"),
    ("flag", "the case's metadata.flag is true, not a text or a number"),
    ("shipment", "the case's metadata.shipment is a dict, not a text or a number"),
    ("blank", "the case's metadata.blank is empty"),
])
def test_a_value_that_is_no_text_is_not_applicable(key, detail):
    res = run(check(type="not_contains", value=f"{{{{ metadata.{key} }}}}"), "anything")
    assert res.passed is None and res.detail == f"does not apply: {detail}"


def test_one_missing_field_among_several_phrases_makes_the_check_not_applicable():
    c = check(type="contains", value=["{{ metadata.order_id }}", "{{ metadata.tracking }}"])
    res = run(c, "A.4411")
    assert res.passed is None and res.detail == "does not apply: the case has no metadata.tracking"


@pytest.mark.parametrize("kind, value, reply", [
    ("not_contains", r"\{{first_name}}", "Hi {{first_name}}, sorry."),
    ("not_contains", ["{{", "}}"], "Hi {{first_name}}, sorry."),
    ("regex", r"\{{\w+}}", "Hi {{first_name}}, sorry."),
])
def test_a_literal_double_brace_is_written_with_a_backslash(kind, value, reply):
    res = run(check(type=kind, value=value), reply, case=BARE)
    assert res.passed is (kind == "regex")


@pytest.mark.parametrize("value, message", [
    ("{{ metdata.order_id }}", "'metdata' is not a case field"),
    ("{{ first_name }}", r"write \\\{\{ first_name \}\} for the literal text"),
    ("{{ metadata }}", "name a key of metadata"),
    ("{{ context.refund }}", "name one field of context: refund_window_days"),
    ("{{ expectations }}", "name one field of expectations"),
    ("{{ id.x }}", "id is text, with no fields of its own"),
    ("{{ recorded_replies.v1.x }}", "recorded_replies holds text by version"),
    ("{{ metadata.order id }}", "is not a case field reference"),
    ("{{ customer_text }}", "'customer_text' is not a case field"),
])
def test_a_reference_no_case_can_fill_is_refused(value, message):
    for kind in ("contains", "regex", "equals"):
        with pytest.raises(ValidationError, match=message):
            CustomCheckSpec(name="mine", type=kind, value=value)


def test_a_filled_pattern_is_checked_when_read():
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        CustomCheckSpec(name="mine", type="regex", value="({{ metadata.order_id }}")


def test_the_eval_file_names_the_line_of_a_bad_reference(tmp_path: Path, monkeypatch):
    from harness.config.evalfile import load_eval
    from harness.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text('{"id": "a", "turns": [{"role": "customer", "content": "hi"}]}\n')
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v, recorded: v}]\nchecks:\n  - all\n"
                                     "  - {name: cites, type: contains, value: '{{ metdata.order_id }}'}\n")
    with pytest.raises(ConfigError) as raised:
        load_eval("e.yaml")
    assert str(raised.value).startswith("e.yaml:5: checks[1].value: {{ metdata.order_id }}: 'metdata' is not a "
                                        "case field")


def test_versions_of_entries_without_references_did_not_move():
    from harness.hashing import hash_value

    spec = {"name": "mine", "type": "regex", "value": r"#\d{5}", "ignore_case": True, "applies_when": "always",
            "description": ""}
    assert check(type="regex", value=r"#\d{5}").version == "custom-" + hash_value({"spec": spec, "source": ""})[:12]
