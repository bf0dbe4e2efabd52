"""A judge criterion without a rubric file: the short pass/fail form, and a rubric written in the eval file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.config.evalfile import load_eval
from harness.errors import ConfigError, RubricError
from harness.judges.rubric import SHORT_LEVELS, Criterion, load_rubric

REPO = Path(__file__).resolve().parents[2]

# Written out in full, as every rubric was before the short form: these hashes were taken before it existed.
FULL = """\
id: small
version: 3
description: two criteria
criteria:
  - id: apologises
    question: Does the reply apologise?
    scale: pass_fail
    levels: {pass: It apologises., fail: It does not.}
  - id: clear
    question: Is the reply clear?
    levels: {1: a, 2: b, 3: c, 4: d, 5: e}
    pass_threshold: 3
    use_context: true
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_a_rubric_file_without_the_short_form_hashes_as_before(tmp_path):
    rubric = load_rubric(_write(tmp_path / "r.yaml", FULL))
    assert rubric.sha256 == "e71d04cfb3511d8610991d1a9e9ec2756a387841132d57979aa9859e589edca3"
    assert [c.sha256 for c in rubric.criteria] == [
        "043780d56792d74ba9fa2fb525db93ec8c4a253c426bd3d0ecc16cb7f75ad80f",
        "508fd83a1e12602d20319dd43b67948fbfc368aa4b00f550943dd2bb0f673f29"]
    shipped = load_rubric(REPO / "rubrics/support-reply.yaml")
    assert shipped.sha256 == "23bac6986bf8984da959f1d2a2425c8fe5556be32d9e2924bc4c026ec90fe169"


def test_a_question_alone_is_a_pass_fail_criterion_that_hashes_as_written_out():
    # It was refused: `levels` required, also for pass_fail, whose two levels say little more than the question.
    short = Criterion.model_validate({"id": "apologises", "question": "Does the reply apologise?"})
    written = Criterion.model_validate({"id": "apologises", "question": "Does the reply apologise?",
                                        "scale": "pass_fail", "levels": dict(SHORT_LEVELS)})
    assert short.scale == "pass_fail" and short.levels == SHORT_LEVELS
    assert short.sha256 == written.sha256
    described = Criterion.model_validate({"id": "apologises", "description": "Does the reply apologise?"})
    assert described.sha256 == written.sha256
    explicit = Criterion.model_validate({"id": "apologises", "question": "Q?", "scale": "pass_fail"})
    assert explicit.levels == SHORT_LEVELS


@pytest.mark.parametrize("criterion, said", [
    ('{id: a, question: "Q?", description: "D?"}', "criteria[0]: give the criterion's `question` or its "
                                                   "`description`, not both"),
    ('{id: b, question: "Q?", scale: "1-5"}', "criteria[0].levels: "),  # a 1-5 scale still anchors its levels
    ('{id: c, question: "Q?", pass_threshold: 3}', "criteria[0].pass_threshold: applies to 1-5 scales only"),
])
def test_short_form_mistakes_are_said(tmp_path, criterion, said):
    with pytest.raises(RubricError) as info:
        load_rubric(_write(tmp_path / "r.yaml", f"id: r\nversion: 1\ncriteria:\n  - {criterion}\n"))
    assert f"r.yaml:4: {said}" in str(info.value)


INLINE_EVAL = """\
name: inline-judge
dataset: cases.jsonl
candidates:
  - {name: bot, recorded: bot}
checks: none
judge:
  model: embedded/gemma-3-270m
  rubric:
    criteria:
      - id: apologises
        question: Does the reply apologise without blaming the customer?
      - id: tone
        question: Is the tone warm?
        levels: {1: cold, 2: curt, 3: neutral, 4: kind, 5: warm}
"""
CASES = '{"id": "c1", "turns": [{"role": "customer", "content": "Where is my order?"}], ' \
        '"recorded_replies": {"bot": "Sorry!"}}\n'


def _project(tmp_path: Path, eval_text: str = INLINE_EVAL) -> Path:
    (tmp_path / "cases.jsonl").write_text(CASES)
    return _write(tmp_path / "e.yaml", eval_text)


def test_an_inline_rubric_is_read_from_the_eval_file_and_hashes_as_the_same_rubric_in_a_file(tmp_path):
    # It was refused: judge.rubric "Input should be a valid string".
    path = _project(tmp_path)
    loaded = load_eval(path)
    assert loaded.rubric_path == path  # what the manifest names as the rubric's path, and loads again
    inline = load_rubric(path)
    assert inline.id == "inline-judge" and inline.version == "1"
    as_file = _write(tmp_path / "r.yaml", f"""\
        id: inline-judge
        version: "1"
        criteria:
          - id: apologises
            question: Does the reply apologise without blaming the customer?
            scale: pass_fail
            levels: {{pass: "{SHORT_LEVELS['pass']}", fail: "{SHORT_LEVELS['fail']}"}}
          - id: tone
            question: Is the tone warm?
            levels: {{1: cold, 2: curt, 3: neutral, 4: kind, 5: warm}}
        """)
    from_file = load_rubric(as_file)
    assert inline.sha256 == from_file.sha256
    assert [c.sha256 for c in inline.criteria] == [c.sha256 for c in from_file.criteria]
    assert inline.record(str(path))["sha256"] == from_file.record(str(as_file))["sha256"]


def test_an_inline_rubric_may_name_itself_and_its_version_and_is_not_interpolated(tmp_path):
    text = INLINE_EVAL.replace("  rubric:\n", "  rubric:\n    id: mine\n    version: 2\n    description: ${NOT_A_VAR}\n")
    rubric = load_rubric(_project(tmp_path, text))
    assert (rubric.id, rubric.version, rubric.description) == ("mine", "2", "${NOT_A_VAR}")
    load_eval(tmp_path / "e.yaml")  # a rubric's text is data, as in a rubric file: no variable is asked for


def test_an_inline_rubric_s_mistakes_are_at_their_lines_in_the_eval_file(tmp_path):
    path = _project(tmp_path, INLINE_EVAL.replace("{1: cold, 2: curt, 3: neutral, 4: kind, 5: warm}", "{1: cold}"))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert "e.yaml:14: judge.rubric.criteria[1].levels: scale 1-5 has the levels" in str(info.value)


def test_judge_criteria_are_held_to_the_inline_rubric(tmp_path):
    path = _project(tmp_path, INLINE_EVAL.replace("  rubric:\n", "  criteria: [apologise]\n  rubric:\n"))
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    assert "unknown criterion 'apologise'" in str(info.value) and "apologises, tone" in str(info.value)


def test_a_judge_rubric_neither_a_path_nor_a_mapping_is_refused(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_eval(_project(tmp_path, INLINE_EVAL.split("  rubric:")[0] + "  rubric: ' '\n"))
    assert "judge.rubric: give a rubric file's path, or the rubric itself" in str(info.value)
