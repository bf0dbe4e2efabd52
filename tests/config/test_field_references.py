"""A field a check names that no case of the dataset has is refused (validate, and the run before its first call).

`{{ metadata.orderid }}` (the dataset has `order_id`) passed `harness validate` with exit 0, and the run
exited 0 with only "not measured: it applied to no case" for that check.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.validation import validate_file
from harness.config.evalfile import load_eval
from harness.datasets.loader import load_dataset
from harness.datasets.selection import CaseSelection
from harness.errors import UserError
from harness.runner.plan import build_plan


def row(case_id: str, metadata: dict | None = None, **fields) -> str:
    return json.dumps({"id": case_id, "turns": [{"role": "customer", "content": f"complaint {case_id}"}],
                       "recorded_replies": {"bot": f"reply {case_id}"}, "metadata": metadata or {},
                       **fields}) + "\n"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(row("c1", {"order_id": "48213", "order": {"ref": "A1"}})
                                          + row("c2", {"order_id": 91177}) + row("c3"))
    return tmp_path


def write_eval(project: Path, check: str, extra: str = "") -> Path:
    (project / "eval.yaml").write_text("name: e\ndataset: cases.jsonl\n" + extra
                                       + "candidates:\n  - {name: bot, recorded: bot}\nchecks:\n  - " + check + "\n")
    return Path("eval.yaml")


def error_of(path: Path) -> str:
    with pytest.raises(UserError) as info:
        validate_file(path)
    return str(info.value)


def test_a_field_no_case_has_is_refused_at_its_line_with_the_closest_field(project):
    path = write_eval(project, "{name: cites_order, type: contains, value: '{{ metadata.orderid }}'}")
    assert error_of(path) == (
        "eval.yaml:6: checks[0].value: {{ metadata.orderid }}: no case of cases.jsonl has metadata.orderid, so "
        "check cites_order would apply to none of its 3 cases (the cases have metadata.order.ref, "
        "metadata.order_id); did you mean {{ metadata.order_id }}?")


def test_the_run_refuses_it_before_its_first_call(project):
    path = write_eval(project, "{name: cites_order, type: regex, value: '#{{ metadata.orderid }}'}")
    with pytest.raises(UserError, match=r"^eval.yaml:6: checks\[0\].value: .*did you mean \{\{ metadata.order_id"):
        build_plan(load_eval(path))


def test_a_phrase_of_a_list_is_named_at_its_own_line(project):
    path = write_eval(project, "name: c\n    type: contains\n    value:\n      - '{{ id }}'\n"
                               "      - 'order {{ metadata.Order_ID }}'")
    assert error_of(path).startswith("eval.yaml:10: checks[0].value[1]: {{ metadata.Order_ID }}: no case of "
                                     "cases.jsonl has metadata.Order_ID")
    assert error_of(path).endswith("did you mean {{ metadata.order_id }}?")


def test_a_field_held_only_as_a_mapping_or_list_is_named_as_such(project):
    path = write_eval(project, "{name: c, type: contains, value: '{{ metadata.order }}'}")
    assert "1 of the 3 cases of cases.jsonl have metadata.order, but never a text or a number there" in error_of(path)


def test_a_record_field_no_case_sets_is_refused(project):
    path = write_eval(project, "{name: c, type: contains, value: '{{ context.currency }}'}")
    assert error_of(path).startswith("eval.yaml:6: checks[0].value: {{ context.currency }}: no case of cases.jsonl "
                                     "has context.currency, so check c would apply to none of its 3 cases (no case "
                                     "has any context field)")


def test_a_field_some_cases_lack_passes_with_a_warning_that_counts_them(project):
    path = write_eval(project, "{name: cites_order, type: contains, value: '{{ metadata.order_id }}'}")
    valid = validate_file(path)
    assert valid == "eval e, 1 candidate, 1 check of its own"
    assert valid.warnings == ("eval.yaml:6: checks[0].value: {{ metadata.order_id }}: 1 of the 3 cases have no "
                              "text or number at metadata.order_id: check cites_order does not apply to them (n/a)",)


def test_a_selection_that_leaves_out_the_cases_with_the_field_still_runs(project):
    # c3 has no order_id; the dataset does: the check is n/a in this run, not a typo.
    path = write_eval(project, "{name: cites_order, type: contains, value: '{{ metadata.order_id }}'}")
    plan = build_plan(load_eval(path), selection=CaseSelection(ids=("c3",)))
    assert [case.id for case in plan.cases] == ["c3"]


def test_a_limit_that_leaves_out_the_cases_with_the_field_validates(project):
    (project / "cases.jsonl").write_text(row("c1") + row("c2", {"order_id": "1"}))
    path = write_eval(project, "{name: c, type: contains, value: '{{ metadata.order_id }}'}", extra="limit: 1\n")
    # Every case the eval runs lacks it: the warning says the limit left out the one that has it.
    assert validate_file(path).warnings == ("eval.yaml:7: checks[0].value: {{ metadata.order_id }}: 1 of the 1 "
                                            "cases have no text or number at metadata.order_id: the only case "
                                            "with it (c2) is outside limit 1 (the first 1), so check c applies "
                                            "to none of the 1 (n/a on all, not measured); raise or remove limit "
                                            "to measure it",)


def test_fields_every_case_has_say_nothing(project):
    path = write_eval(project, "{name: c, type: not_contains, value: ['{{ id }}', '{{ recorded_replies.bot }}']}")
    assert validate_file(path).warnings == ()
    assert load_dataset("cases.jsonl")  # the dataset itself is untouched
