"""A reference to a context/expectations field that by schema never holds a text or a number is refused
when the file is read (review_new item 10): {{ context.facts }} passed validate and was n/a on every case."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.checks.custom import CustomCheckSpec


@pytest.mark.parametrize("value, message", [
    ("{{ context.facts }}", "context.facts holds a list, never a text or a number, so the check would apply to no "
                            "case (fields of context that can: refund_window_days, days_since_purchase, max_refund, "
                            "max_credit, currency, escalation, notes; a python check can read it)"),
    ("{{ context.allowed_offers }}", "context.allowed_offers holds a list"),
    ("{{ context.forbidden_offers }}", "context.forbidden_offers holds a list"),
    ("{{ expectations.boundary_required }}", "expectations.boundary_required holds true/false, never a text or a "
                                             "number, so the check would apply to no case (fields of expectations "
                                             "that can: notes; applies_when or a python check can read it)"),
])
def test_a_field_that_never_holds_text_or_a_number_is_refused(value, message):
    for kind in ("contains", "regex", "equals", "starts_with"):
        with pytest.raises(ValidationError) as raised:
            CustomCheckSpec(name="mine", type=kind, value=value)
        assert message in str(raised.value)


@pytest.mark.parametrize("value", ["{{ context.max_refund }}", "{{ context.currency }}", "{{ context.notes }}",
                                   "{{ context.refund_window_days }}", "{{ expectations.notes }}",
                                   "{{ metadata.facts }}"])
def test_fields_that_can_hold_text_or_a_number_pass(value):
    CustomCheckSpec(name="mine", type="contains", value=value)


def test_the_eval_file_names_the_line_and_field(tmp_path: Path, monkeypatch):
    from harness.config.evalfile import load_eval
    from harness.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text('{"id": "a", "turns": [{"role": "customer", "content": "hi"}]}\n')
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v, recorded: v}]\nchecks:\n"
                                     "  - {name: f, type: contains, value: ['ok', '{{ context.facts }}']}\n")
    with pytest.raises(ConfigError) as raised:
        load_eval("e.yaml")
    assert str(raised.value).startswith("e.yaml:4: checks[0].value")
    assert "{{ context.facts }}: context.facts holds a list" in str(raised.value)
