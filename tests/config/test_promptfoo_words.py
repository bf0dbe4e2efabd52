"""promptfoo's check types, check keys and top-level keys get the harness's word in one line, never a spelling
guess and never the opposite check; a promptfoo config is said to be one (README: Coming from promptfoo)."""

import json

import pytest

from harness.cli.main import main
from harness.cli.validation import validate_paths
from harness.errors import UserError


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "t1", "turns": [{"role": "customer", "content": "hi"}],
                                                  "recorded_replies": {"v1": "Sorry."}}) + "\n")
    return tmp_path


def errors_of(project, check: str) -> list[str]:
    (project / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\n"
                                    f"checks:\n  - {check}\n")
    found = [message for _, message in validate_paths([project / "e.yaml"])]
    assert all(isinstance(message, UserError) for message in found), found
    return [message.one_line().split(": ", 2)[2] for message in found]


@pytest.mark.parametrize("written, said", [
    ("not-starts-with", "type 'not-starts-with': did you mean not_starts_with?"),
    ("not-is-json", "type 'not-is-json': did you mean not_is_json?"),
    ("not-contains", "type 'not-contains': did you mean not_contains?"),
    ("starts-with", "type 'starts-with': did you mean starts_with?"),
    ("is-json", "type 'is-json': did you mean is_json?"),
    ("not-icontains", "type 'not-icontains': did you mean not_contains?"),
    ("icontains", "type 'icontains' is promptfoo's: use contains (ignore_case is true by default)"),
    ("cost", "type 'cost' is promptfoo's: use max_cost_usd"),
    ("latency", "type 'latency' is promptfoo's: use max_latency_ms"),
    ("javascript", "type 'javascript' is promptfoo's: write a python check"),
    ("llm-rubric", "type 'llm-rubric' is promptfoo's: write a judge criterion"),
    ("model-graded-closedqa", "type 'model-graded-closedqa' is promptfoo's: write a judge criterion"),
    ("g-eval", "type 'g-eval' is promptfoo's: write a judge criterion"),
    ("rouge-n", "type 'rouge-n' is promptfoo's: use rouge_l"),
])
def test_a_promptfoo_type_gets_the_harness_type(project, written, said):
    [error] = errors_of(project, f"{{name: c, type: {written}, value: x}}")
    assert error.startswith(said), error


@pytest.mark.parametrize("written", ["not-javascript", "not_max_length", "not-llm-rubric", "not_python"])
def test_a_negated_type_the_harness_lacks_is_never_answered_with_its_opposite(project, written):
    [error] = errors_of(project, f"{{name: c, type: {written}, value: x}}")
    base = written.replace("-", "_").removeprefix("not_")
    assert "there is no negated" in error and f"did you mean {base}" not in error
    assert f"'{base}'" not in error.split("(the negated types")[0]


def test_a_misspelt_negated_type_still_gets_the_negated_one(project):
    [error] = errors_of(project, "{name: c, type: not_regx, value: x}")
    assert error.endswith("did you mean 'not_regex'?")


@pytest.mark.parametrize("key, said", [
    ("weight: 2", "checks[0].weight: unknown field: promptfoo's weight: checks have no weights"),
    ("metric: tone", "checks[0].metric: unknown field: promptfoo's metric: a check is reported under its own name"),
    ("negate: true", "checks[0].negate: unknown field: promptfoo's negate: use the not_ type instead"),
])
def test_promptfoo_check_keys_say_what_does_their_job(project, key, said):
    (project / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\n"
                                    f"checks:\n  - {{name: c, type: contains, value: x, {key}}}\n")
    [(_, error)] = list(validate_paths([project / "e.yaml"]))
    assert said in error.one_line() and "did you mean" not in error.one_line()


def test_the_negated_types_work(project):
    from harness.checks.base import CheckContext
    from harness.checks.custom import CustomCheckSpec, build_custom_check
    from harness.datasets.schema import Case

    case = Case.model_validate({"id": "a", "turns": [{"role": "customer", "content": "hi"}]})

    def passed(kind, reply, value=None):
        check = build_custom_check(CustomCheckSpec(name="c", type=kind, value=value), lambda raw: None)
        return check.run(CheckContext(case=case, reply=reply)).passed

    assert passed("not_equals", " Sorry ", "sorry") is False and passed("not_equals", "Sorry!", "sorry") is True
    assert passed("not_starts_with", "Sorry, no", "sorry") is False and passed("not_starts_with", "Hi", "x") is True
    assert passed("not_is_json", '{"a": 1}') is False and passed("not_is_json", "Hello") is True
    assert passed("not_contains_all", "a b", ["a", "b"]) is False and passed("not_contains_all", "a", ["a", "b"])


PROMPTFOO = """\
description: support bot
prompts:
  - file://prompt_a.txt
providers:
  - openai:gpt-4o-mini
defaultTest:
  assert:
    - {type: icontains, value: sorry}
tests:
  - vars: {complaint: hi}
"""


def test_a_promptfoo_config_names_the_harness_word_for_each_key(project, capsys):
    (project / "pf.yaml").write_text(PROMPTFOO)
    assert main(["validate", "pf.yaml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("error pf.yaml:1: this looks like a promptfoo config, not an eval file")
    assert "README.md#coming-from-promptfoo" in lines[0]
    said = "\n".join(lines)
    assert "prompts: unknown field: promptfoo's prompts: here each candidate has a prompt: candidates[].prompt" in said
    assert "providers: unknown field: promptfoo's providers: here each candidate has a model" in said
    assert "defaultTest: unknown field: promptfoo's defaultTest: here checks:" in said
    assert "tests: unknown field: promptfoo's tests: here the cases are a dataset file: dataset:" in said
    assert "did you mean gates" not in said and "check the spelling" not in said


def test_run_shows_the_same_lines_as_validate(project, capsys):
    (project / "pf.yaml").write_text(PROMPTFOO)
    main(["validate", "pf.yaml"])
    validated = [line.removeprefix("error ") for line in capsys.readouterr().err.splitlines()]
    assert main(["run", "pf.yaml"]) == 2
    ran = [line.removeprefix("harness: error: ") for line in capsys.readouterr().err.splitlines()]
    assert ran == validated


def test_one_promptfoo_key_in_an_eval_file_gets_its_line_only(project, capsys):
    (project / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\noutputPath: x\n")
    assert main(["run", "e.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("harness: error: e.yaml:4: outputPath: unknown field: promptfoo's outputPath: here a run "
                           "writes to its own directory: harness run --out DIR")


def test_validate_dir_says_a_promptfooconfig_is_one(project, capsys):
    (project / "pf").mkdir()
    (project / "pf" / "promptfooconfig.yaml").write_text(PROMPTFOO)
    main(["validate", "pf"])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "skip  pf/promptfooconfig.yaml: a promptfoo config, not an eval file" in out
    assert "not an eval file or rubric" not in out
