import textwrap

import pytest

from harness.datasets.schema import Case
from harness.errors import RubricError
from harness.judges.rubric import load_rubric


def test_shipped_rubric_covers_behaviours_1_to_10():
    rubric = load_rubric("rubrics/support-reply.yaml")
    ids = {c.id for c in rubric.criteria}
    assert {"acknowledgement", "no_contradiction", "apology_quality", "empathy", "tone", "solution_focus",
            "resolution", "clarifying_questions", "urgency", "boundaries"} <= ids
    assert rubric.version and len(rubric.sha256) == 64


def test_hash_ignores_formatting_but_not_content(tmp_path):
    base = 'id: r\nversion: "1"\ncriteria:\n  - id: tone\n    question: Polite?\n    scale: pass_fail\n' \
           '    levels: {pass: "yes", fail: "no"}\n'
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    a.write_text(base)
    b.write_text("# comment\n" + base.replace("{pass: \"yes\", fail: \"no\"}", "\n      pass: 'yes'\n      fail: 'no'"))
    c.write_text(base.replace("Polite?", "Kind?"))
    assert load_rubric(a).sha256 == load_rubric(b).sha256 != load_rubric(c).sha256


@pytest.mark.parametrize("body, expected", [
    ("criteria:\n  - id: tone\n    question: q\n    levels: {pass: a, fail: b}\n",
     "r.yaml:6: criteria[0].levels: scale 1-5 has the levels '1', '2', '3', '4', '5': missing '1', '2', '3', '4', "
     "'5'; 'pass', 'fail' are not a level of it"),
    ("criteria:\n  - id: Tone!\n    question: q\n    scale: pass_fail\n    levels: {pass: a, fail: b}\n",
     "r.yaml:4: criteria[0].id"),
    ("criteria:\n  - id: t\n    question: q\n    scale: 1-10\n    levels: {}\n", "r.yaml:6: criteria[0].scale"),
])
def test_bad_rubrics(tmp_path, body, expected):
    path = tmp_path / "r.yaml"
    path.write_text('id: r\nversion: "1"\n' + body)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert expected in str(info.value)


def test_applies_when_reads_expectations_and_persona():
    rubric = load_rubric("rubrics/support-reply.yaml")
    boundaries = next(c for c in rubric.criteria if c.id == "boundaries")
    turns = [{"role": "customer", "content": "x"}]
    assert boundaries.applies_to(Case(id="a", turns=turns, persona="Abusive"))
    assert not boundaries.applies_to(Case(id="b", turns=turns, persona="angry"))
    assert not boundaries.applies_to(Case(id="c", turns=turns, persona="abusive",
                                          expectations={"boundary_required": False}))


def test_unquoted_yaml_levels_are_read_as_text(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text('id: r\nversion: 2\ncriteria:\n  - id: t\n    question: q\n    scale: pass_fail\n'
                    '    levels: {pass: yes, fail: no}\n  - id: u\n    question: q\n'
                    '    levels: {1: a, 2: b, 3: c, 4: d, 5: e}\n')
    rubric = load_rubric(path)
    assert rubric.criteria[0].levels == {"pass": "yes", "fail": "no"} and "5" in rubric.criteria[1].levels
