"""Shorter candidate names: a matrix's ``name:`` pattern, and a unique start of a name (or its part before ``@``)
standing for it in every option that takes candidate names; an ambiguous one is refused with what it could mean."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.config.candidates import resolve_candidate
from harness.config.evalfile import load_eval
from harness.errors import ConfigError
from tests.cli.conftest import harness_cmd

NAMES = ["prompt_a@openai:mock-model", "prompt_ab@openai:mock-model", "v1"]


def test_the_part_before_at_stands_for_the_one_candidate_it_begins():
    assert resolve_candidate("prompt_a", NAMES, "--candidates") == "prompt_a@openai:mock-model"  # not prompt_ab's
    assert resolve_candidate("prompt_ab", NAMES, "--candidates") == "prompt_ab@openai:mock-model"
    assert resolve_candidate("v1", NAMES, "--candidates") == "v1"


def test_a_unique_start_of_a_name_stands_for_it_and_is_said(capsys):
    assert resolve_candidate("prompt_ab@o", NAMES, "--pair") == "prompt_ab@openai:mock-model"
    assert "--pair prompt_ab@o: candidate prompt_ab@openai:mock-model" in capsys.readouterr().err
    assert resolve_candidate("prompt_a", NAMES, "--pair") and capsys.readouterr().err == ""  # obvious: not said


def test_an_ambiguous_name_is_refused_with_the_candidates_it_could_mean():
    with pytest.raises(ConfigError) as info:
        resolve_candidate("prompt", NAMES, "--candidates")
    assert info.value.one_line() == ("--candidates: 'prompt' could mean prompt_a@openai:mock-model, "
                                     "prompt_ab@openai:mock-model: give more of the name")
    with pytest.raises(ConfigError, match="could mean a@m1, a@m2"):
        resolve_candidate("a", ["a@m1", "a@m2"], "--candidates")  # one prompt, two models


def test_an_unknown_name_is_left_to_the_callers_no_candidate_error():
    assert resolve_candidate("zzz", NAMES, "--candidates") == "zzz"


def _eval(tmp_path, matrix: str) -> str:
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "x"}]}) + "\n")
    (tmp_path / "polite.j2").write_text("Be polite.")
    (tmp_path / "brief.j2").write_text("Be brief.")
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n" + textwrap.indent(textwrap.dedent(matrix), "  "))
    return str(tmp_path / "e.yaml")


def test_a_matrix_name_pattern_names_its_candidates(tmp_path):
    loaded = load_eval(_eval(tmp_path, """\
        - matrix: {prompt: [polite.j2, brief.j2], model: [openai/gpt-4o-mini]}
          name: "{prompt}"
        - matrix: {prompt: [polite.j2], model: [openai/gpt-4o-mini, anthropic/claude-haiku-4-5]}
          name: "{model}-{prompt}"
        """))
    assert [c.name for c in loaded.spec.candidates] == [
        "polite", "brief", "openai:gpt-4o-mini-polite", "anthropic:claude-haiku-4-5-polite"]


def test_without_a_name_pattern_matrix_names_are_unchanged(tmp_path):
    loaded = load_eval(_eval(tmp_path, """\
        - matrix: {prompt: [polite.j2], model: [openai/gpt-4o-mini]}
        """))
    assert [c.name for c in loaded.spec.candidates] == ["polite@openai:gpt-4o-mini"]


@pytest.mark.parametrize("matrix, line, problem", [
    ("""\
     - matrix: {prompt: [polite.j2, brief.j2], model: [openai/a, openai/b]}
       name: "{prompt}"
     """, 4, "candidates[0].name: names 'polite' more than one candidate of the matrix: put {model} in it"),
    ("""\
     - {name: polite, recorded: v1}
     - matrix: {prompt: [polite.j2], model: [openai/a]}
       name: "{prompt}"
     """, 5, "candidates[1].name: duplicate candidate name: polite"),
    ("""\
     - matrix: {prompt: [polite.j2], model: [openai/a]}
       name: "{prompts}"
     """, 4, "candidates[0].name: {prompts} is not a placeholder here: use {prompt} and {model}"),
    ("""\
     - matrix: {prompt: [polite.j2], model: [openai/a]}
       name: "{prompt} v2"
     """, 4, "candidates[0].name: a candidate name holds letters, digits and _ . : @ + - only"),
])
def test_a_name_pattern_that_does_not_name_each_candidate_apart_is_refused_at_its_line(tmp_path, matrix, line,
                                                                                        problem):
    with pytest.raises(ConfigError) as info:
        load_eval(_eval(tmp_path, matrix))
    assert f"e.yaml:{line}: {problem}" in info.value.one_line()


CASES = [{"id": f"c{i}", "turns": [{"role": "customer", "content": "order late"}],
          "recorded_replies": {"a": "Sorry, it ships today.", "b": "Sorry.", "c": "It ships."}} for i in range(4)]
RECORDED = """\
dataset: d.jsonl
candidates:
  - {name: "prompt_a@openai:mock-model", recorded: a}
  - {name: "prompt_ab@openai:mock-model", recorded: b}
  - {name: v1, recorded: c}
