"""promptfoo's keys get the harness's word wherever they are written: a judge criterion's `weight`, a
candidate's `config:`, a latency check's `threshold:` (review migrate2, finding 6)."""

import json

import pytest

from harness.cli.validation import validate_paths
from harness.errors import UserError


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "t1", "turns": [{"role": "customer", "content": "hi"}],
                                                  "recorded_replies": {"v1": "Sorry."}}) + "\n")
    return tmp_path


def errors_of(project, body: str, files: dict | None = None) -> list[str]:
    for name, text in (files or {}).items():
        (project / name).write_text(text)
    (project / "e.yaml").write_text("dataset: d.jsonl\n" + body)
    found = [message for _, message in validate_paths([project / "e.yaml"])]
    assert all(isinstance(message, UserError) for message in found), found
    return [message.one_line().removeprefix(f"{project}/") for message in found]


RECORDED = "candidates:\n  - {name: v1, recorded: v1}\n"


def test_a_weight_on_an_inline_criterion_gets_promptfoo_s_hint(project):
    said = errors_of(project, RECORDED + "judge:\n  model: openai/x\n  rubric:\n    criteria:\n"
                                         "      - {id: apologises, question: apologises, weight: 2}\n")
    assert said == ["e.yaml:8: judge.rubric.criteria[0].weight: unknown field: promptfoo's weight: criteria have no "
                    "weights: each passes or fails on its own; hold the ones that matter to a minimum with gates: "
                    "{criteria: {<id>: {min: 0.9}}}"]


def test_a_weight_in_a_rubric_file_too(project):
    rubric = "id: r\nversion: '1'\ncriteria:\n  - {id: apologises, question: apologises, weight: 2}\n"
    said = errors_of(project, RECORDED + "judge: {model: openai/x, rubric: r.yaml}\n", {"r.yaml": rubric})
    assert len(said) == 1 and "criteria[0].weight: unknown field: promptfoo's weight: criteria have no" in said[0]


@pytest.mark.parametrize("candidate", [
    "{name: m, model: openai/x, prompt: Hi, config: {temperature: 0}}",
    "{matrix: {model: [openai/x], prompt: [Hi]}, config: {temperature: 0}}",
])
def test_a_candidate_s_config_points_to_params(project, candidate):
    said = errors_of(project, f"candidates:\n  - {candidate}\n")
    assert said == ["e.yaml:3: candidates[0].config: unknown field: promptfoo's config: a candidate's model "
                    "settings (temperature, max_tokens, ...) go in params:"]


def test_llm_rubric_names_the_inline_judge_first(project):
    said = errors_of(project, RECORDED + "checks:\n  - {name: r, type: llm-rubric, value: is polite}\n")
    assert said == ["e.yaml:5: checks[0].type: type 'llm-rubric' is promptfoo's: write a judge criterion: judge: "
                    "{model, rubric: {criteria: [{id, question}]}} in the eval file (or a rubric file named by "
                    "judge.rubric)"]


@pytest.mark.parametrize("kind, said", [
    ("latency", ["e.yaml:5: checks[0].type: type 'latency' is promptfoo's: use max_latency_ms (value: milliseconds, "
                 "where promptfoo has threshold:)"]),
    ("cost", ["e.yaml:5: checks[0].type: type 'cost' is promptfoo's: use max_cost_usd (value: US dollars per reply, "
              "where promptfoo has threshold:)"]),
])
def test_a_latency_check_s_threshold_is_answered_once_by_its_type(project, kind, said):
    assert errors_of(project, RECORDED + f"checks:\n  - {{name: l, type: {kind}, threshold: 500}}\n") == said


def test_a_threshold_on_max_latency_ms_says_value_is_the_limit(project):
    said = errors_of(project, RECORDED + "checks:\n  - {name: l, type: max_latency_ms, value: 500, threshold: 500}\n")
    assert said == ["e.yaml:5: checks[0].threshold: a max_latency_ms check's limit is its value: (where promptfoo "
                    "has threshold:)"]


def test_a_python_check_s_threshold_is_still_held_to_0_to_1(project):
    (project / "c.py").write_text("def f(ctx):\n    return True\n")
    said = errors_of(project, RECORDED + "checks:\n  - {name: p, type: python, value: c.py:f, threshold: 5}\n")
    assert said == ["e.yaml:5: checks[0].threshold: Input should be less than or equal to 1"]
