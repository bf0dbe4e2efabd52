"""Eval files: the documented shape loads; every mistake is one line naming file, line and field."""

import textwrap

import pytest

from harness.config.evalfile import load_eval
from harness.errors import ConfigError

DATASET = '{"id": "a", "turns": [{"role": "customer", "content": "hi"}]}\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.jsonl").write_text(DATASET)
    (tmp_path / "rubric.yaml").write_text(textwrap.dedent("""\
        id: r
        version: "1"
        criteria:
          - id: tone
            question: Is it polite?
            scale: pass_fail
            levels: {pass: yes, fail: no}
        """))
    return tmp_path


def write(project, text):
    path = project / "eval.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(path):
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    return str(info.value)


def test_documented_shape_loads(project):
    path = write(project, """\
        dataset: data.jsonl
        candidates:
          - name: bot-v2
            recorded: bot-v2
          - name: gemma-polite
            model: embedded/gemma-3-270m
            prompt: "You are polite. Category: {{ category }}"
        checks: all
        judge:
          model: embedded/gemma-3-270m
          rubric: rubric.yaml
        """)
    loaded = load_eval(path)
    assert loaded.name == "eval" and [c.kind for c in loaded.spec.candidates] == ["recorded", "model"]
    assert loaded.prompts["gemma-polite"].startswith("You are polite")
    assert loaded.rubric_path.name == "rubric.yaml"


@pytest.mark.parametrize("text, expected", [
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n    modle: x\n",
     "eval.yaml:5: candidates[0].modle: unknown field"),
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\nchecks: [apology_wording, no_such_check]\n",
     "eval.yaml:5: checks[1]: unknown check 'no_such_check'"),
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\njudge:\n  model: fake/x\n  rubric: nope.yaml\n",
     "eval.yaml:7: judge.rubric: rubric file not found"),
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    model: fake/x\n",
     "eval.yaml:3: candidates[0]: a model candidate needs a `prompt`"),
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    model: fake/x\n    prompt: missing.jinja\n",
     "eval.yaml:5: candidates[0].prompt: prompt template file not found"),
    ("dataset: data.jsonl\ncandidates: []\n", "eval.yaml:2: candidates:"),
    ("dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n  - name: a\n    recorded: v2\n",
     "eval.yaml:5: candidates[1].name: duplicate candidate name: a"),  # the second entry (it said line 3)
    ("candidates:\n  - name: a\n    recorded: v1\n", "eval.yaml:1: dataset: required field is missing"),
    ("dataset: [unclosed\n", "eval.yaml:2: invalid YAML"),
    ("", "eval.yaml:1: file is empty"),
    ("- just\n- a list\n", "eval.yaml:1: expected a mapping"),
    ("dataset: data.jsonl\nlimit: -3\ncandidates:\n  - name: a\n    recorded: v1\n", "eval.yaml:2: limit:"),
])
def test_mistakes_are_one_line(project, text, expected):
    message = error_of(write(project, text))
    assert expected in message and "\n" not in message


def test_binary_and_missing_files(project):
    binary = project / "bin.yaml"
    binary.write_bytes(b"\x00\x01\x02garbage")
    assert "bin.yaml: binary file" in error_of(binary)
    assert "nope.yaml: file not found" in error_of(project / "nope.yaml")


@pytest.mark.parametrize("checks, expected", [
    ("{a: 1}", "eval.yaml:5: checks: Input should be 'all' or 'none', or a valid list"),
    ("5", "eval.yaml:5: checks: Input should be 'all' or 'none', or a valid list"),
    ("", "eval.yaml:5: checks: Input should be 'all' or 'none', or a valid list"),
    ("[apology_wording, 3]", "eval.yaml:5: checks[1]: Input should be a valid string, or a mapping of fields"),
])
def test_a_checks_value_of_neither_shape_is_named_by_its_field(project, checks, expected):
    # It read "checks.literal['all','none']: Input should be 'all' or 'none'": pydantic's union member tag.
    message = error_of(write(project, f"dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n"
                                      f"checks: {checks}\n"))
    assert message.endswith("/" + expected), message


