"""Every mistake of an eval file or rubric at once, each on its own line, in line order.

`harness validate` said one error per run: a file with 11 mistakes took 11 runs, and the first one
said was on line 9 while lines 5 and 8 were wrong too. Unknown fields said only "check the spelling",
a value outside a fixed set did not echo the value, and a rubric's levels did not say which was missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.cli.validation import validate_paths
from harness.config.evalfile import load_eval
from harness.config.yamlfile import MAX_REPORTED
from harness.errors import ConfigError, RubricError, SeveralErrors, UserError
from harness.judges.rubric import load_rubric

CASES = [{"id": f"c{i}", "turns": [{"role": "customer", "content": "my router is broken"}],
          "recorded_replies": {"bot-v1": "sorry"}, "metadata": {"account_ref": "A1"}} for i in range(3)]

BAD_EVAL = """\
name: bad
dataset: cases.jsonl
candidates:
  - name: bot
    recorded: bot-v1
checks:
  - {name: no_rivals, type: not_contain, value: [Sky, BT]}
  - {name: cites, type: contains, value: '{{ metdata.account_ref }}'}
  - {name: forbidden, type: not_regex, value: '(free upgrade'}
  - {name: short, type: max_length, value: 280, applies_when: boundry_required}
  - {name: signed, type: regex, value: '[A-Z]{2}$', ignore_cse: true}
"""

RUBRIC = """\
id: r
version: "1"
criteria:
  - id: owns_the_fault
    question: Owns it?
    levles: {"1": a, "2": b, "3": c, "4": d, "5": e}
  - id: policy_safe
    question: Safe?
    scale: pass_fail
    use_contxt: true
    levels: {pass: a, fail: b}
  - id: boundary
    question: Holds a limit?
    levels: {"1": a, "2": b, "4": d, "5": e}
  - id: timeline
    question: Says when?
    levels: {"1": a, "2": b, "3": c, "4": d, "5": e, "6": f}
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(case) + "\n" for case in CASES))
    return tmp_path


def errors_of(path: str) -> list[str]:
    found = [message for _, message in validate_paths([Path(path)])]
    assert all(isinstance(message, UserError) for message in found), found
    return [message.one_line() for message in found]


def test_validate_lists_every_mistake_of_an_eval_file_in_line_order(project):
    (project / "eval.yaml").write_text(BAD_EVAL)
    assert errors_of("eval.yaml") == [
        "eval.yaml:7: checks[0].type: Input should be 'contains', 'contains_all', 'not_contains', "
        "'not_contains_all', 'equals', 'not_equals', 'starts_with', 'not_starts_with', 'regex', 'not_regex', "
        "'max_length', 'min_length', 'is_json', 'not_is_json', 'max_latency_ms', 'max_cost_usd', 'python', 'rouge_l', 'levenshtein', 'bleu' or 'similar', "
        "not 'not_contain'; did you mean 'not_contains'?",
        "eval.yaml:8: checks[1].value: {{ metdata.account_ref }}: 'metdata' is not a case field (fields: id, "
        "persona, category, channel, context, expectations, metadata, recorded_replies; did you mean metadata?); "
        "write \\{{ metdata.account_ref }} for the literal text",
        "eval.yaml:9: checks[2].value: `value` is not a valid regular expression: missing ) at position 13",
        "eval.yaml:10: checks[3].applies_when: Input should be 'always', 'question_expected', 'boundary_required', "
        "'escalation_expected' or 'final_turn', not 'boundry_required'; did you mean 'boundary_required'?",
        "eval.yaml:11: checks[4].ignore_cse: unknown field (check the spelling); did you mean ignore_case?",
    ]


