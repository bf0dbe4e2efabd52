"""The label file's ``label`` values: what the model reads and what the published JSON Schema says agree."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from harness.calibration.calibrate import CalibrationOptions, calibrate_run
from harness.calibration.labels import HumanLabel, load_labels
from harness.errors import DatasetError
from harness.schemas import schema_of
from tests.calibration.test_calibrate import _labels, _run

REPO = Path(__file__).resolve().parents[2]
ACCEPTED = [1, 0, 1.0, 3, 5, True, False, "pass", "fail", "yes", "no", "true", "false", "PASS", "True", "FALSE",
            " fail ", "No"]
REFUSED = ["maybe", "4", "1", "", "p", "passed", "nan", None, [1], {"x": 1}]


def _row(value) -> dict:
    return {"case_id": "c1", "candidate": "bot", "check": "apology_wording", "label": value, "labeller": "ana"}


@pytest.mark.parametrize("value", ACCEPTED)
def test_what_the_model_accepts_the_published_schema_accepts(value) -> None:
    # The schema said "type": "number", so the "pass"/"fail" that `harness label` writes failed it.
    HumanLabel.model_validate(_row(value))
    jsonschema.validate(_row(value), schema_of("labels"))


@pytest.mark.parametrize("value", REFUSED)
def test_what_the_model_refuses_the_published_schema_refuses(value) -> None:
    with pytest.raises(ValueError):
        HumanLabel.model_validate(_row(value))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_row(value), schema_of("labels"))


def test_the_shipped_label_file_validates_against_the_published_schema() -> None:
    schema = schema_of("labels")
    lines = (REPO / "labels" / "complaints-labels.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    assert len(rows) == 180
    for row in rows:
        jsonschema.validate(row, schema)


def test_true_and_false_as_words_are_read_as_pass_and_fail(tmp_path: Path) -> None:
    # calibrate's scale error tells users to "give pass or fail, true or false, yes or no, 1 or 0", but the
    # words "true"/"false" were refused ("Input should be a valid number").
    rows = [{**_row(value), "case_id": f"c{i}"} for i, value in enumerate(["true", "false", "TRUE", "False"])]
    assert [label.label for label in load_labels(_labels(tmp_path, rows))] == [1.0, 0.0, 1.0, 0.0]
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert report.checks[0].n_labels == 4


@pytest.mark.parametrize("value, problem", [
    ("maybe", '"maybe" is not a label: give pass or fail, yes or no, true or false, or a number (1 or 0, or 1 to 5)'),
    ("4", '"4" is a number in quotes: write it without them'),
    (None, "null is not a label: give pass or fail"),
])
def test_another_value_is_refused_with_a_clear_message(tmp_path: Path, value, problem: str) -> None:
    path = _labels(tmp_path, [_row("pass"), _row(value)])
    with pytest.raises(DatasetError) as info:
        load_labels(path)
    assert (info.value.line, info.value.field) == (2, "label") and info.value.problem.startswith(problem)
    assert "valid number" not in str(info.value)


def test_true_as_a_word_on_a_1_to_5_criterion_is_a_pass_fail_answer(tmp_path: Path) -> None:
    rows = [{"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": "true"}]
    with pytest.raises(DatasetError, match='"true" is a pass/fail answer, but criterion \'empathy\' is scored'):
        calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))


def test_a_schema_version_that_is_not_an_integer_is_refused_as_the_schema_refuses_it():
    import jsonschema
    import pytest
    from pydantic import ValidationError

    from harness.calibration.labels import HumanLabel

    schema = HumanLabel.model_json_schema()
    for version in ("1", True, 1.5):
        row = {"case_id": "c1", "candidate": "v", "check": "x", "label": 1, "schema_version": version}
        with pytest.raises(ValidationError):
            HumanLabel.model_validate(row)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(row, schema)
    HumanLabel.model_validate({"case_id": "c1", "candidate": "v", "check": "x", "label": 1, "schema_version": 1})
