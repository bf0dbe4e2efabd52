"""A name the eval file uses that is not there gets the closest one that is, at its own line.

`judge.criteria: unknown criterion: acknowledgment` and `gates.checks.policy_promise: this run has no check ...`
listed what there is but, unlike a mistyped recorded version, named no closest match.
"""

import textwrap
from pathlib import Path

import pytest

from harness.checks.custom_refs import parse
from harness.config.evalfile import load_eval
from harness.config.yamlfile import did_you_mean
from harness.errors import ConfigError

RUBRIC = """\
id: r
version: "1"
criteria:
  - id: acknowledgement
    question: Does it acknowledge?
    scale: pass_fail
    levels: {pass: yes, fail: no}
  - id: tone
    question: Is it polite?
    scale: pass_fail
    levels: {pass: yes, fail: no}
"""
HEAD = """\
dataset: data.jsonl
candidates:
  - {name: bot-v1, recorded: bot-v1}
  - {name: bot-v2, recorded: bot-v2}
checks: [policy_promises, no_contradiction]
"""
JUDGE = "judge:\n  model: embedded/gemma-3-270m\n  rubric: rubric.yaml\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.jsonl").write_text('{"id": "a", "turns": [{"role": "customer", "content": "hi"}]}\n')
    (tmp_path / "rubric.yaml").write_text(RUBRIC)
    return tmp_path


def error_of(project, text):
    (project / "eval.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_eval("eval.yaml")
    return str(info.value)


def test_a_mistyped_judge_criterion_names_the_closest_at_its_line(project):
    text = HEAD + JUDGE + "  criteria:\n    - tone\n    - acknowledgment\n"
    assert error_of(project, text) == ("eval.yaml:11: judge.criteria[1]: unknown criterion 'acknowledgment'; did you "
                                       "mean acknowledgement? (the rubric has: acknowledgement, tone)")


def test_a_gate_on_a_mistyped_check_names_the_closest(project):
    # Refused where the dataset is read (validate here; the run's plan, estimate): a check no eval check or
    # built-in is named may be a check of the cases' own (harness.config.gate_names), which load_eval keeps aside.
    from harness.cli.validation import validate_file

    text = HEAD + "gates:\n  checks:\n    policy_promise: {min: 0.7}\n"
    (project / "eval.yaml").write_text(text)
    assert load_eval("eval.yaml").gated_case_checks == ["policy_promise"]
    with pytest.raises(ConfigError) as info:
        validate_file(Path("eval.yaml"))
    assert str(info.value) == ("eval.yaml:8: gates.checks.policy_promise: this run has no check "
                                       "'policy_promise'; did you mean policy_promises? (it has: policy_promises, "
                                       "no_contradiction)")


def test_a_gate_on_a_criterion_outside_the_judged_ones_names_the_closest(project):
    # Refused where the dataset is read, as a mistyped check is: a criterion the judge does not ask may be a
    # judge criterion of the cases' own (harness.datasets.case_criteria), which load_eval keeps aside.
    from harness.cli.validation import validate_file

    text = HEAD + JUDGE + "  criteria: [tone]\ngates:\n  criteria:\n    tones: {min: 0.5}\n"
    (project / "eval.yaml").write_text(text)
    assert load_eval("eval.yaml").gated_case_checks == ["tones"]
    with pytest.raises(ConfigError) as info:
        validate_file(Path("eval.yaml"))
    assert str(info.value) == ("eval.yaml:12: gates.criteria.tones: this run has no criterion 'tones'; did "
                               "you mean tone? (it has: tone)")


def test_a_gate_on_a_mistyped_candidate_names_the_closest(project):
    text = HEAD + "gates:\n  candidates: [bot-v2, bot_v1]\n  checks: {'*': {min: 0.5}}\n"
    assert error_of(project, text).startswith("eval.yaml:7: gates.candidates[1]: unknown candidate bot_v1; did you "
                                              "mean bot-v1? (in this eval: bot-v1, bot-v2)")


def test_a_mistyped_builtin_check_names_the_closest(project):
    text = HEAD.replace("no_contradiction", "no_contradictoin")
    assert error_of(project, text).startswith("eval.yaml:5: checks[1]: unknown check 'no_contradictoin'; did you mean "
                                              "no_contradiction? (known: ")


def test_names_that_are_there_load_and_a_broken_rubric_is_left_to_its_own_error(project):
    text = (HEAD + JUDGE + "  criteria: [tone]\ngates:\n  checks: {policy_promises: {min: 0.5}}\n"
            "  criteria: {tone: {min: 0.5}}\n")
    (project / "eval.yaml").write_text(text)
    assert load_eval("eval.yaml").spec.gates.criteria
    (project / "rubric.yaml").write_text("id: r\ncriteria: [\n")  # said where the rubric is loaded, at its line
    assert load_eval("eval.yaml").spec.judge.criteria == ["tone"]


def test_a_mistyped_case_field_root_names_the_closest():
    with pytest.raises(ValueError, match=r"'metdata' is not a case field \(fields: .*; did you mean metadata\?\)"):
        parse("{{ metdata.order_id }}")
    with pytest.raises(ValueError, match=r"name one field of context: .*; did you mean max_refund\?$"):
        parse("{{ context.max_refnd }}")


@pytest.mark.parametrize("name, known, hint", [
    ("policy_promise", ["policy_promises", "tone"], "; did you mean policy_promises?"),
    ("Tone", ["tone", "tones"], "; did you mean tone?"),  # another letter case first
    ("zzz", ["policy_promises", "tone"], ""),
])
def test_did_you_mean(name, known, hint):
    assert did_you_mean(name, known) == hint