def test_a_validator_message_has_no_value_error_prefix(project):
    message = error_of(write(project, "name: a/b\ndataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n"))
    assert "/eval.yaml:1: name: must be usable as a file name" in message, message


def test_checks_written_in_the_eval_file_load_beside_built_in_names(project):
    (project / "house.py").write_text("def signed(ctx):\n    return ctx.reply.endswith('^JD')\n")
    path = write(project, """\
        dataset: data.jsonl
        candidates: [{name: bot, recorded: bot}]
        checks:
          - all
          - name: no_competitors
            type: not_contains
            value: [Globex, Initech]
          - {name: short, type: max_length, value: 600}
          - {name: signed, type: python, value: house.py:signed}
        """)
    loaded = load_eval(path)
    assert [c.name for c in loaded.custom_checks] == ["no_competitors", "short", "signed"]
    from harness.config.evalfile import check_names
    from harness.checks.base import registry
    assert check_names(loaded.spec) == sorted(registry())


@pytest.mark.parametrize("checks, message", [
    ("[apology_wording, apology_wording]", "eval.yaml:4: checks[1]: check 'apology_wording' is listed twice"),
    ("[all, none]", "eval.yaml:4: checks[1]: `none` stands alone"),
    ("[nope]", "eval.yaml:4: checks[0]: unknown check 'nope'"),
    ("[{name: apology_wording, type: contains, value: x}]",
     "eval.yaml:4: checks[0].name: 'apology_wording' is a built-in check's name"),
    ("[{name: a, type: contains, value: x}, {name: a, type: regex, value: y}]",
     "eval.yaml:4: checks[1].name: check 'a' is listed twice"),
    ("[{name: a, type: regex, value: '(x'}]", "eval.yaml:4: checks[0].value: `value` is not a valid regular expression"),
    ("[{name: a, type: contans, value: x}]", "eval.yaml:4: checks[0].type"),
    ("[{name: a, type: python, value: missing.py:f}]", "eval.yaml:4: checks[0].value: python file not found: missing.py"),
    ("[{name: a, type: contains, value: x, colour: red}]", "eval.yaml:4: checks[0].colour: unknown field"),
    ("[1]", "eval.yaml:4: checks[0]: Input should be a valid string, or a mapping of fields"),
])
def test_bad_checks_are_one_line_naming_the_item(project, checks, message):
    path = write(project, f"""\
        dataset: data.jsonl
        candidates: [{{name: bot, recorded: bot}}]
        # the checks are on line 4
        checks: {checks}
        """)
    error = error_of(path)
    assert error.startswith(str(path.parent)) and message in error, error


def test_every_shipped_eval_file_loads(monkeypatch):
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    for path in sorted((root / "evals").glob("*.yaml")):
        load_eval(path.relative_to(root))  # raises ConfigError naming the line on any mistake


def test_the_nightly_eval_shows_house_rules_written_in_the_file(monkeypatch):
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    from harness.checks.base import CheckContext
    from harness.datasets.schema import Case

    checks = {c.name: c for c in load_eval("evals/nightly.yaml").custom_checks}
    case = Case(id="x", turns=[{"role": "customer", "content": "hi"}])
    placeholders = checks["no_template_placeholders"]
    for bad in ("Hi {{ name }}, sorry!", "Dear [customer name], we apologise.", "Your [order_number] ships."):
        assert placeholders.run(CheckContext(case=case, reply=bad)).passed is False, bad
    assert placeholders.run(CheckContext(case=case, reply="Your order [#123] ships [today].")).passed is True
    assert checks["reply_length"].run(CheckContext(case=case, reply="x" * 1201)).passed is False


