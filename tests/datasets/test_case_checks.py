"""Checks for one case (a case's own `checks`, promptfoo's `__expected` CSV cells): loading and refusals."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.errors import DatasetError, SeveralErrors

TURNS = [{"role": "customer", "content": "order 4411 lost"}]


def _jsonl(tmp_path, rows, name="d.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _errors(path):
    with pytest.raises(DatasetError) as info:
        load_dataset(path, all_errors=True)
    errors = info.value.errors if isinstance(info.value, SeveralErrors) else [info.value]
    return [e.one_line().removeprefix(f"{path.parent}/") for e in errors]


def test_a_case_carries_its_own_checks_with_default_names_unique_within_it(tmp_path):
    checks = [{"type": "contains", "value": "4411"}, {"type": "contains", "value": "4411", "ignore_case": False},
              {"name": "cites", "type": "contains", "value": "{{ metadata.order }}"}]
    loaded = load_dataset(_jsonl(tmp_path, [{"id": "a", "turns": TURNS, "checks": checks, "metadata": {"order": 1}},
                                            {"id": "b", "turns": TURNS}]))
    names = [check["name"] for check in loaded.cases[0].checks]
    assert names == ["contains_4411", "contains_4411_2", "cites"]
    assert loaded.cases[1].checks == [] and "checks" not in loaded.cases[1].model_dump()


def test_cases_without_checks_hash_as_before(tmp_path):
    # The field is left out of a case's dump when empty: every dataset written before keeps its hash.
    from harness.hashing import hash_value

    loaded = load_dataset(_jsonl(tmp_path, [{"id": "a", "turns": TURNS}]))
    assert loaded.sha256 == hash_value([{"id": "a", "turns": TURNS, "recorded_replies": {}, "persona": None,
                                         "category": None, "channel": None,
                                         "context": loaded.cases[0].context.model_dump(),
                                         "expectations": loaded.cases[0].expectations.model_dump(),
                                         "metadata": {}}])


def test_a_changed_check_changes_the_case_hash(tmp_path):
    def case(value):
        return {"id": "a", "turns": TURNS, "checks": [{"type": "contains", "value": value}]}

    first = load_dataset(_jsonl(tmp_path, [case("x")]))
    second = load_dataset(_jsonl(tmp_path, [case("y")], "e.jsonl"))
    assert first.cases_sha256 != second.cases_sha256


def test_a_bad_check_of_a_case_is_named_by_file_line_and_field(tmp_path):
    rows = [{"id": "a", "turns": TURNS,
             "checks": [{"type": "contains", "value": "x"}, {"type": "startswith", "value": "x"}]},
            {"id": "b", "turns": TURNS, "checks": [{"type": "regex", "value": "("}]},
            {"id": "c", "turns": TURNS, "checks": ["contains"]},
            {"id": "d", "turns": TURNS, "checks": [{"name": "x", "type": "is_json"}, {"name": "x", "type": "is_json"}]}]
    lines = _errors(_jsonl(tmp_path, rows))
    assert lines[0].startswith("d.jsonl:1: checks[1].type: ") and "did you mean 'starts_with'?" in lines[0]
    assert lines[1].startswith("d.jsonl:2: checks[0].value: `value` is not a valid regular expression")
    assert lines[2].startswith("d.jsonl:3: checks[0]: expected an object")
    assert lines[3] == "d.jsonl:4: checks[1].name: 'x' names another check of this case: give it another"


def _csv(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_promptfoo_expected_cells_become_checks_of_the_case(tmp_path):
    text = ('id,complaint,__expected,__expected1,__expected2,checks\n'
            't1,hi,icontains: sorry,contains: 4411,not-starts-with: Dear,"[{""name"": ""n"", ""type"": ""max_length"", '
            '""value"": 10}]"\n'
            't2,hi,Paris,,,\n')
    cases = load_dataset(_csv(tmp_path, text)).cases
    first = {check["name"]: check for check in cases[0].checks}
    assert first["n"]["type"] == "max_length"
    assert first["contains_sorry"]["ignore_case"] is True
    assert first["contains_4411"]["ignore_case"] is False  # promptfoo's contains is case-sensitive
    assert first["not_starts_with_Dear"] == {"name": "not_starts_with_Dear", "type": "not_starts_with",
                                             "value": "Dear", "ignore_case": False, "applies_when": "always",
                                             "description": "promptfoo: not-starts-with: Dear"}
    assert cases[1].checks[0] == {"name": "equals_Paris", "type": "equals", "value": "Paris", "ignore_case": False,
                                  "applies_when": "always", "description": "promptfoo: Paris"}


@pytest.mark.parametrize("cell, says", [
    ("not-llm-rubric: apologises", "not-llm-rubric: a model's grading is a judge criterion here"),
    ("model-graded-closedqa: polite", "model-graded-closedqa: a model's grading is a judge criterion here"),
    ("javascript: output.length < 10", "javascript: JavaScript is not run here; code runs as a python check"),
    ("python: file://x.py", "python: code runs as a python check"),
    ("not-similar(0.8): sorry", "not-similar: there is no negated similar check here"),
    ("meteor(0.5): sorry", "meteor: no check of ours says this"),
])
def test_promptfoo_assertions_we_cannot_say_are_refused_at_row_and_column(tmp_path, cell, says):
    lines = _errors(_csv(tmp_path, f"id,complaint,__expected2\nt1,hi,{cell}\n"))
    assert lines == [f"d.csv:2: __expected2: {says}" + lines[0].split(says, 1)[1]]


def test_every_bad_column_of_a_promptfoo_csv_is_listed_with_the_right_field(tmp_path):
    lines = _errors(_csv(tmp_path, "vars.complaint,vars.order_id,order_id,__description\nhi,1,1,x\n"))
    assert lines[0] == ("d.csv:1: vars.complaint: unknown column: promptfoo's vars are plain columns here: name it "
                        "`complaint`")
    assert lines[1].startswith("d.csv:1: vars.order_id: unknown column: promptfoo's vars are plain columns here: name "
                               "it `metadata.order_id`; a prompt or check reads it as {{ metadata.order_id }}")
    assert lines[2].startswith("d.csv:1: order_id: unknown column; to keep a column of your own, name it "
                               "`metadata.order_id`")
    assert lines[3].startswith("d.csv:1: __description: unknown column: promptfoo's `__description`")
    assert lines[4].startswith("d.csv:1: no `id` column: ids pair each case with itself across runs")
    assert "columns: {id: <column>}" in lines[4] and len(lines) == 5


def test_every_bad_column_is_listed_through_a_mapping_too(tmp_path):
    path = _csv(tmp_path, "ticket,text,extra,more\n1,hi,2,3\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(path, all_errors=True, columns={"id": "ticket", "complaint": "text"})
    assert [e.field for e in info.value.errors] == ["extra", "more"]
    assert all("map it in" in e.problem for e in info.value.errors)
