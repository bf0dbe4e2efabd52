"""--model, --judge-model and --set change the eval file's data before it is validated: every check of the file
applies, and an error about a value an option put there names the option, not a line of the file."""

from __future__ import annotations

import textwrap

import pytest

from harness.config.evalfile import load_eval
from harness.config.overrides import Overrides, overridden, parse_sets
from harness.errors import ConfigError, OverrideError, SeveralErrors

EVAL = """\
name: ov
dataset: cases.jsonl
candidates:
  - name: bot
    model: openai/gpt-4o-mini
    api_base: http://localhost:9/v1
    prompt: "You help."
    params: {temperature: 0.7}
  - name: shipped
    recorded: v1
judge:
  model: openai/gpt-4o-mini
  rubric:
    criteria:
      - id: kind
        question: Is it kind?
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "turns": [{"role": "customer", "content": "late!"}], '
                                          '"recorded_replies": {"v1": "Sorry."}}\n')
    (tmp_path / "eval.yaml").write_text(EVAL)
    return tmp_path


def load(path="eval.yaml", **options):
    sets = tuple(options.pop("sets", ()))
    with overridden(Overrides(sets=parse_sets(list(sets)), **options)):
        return load_eval(path)


def test_model_changes_every_model_candidate_and_leaves_recorded_ones(project):
    loaded = load(model="anthropic/claude-3-5-haiku-latest")
    bot, shipped = loaded.spec.candidates
    assert bot.model == "anthropic/claude-3-5-haiku-latest" and bot.params.temperature == 0.7
    assert shipped.kind == "recorded" and shipped.model is None
    assert loaded.spec.overrides == ["--model anthropic/claude-3-5-haiku-latest"]
    # The manifest's eval_spec is this dump: it records the options, and what they set.
    dumped = loaded.spec.model_dump(mode="json")
    assert dumped["overrides"] == ["--model anthropic/claude-3-5-haiku-latest"]
    assert dumped["candidates"][0]["model"] == "anthropic/claude-3-5-haiku-latest"
    assert any("keeps the eval file's api_base http://localhost:9/v1" in n for n in loaded.applied.notes)


def test_without_options_nothing_changes_and_nothing_is_recorded(project):
    loaded = load_eval("eval.yaml")
    assert loaded.applied is None and "overrides" not in loaded.spec.model_dump(mode="json")
    with overridden(Overrides()):
        assert "overrides" not in load_eval("eval.yaml").spec.model_dump(mode="json")


def test_an_eval_file_cannot_write_overrides_itself(project):
    (project / "eval.yaml").write_text(EVAL + "overrides: [--model x]\n")
    with pytest.raises(ConfigError, match=r"eval.yaml:\d+: overrides: unknown field"):
        load_eval("eval.yaml")


def test_model_without_a_model_candidate_is_refused(project):
    (project / "eval.yaml").write_text(EVAL.replace("""  - name: bot
    model: openai/gpt-4o-mini
    api_base: http://localhost:9/v1
    prompt: "You help."
    params: {temperature: 0.7}
""", ""))
    with pytest.raises(OverrideError) as caught:
        load(model="openai/gpt-4o")
    assert caught.value.one_line().startswith("--model: the eval file has no model candidate")


def test_a_matrix_collapses_to_the_model_and_its_names_follow(project):
    (project / "eval.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates:
          - matrix:
              prompt: ["You help.", "You are brief."]
              model: [openai/gpt-4o-mini, anthropic/claude-3-5-haiku-latest]
        """))
    loaded = load(model="openai/gpt-4o")
    assert [(c.name, c.model) for c in loaded.spec.candidates] == [
        ("prompt1@openai:gpt-4o", "openai/gpt-4o"), ("prompt2@openai:gpt-4o", "openai/gpt-4o")]