def test_a_matrix_stands_for_one_candidate_per_prompt_and_model(project):
    (project / "polite.jinja").write_text("Be polite about {{ category }}.")
    (project / "firm.j2").write_text("Be firm.")
    path = write(project, """\
        dataset: data.jsonl
        candidates:
          - {name: bot, recorded: bot}
          - matrix:
              prompt: [polite.jinja, firm.j2, "Inline prompt."]
              model: [openai/gpt-4o-mini, embedded/gemma-3-270m]
            params: {temperature: 0.3}
            epochs: 2
        """)
    loaded = load_eval(path)
    names = [c.name for c in loaded.spec.candidates]
    assert names == ["bot", "polite@openai:gpt-4o-mini", "polite@embedded:gemma-3-270m", "firm@openai:gpt-4o-mini",
                     "firm@embedded:gemma-3-270m", "prompt3@openai:gpt-4o-mini", "prompt3@embedded:gemma-3-270m"]
    made = loaded.spec.candidates[1:]
    assert all(c.params.temperature == 0.3 and c.epochs == 2 and c.kind == "model" for c in made)
    assert loaded.prompts["firm@embedded:gemma-3-270m"] == "Be firm."
    assert loaded.prompts["prompt3@openai:gpt-4o-mini"] == "Inline prompt."
    assert loaded.candidate_loc("bot") == ("candidates", 0)
    assert loaded.candidate_loc("firm@openai:gpt-4o-mini") == ("candidates", 1)
    # a generated candidate's model and prompt are written in the matrix, its other settings beside it
    assert loaded.error("x", "candidates", 1, "model").field == "candidates[1].matrix.model"
    assert loaded.error("x", "candidates", 1, "api_key_env").field == "candidates[1].api_key_env"
    assert loaded.error("x", "candidates", 0, "model").field == "candidates[0].model"
    # The manifest keeps the expanded candidates: each one's settings as it ran.
    assert [c["name"] for c in loaded.spec.model_dump(mode="json")["candidates"]] == names


@pytest.mark.parametrize("entry, message", [
    ("{matrix: {prompt: [a.jinja], model: []}}", "eval.yaml:4: candidates[1].matrix.model: List should have at least 1 item"),
    ("{matrix: {prompt: [a.jinja, a.jinja], model: [m/x]}}", "eval.yaml:4: candidates[1].matrix.prompt: an entry is listed twice"),
    ("{matrix: {prompt: [a.jinja], model: [m/x]}, colour: red}", "eval.yaml:4: candidates[1].colour: unknown field"),
    ("{matrix: {prompt: [a.jinja], model: [m/x]}, epochs: 0}", "eval.yaml:4: candidates[1].epochs: Input should be greater than"),
    ("{matrix: {prompt: [missing.jinja], model: [m/x]}}", "eval.yaml:4: candidates[1].matrix.prompt: prompt template file not found: missing.jinja"),
    ("{matrix: {prompt: [a.jinja], model: [bot]}}", None),  # a@bot is a fine name beside `bot`
    ("{matrix: {prompt: [a.jinja], model: [m/x]}}\n  - {name: \"a@m:x\", recorded: v}",
     "eval.yaml:5: candidates[2].name: duplicate candidate name: a@m:x"),  # it said eval.yaml:3: candidates
    ("{name: \"a@m:x\", recorded: v}\n  - {matrix: {prompt: [a.jinja], model: [m/x]}}",
     "eval.yaml:5: candidates[2].matrix: duplicate candidate name: a@m:x"),  # the name the matrix makes
    ("{name: c, modle: x}", "eval.yaml:4: candidates[1].modle: unknown field"),
])
def test_matrix_mistakes_name_their_line_and_field(project, entry, message):
    (project / "a.jinja").write_text("Hi.")
    # line 1 dataset, 2 candidates:, 3 the recorded candidate, 4 the entry under test
    path = write(project, f"dataset: data.jsonl\ncandidates:\n  - {{name: bot, recorded: bot}}\n  - {entry}\n")
    if message is None:
        load_eval(path)
        return
    error = error_of(path)
    assert message in error, error


def test_a_custom_checks_value_error_names_the_value_line(project):
    path = write(project, """\
        dataset: data.jsonl
        candidates: [{name: bot, recorded: bot}]
        checks:
          - name: x
            type: max_length
            description: too long replies
            value: "600"
        """)
    assert error_of(path).endswith("eval.yaml:7: checks[0].value: type max_length needs a whole number, and `value` "
                                   "is the text \"600\": write value: 600 (without quotes)")



