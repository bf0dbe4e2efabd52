"""${NAME} and ${NAME:-default} in an eval file's values: resolved from the environment, errors at the line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.config.evalfile import load_eval
from harness.config.interpolate import interpolate
from harness.config.yamlfile import load_yaml
from harness.errors import ConfigError
from tests.cli.conftest import harness_cmd

REPO = Path(__file__).resolve().parents[2]


def _resolve(tmp_path, text: str, env: dict[str, str]):
    path = tmp_path / "e.yaml"
    path.write_text(textwrap.dedent(text))
    data, node = load_yaml(path, ConfigError)
    return interpolate(data, node, path, env)


def test_values_take_the_variable_or_its_default_and_keys_are_left_alone(tmp_path):
    data = _resolve(tmp_path, """\
        a: ${A}
        b: "x-${B:-dflt}-y ${A}"
        c: ${EMPTY:-used when empty}
        d: [1, "${A}", {e: "$${A} is literal"}]
        ${A}: key stays
        n: ${N:-8}
        f: ${F:-0.5}
        t: ${T:-true}
        q: "${N:-8}"
        m: ${MAX_TOKENS:-300}
        """, {"A": "alpha", "EMPTY": "", "N": "12"})
    # An unquoted whole reference reads as the value written there would (params.extra is sent as is);
    # quoted, or inside text, it is text.
    assert data == {"a": "alpha", "b": "x-dflt-y alpha", "c": "used when empty",
                    "d": [1, "alpha", {"e": "${A} is literal"}], "${A}": "key stays", "n": 12, "f": 0.5,
                    "t": True, "q": "12", "m": 300}


@pytest.mark.parametrize("text, problem", [
    ("a: 1\nb:\n  c: ${MISSING}\n", "e.yaml:3: b.c: environment variable MISSING is not set (set it, or write "
                                    "MISSING=value in a .env file beside the eval file or in the working "
                                    "directory, or give a default: ${MISSING:-value})"),
    ("a: ${A\n", "e.yaml:1: a: '${' without its closing '}'"),
    ("a: ${1BAD}\n", "e.yaml:1: a: ${1BAD}: not a variable name"),
    ("a: [x, \"${OPENAI_API_KEY}\"]\n", "e.yaml:1: a[1]: ${OPENAI_API_KEY} looks like a secret"),
    ("a: ${hf_token:-x}\n", "e.yaml:1: a: ${hf_token} looks like a secret"),
    ("a: ${DB_PASSWORD}\n", "e.yaml:1: a: ${DB_PASSWORD} looks like a secret"),
    ("a: ${A:-${B:-y}}\n", "e.yaml:1: a: the default of ${A} holds '${', which a default cannot"),
    ("a: ${A:-x$${B}}\n", "e.yaml:1: a: the default of ${A} holds '${', which a default cannot: neither another "
                          "reference nor a literal $${"),
])
def test_what_cannot_be_resolved_is_a_one_line_error_at_its_line(tmp_path, text, problem):
    with pytest.raises(ConfigError) as raised:
        _resolve(tmp_path, text, {"A": "x"})
    assert raised.value.one_line().startswith(str(tmp_path / problem.split(":")[0]) + ":" +
                                              problem.split(":", 1)[1])


def test_an_eval_file_switches_its_judge_and_numbers_by_environment(tmp_path, monkeypatch):
    path = tmp_path / "eval.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: nightly-${{TRACK:-main}}
        dataset: {REPO / 'datasets' / 'complaints.jsonl'}
        candidates:
          - name: bot
            recorded: ${{VERSION:-bot-v1}}
        checks: [apology_wording]
        judge:
          model: ${{JUDGE_MODEL:-embedded/gemma-3-270m}}
          rubric: {REPO / 'rubrics' / 'support-reply.yaml'}
          criteria: [no_contradiction]
          concurrency: ${{JUDGE_CONCURRENCY:-8}}
        """))
    default = load_eval(path)
    assert (default.name, default.spec.judge.model, default.spec.judge.concurrency) == \
        ("nightly-main", "embedded/gemma-3-270m", 8)
    monkeypatch.setenv("JUDGE_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("JUDGE_CONCURRENCY", "32")
    monkeypatch.setenv("VERSION", "bot-v2")
    switched = load_eval(path)
    assert switched.spec.judge.model == "openai/gpt-4o-mini" and switched.spec.judge.concurrency == 32
    assert switched.spec.candidates[0].recorded == "bot-v2"
    # Values the eval file takes as they are (params.extra, sent to the provider) keep their YAML type.
    extra = tmp_path / "extra.yaml"
    extra.write_text(path.read_text().replace("candidates:\n  - name: bot\n    recorded: ${VERSION:-bot-v1}",
                                              "candidates:\n  - name: bot\n    model: openai/x\n    prompt: hi\n"
                                              "    params: {extra: {frequency_penalty: '${FP:-0.5}', n: 2}}\n"
                                              "  - name: bot2\n    model: openai/x\n    prompt: hi\n"
                                              "    params:\n      extra:\n        frequency_penalty: ${FP:-0.5}\n"
                                              "        logit_bias_on: ${ON:-true}"))
    loaded = load_eval(extra)
    assert loaded.spec.candidates[0].params.extra == {"frequency_penalty": "0.5", "n": 2}  # quoted: text
    assert loaded.spec.candidates[1].params.extra == {"frequency_penalty": 0.5, "logit_bias_on": True}
    monkeypatch.setenv("JUDGE_CONCURRENCY", "lots")
    with pytest.raises(ConfigError) as raised:
        load_eval(path)
    assert raised.value.one_line().startswith(f"{path}:11: judge.concurrency: ")


def test_an_eval_resolved_from_other_environment_variables_is_not_resumed(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "x", "turns": [{"role": "customer", "content": "late!"}],
                                                  "recorded_replies": {"v1": "Sorry.", "v2": "We apologize."}}) + "\n")
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: bot, recorded: '${VERSION:-v1}'}]\n"
                                     "checks: [apology_wording]\n")
    first = harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["eval_spec"]["candidates"][0]["recorded"] == "v1"
    other = harness_cmd("run", "e.yaml", "--out", "r", "--resume", "--quiet", cwd=tmp_path, env={"VERSION": "v2"})
    assert other.returncode == 2 and "the eval file or dataset changed since this run started" in other.stderr
    same = harness_cmd("run", "e.yaml", "--out", "r", "--resume", "--quiet", cwd=tmp_path, env={"VERSION": "v1"})
    assert same.returncode == 0, same.stderr


def test_a_value_brought_in_by_a_merge_key_reads_as_the_original_does(tmp_path):
    # Through `<<: *anchor` the reference was taken for quoted text: "8" where the original gave 8.
    data = _resolve(tmp_path, """\
        a:
          params: &p
            temperature: ${T:-0}
            flag: ${F:-true}
            quoted: '${N:-8}'
        b:
          params:
            <<: *p
            top_p: 1
        """, {})
    assert data["b"]["params"] == {"temperature": 0, "flag": True, "quoted": "8", "top_p": 1}
    assert data["a"]["params"] == {"temperature": 0, "flag": True, "quoted": "8"}