def test_two_candidates_made_the_same_are_refused_unless_one_is_chosen(project):
    (project / "eval.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates:
          - {name: mini, model: openai/gpt-4o-mini, prompt: "You help."}
          - {name: haiku, model: anthropic/claude-3-5-haiku-latest, prompt: "You help."}
        """))
    with pytest.raises(OverrideError) as caught:
        load(model="openai/gpt-4o")
    assert caught.value.one_line() == ("--model: openai/gpt-4o makes candidates mini and haiku the same (they "
                                       "differed only in model): run one of them, with --candidates mini")
    assert [c.model for c in load(model="openai/gpt-4o", only=("haiku",)).spec.candidates] == ["openai/gpt-4o"] * 2


def test_judge_model_and_its_endpoint(project):
    loaded = load(judge_model="ollama_chat/llama3.1", judge_api_base="http://localhost:11434",
                  judge_api_key_env="JUDGE_KEY")
    judge = loaded.spec.judge
    assert (judge.model, judge.api_base, judge.api_key_env) == ("ollama_chat/llama3.1", "http://localhost:11434",
                                                                "JUDGE_KEY")
    assert loaded.spec.overrides == ["--judge-model ollama_chat/llama3.1", "--judge-api-base http://localhost:11434",
                                     "--judge-api-key-env JUDGE_KEY"]


def test_judge_model_replaces_a_panel(project):
    (project / "eval.yaml").write_text(EVAL.replace("  model: openai/gpt-4o-mini\n  rubric:",
                                                    "  panel: [{model: openai/a}, {model: openai/b}]\n  rubric:"))
    loaded = load(judge_model="openai/gpt-4o")
    assert loaded.spec.judge.panel is None and loaded.spec.judge.model == "openai/gpt-4o"
    assert "--judge-model openai/gpt-4o: the judge (the eval file: a panel of 2)" in loaded.applied.notes


def test_judge_options_without_a_judge_are_refused(project):
    (project / "eval.yaml").write_text(EVAL.split("judge:")[0])
    with pytest.raises(OverrideError, match=r"^--judge-api-base: the eval file has no judge"):
        load(judge_api_base="http://x")


@pytest.mark.parametrize("given, expected", [
    ("concurrency=4", ("concurrency", 4)),
    ("judge.epochs=3", ("judge.epochs", 3)),
    ("candidates.0.params.temperature=0.2", ("temperature", 0.2)),
    ("candidates[0].params.max_tokens=64", ("max_tokens", 64)),
    ("judge.criteria=[kind]", ("criteria", ["kind"])),
    ("max_error_rate=0.1", ("max_error_rate", 0.1)),
    ("gates.criteria.kind.min=0.5", ("gates", 0.5)),
])
def test_set_any_key_by_its_path_the_value_read_as_yaml(project, given, expected):
    spec = load(sets=[given]).spec
    found = {"concurrency": lambda: spec.concurrency, "judge.epochs": lambda: spec.judge.epochs,
             "temperature": lambda: spec.candidates[0].params.temperature,
             "max_tokens": lambda: spec.candidates[0].params.max_tokens,
             "criteria": lambda: spec.judge.criteria, "max_error_rate": lambda: spec.max_error_rate,
             "gates": lambda: spec.gates.criteria["kind"].min}[expected[0]]()
    assert found == expected[1]
    assert spec.overrides == [f"--set {given}"]


def test_a_set_wins_over_model_whatever_the_order(project):
    spec = load(model="openai/gpt-4o", sets=["candidates.0.model=openai/o3-mini"]).spec
    assert spec.candidates[0].model == "openai/o3-mini"


def test_a_set_inside_an_alias_changes_that_place_only(project):
    (project / "eval.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates:
          - {name: a, model: openai/gpt-4o-mini, prompt: "You help.", params: &p {temperature: 0.7}}
          - {name: b, model: openai/gpt-4o, prompt: "You help.", params: *p}
        """))
    a, b = load(sets=["candidates.0.params.temperature=0"]).spec.candidates
    assert (a.params.temperature, b.params.temperature) == (0, 0.7)


@pytest.mark.parametrize("given, line", [
    ("judge.modle=x", "--set judge.modle: no such key in the eval file; did you mean judge.model?"),
    ("concurency=4", "--set concurency: no such key in the eval file; did you mean concurrency?"),
    ("concurrency=0", "--set concurrency: Input should be greater than or equal to 1"),
    ("candidates.0.params.temperature=hot",
     "--set candidates.0.params.temperature: Input should be a valid number, unable to parse string as a number"),
    ("candidates.5.model=x", "--set candidates.5.model: candidates has 2 entries: give an index from 0 to 1"),
    ("candidates.bot.model=x", "--set candidates.bot.model: candidates is a list: give an index (0 to 1), not 'bot'"),
    ("name.x=1", "--set name.x: name is text, not a mapping: it has no 'x'"),
    ("judge.rubric=missing.yaml", "--set judge.rubric: rubric file not found: missing.yaml"),
    ("judge.model=[a", "--set judge.model: the value is not valid YAML"),
])
def test_a_bad_set_is_named_by_the_option(project, given, line):
    (project / "eval.yaml").write_text("name: ov\n" + EVAL.split("\n", 1)[1])
    with pytest.raises(ConfigError) as caught:
        load(sets=[given])
    assert caught.value.one_line().startswith(line), caught.value.one_line()
    assert "eval.yaml:" not in caught.value.one_line()


def test_set_without_a_value_is_refused_before_loading():
    with pytest.raises(OverrideError, match=r"^--set: 'judge\.model': give KEY=VALUE"):
        parse_sets(["judge.model"])


def test_an_option_error_among_the_files_own_keeps_both(project):
    (project / "eval.yaml").write_text(EVAL.replace("concurrency", "x") + "concurency: 3\n")
    with pytest.raises(SeveralErrors) as caught:
        load(sets=["judge.epochs=0"])
    lines = [e.one_line() for e in caught.value.errors]
    assert lines[0] == "--set judge.epochs: Input should be greater than or equal to 1"
    assert lines[1].startswith("eval.yaml:17: concurency: unknown field")
    assert caught.value.file == "eval.yaml"


def test_an_error_found_after_loading_names_the_option(project):
    loaded = load(model="openai/gpt-4o")
    assert loaded.error("no key", "candidates", 0, "model").one_line() == "--model: no key"
    assert loaded.error("bad", "candidates", 0, "prompt").one_line().startswith("eval.yaml:7: candidates[0].prompt")