@pytest.mark.parametrize("fields, named", [
    ("recorded: v1, params: {temperature: 0}", "params: `params`"),
    ("recorded: v1, api_base: 'http://x/v1', max_retries: 2", "api_base: `api_base`, `max_retries`"),
    ("replies_from: runs/x, concurrency: 4", "concurrency: `concurrency`"),
])
def test_model_settings_on_a_candidate_that_calls_no_model_are_refused(project, fields, named):
    # Named by the first such field (it said `candidates[0]`, the whole entry).
    path = write(project, f"dataset: data.jsonl\ncandidates:\n  - {{name: a, {fields}}}\n")
    assert error_of(path).endswith(f"eval.yaml:3: candidates[0].{named} applies to model candidates only")


@pytest.mark.parametrize("fields, expected", [
    ("    params: {temperature: 0}\n", "eval.yaml:6: candidates[1].params: `params` applies to model candidates only"),
    ("    prompt: Be kind.\n", "eval.yaml:6: candidates[1].prompt: `prompt` applies to model candidates only"),
    ("    from_candidate: v2\n", "eval.yaml:6: candidates[1].from_candidate: `from_candidate` goes with "
                                "`replies_from`"),
])
def test_a_field_a_recorded_candidate_cannot_have_is_named_at_its_own_line(project, fields, expected):
    # It was `eval.yaml:4: candidates[1]: ...`, the line the entry starts on.
    path = write(project, "dataset: data.jsonl\ncandidates:\n  - {name: bot, recorded: bot}\n  - name: a\n"
                          "    recorded: v1\n" + fields)
    assert error_of(path).endswith(expected)


def test_epochs_on_a_recorded_candidate_are_refused_at_their_line(project):
    # They replayed the one recorded reply N times: N identical records and a consistency of 100%.
    path = write(project, "dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n    epochs: 3\n")
    assert error_of(path).endswith("eval.yaml:5: candidates[0].epochs: `epochs` samples a model several times; a "
                                   "recorded candidate has one reply per case (to ask the judge several times, use "
                                   "`epochs` under `judge:`)")
    path = write(project, "dataset: data.jsonl\ncandidates:\n  - name: a\n    recorded: v1\n    reducer: median\n")
    assert error_of(path).endswith("eval.yaml:5: candidates[0].reducer: `reducer` folds a model's samples "
                                   "(`epochs`); a recorded candidate has one reply per case")
    write(project, "dataset: data.jsonl\ncandidates:\n  - {name: a, recorded: v1, epochs: 1}\n")
    assert load_eval(project / "eval.yaml").spec.candidates[0].epochs == 1  # harmless: one sample, as recorded


def test_the_readme_matrix_example_loads(tmp_path, monkeypatch):
    """The YAML block under "Several prompts × several models" in the README, as a user would paste it."""
    from tests.support.readme import REPO, yaml_block_after

    block = yaml_block_after("**Several prompts × several models.**")
    monkeypatch.chdir(REPO)
    (tmp_path / "e.yaml").write_text("dataset: datasets/complaints.jsonl\n" + block)
    names = [c.name for c in load_eval(tmp_path / "e.yaml").spec.candidates]
    assert names == ["bot-v2", "polite-agent@openai:gpt-4o-mini", "polite-agent@anthropic:claude-haiku-4-5",
                     "firm-agent@openai:gpt-4o-mini", "firm-agent@anthropic:claude-haiku-4-5"]


def test_a_dataset_directory_is_refused_at_its_line_as_the_run_refuses_it(project):
    # A Hugging Face save_to_disk folder: validate took it for a hub id and said ok, the run refused it
    # naming neither the eval file nor its line.
    (project / "hfdir").mkdir()
    (project / "hfdir" / "state.json").write_text("{}")
    message = error_of(write(project, """\
        dataset: hfdir
        candidates:
          - {name: a, recorded: a}
        """))
    assert "eval.yaml:1: dataset: hfdir is a directory; name a .jsonl, .csv or .parquet file" in message