checks: [apology_wording]
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    (root / "d.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    (root / "e.yaml").write_text(RECORDED)
    done = harness_cmd("run", "e.yaml", "--out", "r", "--quiet", "--candidates", "prompt_a,prompt_ab,v", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "--candidates v: candidate v1" in done.stderr
    return root


def test_run_took_the_short_names(run_dir):
    records = [json.loads(line) for line in (run_dir / "r" / "records.jsonl").read_text().splitlines()]
    assert {r["candidate"] for r in records} == set(NAMES)


def test_show_diff_and_a_failing_rerun_take_short_names(run_dir):
    done = harness_cmd("show", "r", "--candidates", "prompt_ab", cwd=run_dir)
    assert done.returncode == 0 and "prompt_ab@openai:mock-model" in done.stdout
    assert "prompt_a@openai:mock-model " not in done.stdout
    done = harness_cmd("diff", "r", "--pair", "prompt_a=prompt_ab", cwd=run_dir)
    assert done.returncode == 0, done.stderr
    assert "## prompt_a@\u200bopenai:mock-model (A) → prompt_ab@\u200bopenai:mock-model (B)" in done.stdout
    done = harness_cmd("diff", "r", "--baseline-candidate", "v", cwd=run_dir)
    assert done.returncode == 0 and "--baseline-candidate v: candidate v1" in done.stderr
    done = harness_cmd("run", "e.yaml", "--out", "r2", "--quiet", "--failing", "r", "--candidates", "v", cwd=run_dir)
    assert done.returncode in (0, 1), done.stderr


def test_an_ambiguous_name_is_refused_by_each_command(run_dir):
    for command in (["show", "r", "--candidates", "prompt"], ["diff", "r", "--pair", "prompt=v1"],
                    ["run", "e.yaml", "--out", "r3", "--candidates", "prompt"],
                    ["estimate", "e.yaml", "--candidates", "prompt"]):
        done = harness_cmd(*command, cwd=run_dir)
        assert done.returncode == 2 and ("'prompt' could mean prompt_a@openai:mock-model, "
                                         "prompt_ab@openai:mock-model: give more of the name") in done.stderr, command


def test_label_and_pairwise_read_their_names_through_the_run(run_dir):
    from harness.cli.candidate_names import in_run, pair_in_runs

    assert in_run(run_dir / "r", ["prompt_ab", "v1"], "--candidates") == ("prompt_ab@openai:mock-model", "v1")
    assert pair_in_runs(("prompt_a", "v1"), run_dir / "r", None, "--pair") == ("prompt_a@openai:mock-model", "v1")
    done = harness_cmd("pairwise", "r", "--pair", "prompt=v1", cwd=run_dir)
    assert done.returncode == 2 and "'prompt' could mean" in done.stderr