def test_the_cli_prints_one_error_line_per_mistake_and_exits_2(project, capsys):
    (project / "eval.yaml").write_text(BAD_EVAL)
    assert main(["validate", "eval.yaml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5 and all(line.startswith("error eval.yaml:") for line in lines)
    assert [line.split(":")[1] for line in lines] == ["7", "8", "9", "10", "11"]


def test_a_run_refuses_with_the_first_mistake_and_the_count_of_the_rest(project, capsys):
    (project / "eval.yaml").write_text(BAD_EVAL)
    with pytest.raises(ConfigError) as info:  # still a ConfigError for whoever catches one
        load_eval("eval.yaml")
    assert isinstance(info.value, SeveralErrors) and info.value.line == 7 and info.value.field == "checks[0].type"
    assert main(["run", "eval.yaml", "--out", "results/x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("harness: error: eval.yaml:7: checks[0].type: ")
    assert err.rstrip().endswith("(and 4 more errors in this file: harness validate eval.yaml lists them)")
    assert not (project / "results").exists()


def test_past_the_cap_the_rest_are_counted(project):
    keys = "".join(f"colour{i}: red\n" for i in range(MAX_REPORTED + 5))
    (project / "eval.yaml").write_text("dataset: cases.jsonl\ncandidates: [{name: bot, recorded: bot-v1}]\n" + keys)
    lines = errors_of("eval.yaml")
    assert len(lines) == MAX_REPORTED + 1 and lines[0].startswith("eval.yaml:3: colour0: unknown field")
    assert lines[-1] == "eval.yaml: and 5 more errors (fix these first)"


def test_one_mistake_is_one_plain_error(project):
    (project / "eval.yaml").write_text("dataset: cases.jsonl\ncandidates: [{name: bot, recorded: bot-v1}]\nchekcs: all\n")
    with pytest.raises(ConfigError) as info:
        load_eval("eval.yaml")
    assert not isinstance(info.value, SeveralErrors)
    assert str(info.value) == "eval.yaml:3: chekcs: unknown field (check the spelling); did you mean checks?"


def test_a_rubric_names_each_typo_with_the_field_meant_and_the_missing_level(project):
    (project / "r.yaml").write_text(RUBRIC)
    assert errors_of("r.yaml") == [
        # the misspelt `levles` also leaves `levels` missing: the typo is the one mistake said
        "r.yaml:6: criteria[0].levles: unknown field (check the spelling); did you mean levels?",
        "r.yaml:10: criteria[1].use_contxt: unknown field (check the spelling); did you mean use_context?",
        "r.yaml:14: criteria[2].levels: scale 1-5 has the levels '1', '2', '3', '4', '5': missing '3'",
        "r.yaml:17: criteria[3].levels: scale 1-5 has the levels '1', '2', '3', '4', '5': '6' is not a level of it",
    ]
    with pytest.raises(RubricError):
        load_rubric("r.yaml")


def test_an_unknown_field_with_no_close_name_lists_the_fields_there(project):
    (project / "eval.yaml").write_text("dataset: cases.jsonl\ncandidates: [{name: bot, recorded: bot-v1, xyz: 1}]\n")
    (line,) = errors_of("eval.yaml")
    assert line.startswith("eval.yaml:2: candidates[0].xyz: unknown field (check the spelling); the fields here "
                           "are api_base, api_key_env, params,")


def test_the_names_an_eval_file_uses_are_all_checked_at_once(project):
    (project / "r.yaml").write_text(RUBRIC.replace("levles", "levels").replace("use_contxt", "use_context")
                                    .replace('"2": b, "4"', '"2": b, "3": c, "4"').replace(', "6": f', ""))
    (project / "eval.yaml").write_text(
        "dataset: cases.jsonl\ncandidates: [{name: bot, recorded: bot-v1}]\n"
        "checks: [apology_wordng, {name: all, type: contains, value: x}]\n"
        "judge: {model: fake/j, rubric: r.yaml, criteria: [owns_fault]}\n")
    lines = errors_of("eval.yaml")
    assert [line.split(": ")[1] for line in lines] == ["checks[0]", "checks[1].name", "judge.criteria[0]"]
    assert "did you mean owns_the_fault?" in lines[2]


def test_what_the_dataset_refuses_is_said_all_at_once(project):
    (project / "eval.yaml").write_text(
        "dataset: cases.jsonl\ncandidates:\n  - {name: a, recorded: bot-v9}\n  - {name: b, recorded: botv1}\n"
        "checks: [{name: cites, type: contains, value: '{{ metadata.acount_ref }}'}]\n")
    lines = errors_of("eval.yaml")
    assert [line.split(": ")[0:2] for line in lines] == [
        ["eval.yaml:3", "candidates[0].recorded"], ["eval.yaml:4", "candidates[1].recorded"],
        ["eval.yaml:5", "checks[0].value"]]
