"""A case's own checks: never a reason to refuse a comparison; names unique across the dataset; every bad
cell listed; a promptfoo tests CSV named as one; the eval file's own errors first."""

from __future__ import annotations

import pytest

from harness.cli.validation import validate_file
from harness.compare.guard import changed_checks
from harness.datasets.case_checks import written_ways
from harness.datasets.loader import load_dataset
from harness.datasets.promptfoo_csv import promptfoo_csv_note
from harness.errors import DatasetError, SeveralErrors, UserError

CSV = ('id,complaint,__expected1,checks\n'
       's1,a,contains: sorry,"[{""name"": ""cites"", ""type"": ""contains"", ""value"": ""1001""}]"\n'
       's2,b,icontains: sorry,"[{""name"": ""cites"", ""type"": ""regex"", ""value"": ""^Hey""}]"\n'
       's3,c,,"[{""type"": ""contains"", ""value"": ""sorry""}]"\n')


def test_a_case_check_edit_is_no_check_version_difference():
    # s2 vs s3 of the review: one case's regex changed; per-case checks are marked (new) or case-... (old)
    assert changed_checks({"cites": "case-85171d0bf85c", "x": "custom-1"},
                          {"cites": "case:spec", "x": "custom-1"}) == []
    assert changed_checks({"cites": "case-aaa"}, {"cites": "case-bbb"}) == []
    assert changed_checks({"x": "custom-1"}, {"x": "custom-2"}) == ["x"]
    assert changed_checks({"p": "case:111"}, {"p": "case:222"}) == ["p"]  # a python file's text changed


def test_default_names_unique_across_dataset(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(CSV)
    names = {c.id: [d["name"] for d in c.checks] for c in load_dataset(path).cases}
    assert names["s1"][1] == "contains_sorry"
    assert names["s2"][1].startswith("contains_sorry_") and names["s3"] == [names["s2"][1]]
    again = {c.id: [d["name"] for d in c.checks] for c in load_dataset(path).cases}
    assert again == names  # stable from load to load: trends pair


def test_explicit_name_written_two_ways_warns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(CSV)
    [warning] = written_ways(load_dataset(path))
    assert "check cites is written 2 ways: line 2 (contains 1001) and line 3 (regex ^Hey)" in warning


def test_every_bad_expected_cell_and_check_listed(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('id,complaint,__expected1,__expected2\nx,a,javascript: 1,model-graded-closedqa: nice\n')
    with pytest.raises(SeveralErrors) as caught:
        load_dataset(path, all_errors=True)
    assert [e.field for e in caught.value.errors] == ["__expected1", "__expected2"]
    path.write_text('id,complaint,checks\nx,a,"[{""type"": ""icontains""}, {""type"": ""bogus""}]"\n')
    with pytest.raises(DatasetError) as caught:
        load_dataset(path, all_errors=True)
    assert [e.field for e in caught.value.errors] == ["checks[0].type", "checks[1].type"]


def test_promptfoo_tests_csv_named():
    note = promptfoo_csv_note(["message", "__expected1"], "tests.csv")
    assert note.startswith("a promptfoo tests CSV (__expected1)") and "no id column" in note
    assert promptfoo_csv_note(["message"], "x.csv") is None


def test_no_id_clause_said_once(tmp_path):
    (tmp_path / "d.csv").write_text("message\nhello\n")
    (tmp_path / "e.yaml").write_text(
        "name: f7\ndataset: {path: d.csv, columns: {complaint: message}}\ncandidates:\n  - name: a\n"
        "    model: openai/gpt-4o-mini\n    prompt: 'hi {{ complaint }}'\njudge:\n  model: openai/gpt-4o-mini\n"
        "  rubric:\n    criteria:\n      - id: apologises\n        question: apologises?\n        weight: 2\n")
    with pytest.raises(UserError) as caught:
        validate_file(tmp_path / "e.yaml")
    errors = caught.value.errors
    assert errors[0].field == "judge.rubric.criteria[0].weight"  # the eval file's own error first
    assert errors[1].problem.count("map") == 1
