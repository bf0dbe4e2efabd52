"""`harness validate` on a label file, label and check-name errors in plain words, custom-check messages that
say what is wrong (a quoted number, a mistyped function, a field no case has)."""

import json

import pytest

from harness.calibration.labels import load_labels
from harness.cli.main import main
from harness.errors import DatasetError

LABEL = {"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": 1, "labeller": "ana"}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(json.dumps(
        {"id": "n01", "turns": [{"role": "customer", "content": "hi"}], "recorded_replies": {"bot": "hello"},
         "metadata": {"source": "web"}}) + "\n")
    (tmp_path / "house.py").write_text("def cites_account(ctx):\n    return True\n")
    return tmp_path


def _validate_check(project, capsys, check):
    (project / "eval.yaml").write_text("dataset: cases.jsonl\ncandidates:\n  - {name: bot, recorded: bot}\n"
                                       f"checks:\n  - {check}\n")
    assert main(["validate", "eval.yaml"]) == 2
    return capsys.readouterr().err.strip()


def test_a_label_file_is_validated_as_labels(project, capsys):
    (project / "labels.jsonl").write_text(json.dumps(LABEL) + "\n" + json.dumps({**LABEL, "case_id": "c2"}) + "\n")
    assert main(["validate", "labels.jsonl"]) == 0
    assert "labels.jsonl: label file, 2 labels" in capsys.readouterr().out
    (project / "labels.jsonl").write_text(json.dumps({**LABEL, "label": "maybe"}) + "\n")
    assert main(["validate", "labels.jsonl"]) == 2
    assert capsys.readouterr().err.startswith('error labels.jsonl:1: label: "maybe" is not a label')


def test_label_errors_are_in_plain_words(tmp_path):
    path = tmp_path / "labels.jsonl"
    for row, expected in (({**LABEL, "labeler": "x"}, "labeler: unknown field (check the spelling); did you mean "
                                                      "labeller?"),
                          ([1], "expected a JSON object (one label), got list")):
        path.write_text(json.dumps(row) + "\n")
        with pytest.raises(DatasetError) as err:
            load_labels(path)
        assert str(err.value) == f"{path}:1: {expected}"


def test_a_bad_check_name_says_which_characters_it_may_hold(project, capsys):
    err = _validate_check(project, capsys, "{name: 'my check!', type: contains, value: x}")
    assert err == ("error eval.yaml:5: checks[0].name: 'my check!': a check name may hold only letters A-Z and "
                   "a-z, digits, _, . and - (no spaces)")


def test_a_quoted_number_is_named_as_text(project, capsys):
    err = _validate_check(project, capsys, '{name: t, type: max_length, value: "280"}')
    assert err.endswith('checks[0].value: type max_length needs a whole number, and `value` is the text "280": '
                        'write value: 280 (without quotes)')


def test_a_mistyped_function_gets_a_did_you_mean(project, capsys):
    err = _validate_check(project, capsys, "{name: c, type: python, value: house.py:cites_acount}")
    assert err.endswith("house.py has no function cites_acount; did you mean cites_account?")


def test_a_field_no_case_has_suggests_only_a_close_name(project, capsys):
    err = _validate_check(project, capsys, "{name: o, type: contains, value: '{{ metadata.order_id }}'}")
    assert err.endswith("(the cases have metadata.source)")  # not "did you mean {{ metadata.source }}?"
    err = _validate_check(project, capsys, "{name: o, type: contains, value: '{{ metadata.sorce }}'}")
    assert err.endswith("did you mean {{ metadata.source }}?")
