"""A run whose cases carried their own judge criteria records them beside the rubric's (marked `case`): reading
the rubric file again (harness label's question words, calibrate's criterion check) selects the rubric's own."""

from types import SimpleNamespace

from harness.cli.label_cmd import _rubric_words
from harness.judges.rubric import load_rubric, rubric_criterion_ids

RUBRIC = """id: r
version: "1"
criteria:
  - id: apologises
    question: Does the reply apologise?
"""


def test_a_runs_rubric_is_read_again_without_the_cases_own_criteria(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(RUBRIC)
    record = load_rubric(path).record(str(path))
    record["criteria"]["llm_rubric_says_sorry"] = {"scale": "pass_fail", "sha256": "case:spec", "case": True}
    assert rubric_criterion_ids(record) == ["apologises"]
    manifest = SimpleNamespace(rubric=record, eval_file=SimpleNamespace(path=str(tmp_path / "eval.yaml")))
    words = _rubric_words(manifest)
    assert list(words) == ["apologises"] and words["apologises"][0] == "Does the reply apologise?"
