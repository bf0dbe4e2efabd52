"""A .env file beside the eval file or in the working directory fills in ${VAR} references and api_key_env keys."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from harness.config.evalfile import load_eval
from harness.config.interpolate import read_env_file
from harness.errors import ConfigError

NAMES = ("PFJ_BASE", "PFJ_MODEL", "PFJ_KEY_HERE", "PFJ_ONLY_CWD", "PFJ_SET")

EVAL = """\
dataset: cases.jsonl
candidates:
  - {name: bot, model: "${PFJ_MODEL}", api_base: "${PFJ_BASE}", api_key_env: PFJ_KEY_HERE, prompt: "Help."}
  - {name: other, model: "fake/x", api_base: "${PFJ_ONLY_CWD:-none}/${PFJ_SET}", prompt: "Help."}
checks: none
"""
CASES = '{"id": "c1", "turns": [{"role": "customer", "content": "Where is my order?"}]}\n'


@pytest.fixture
def clean_env(monkeypatch):
    """None of the test's variables set, and every one unset again afterwards (load_eval sets them)."""
    for name in NAMES:
        monkeypatch.setenv(name, "x")  # recorded as unset before: undone to unset
        monkeypatch.delenv(name)
    return monkeypatch


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cases.jsonl").write_text(CASES)
    (root / "e.yaml").write_text(EVAL)
    return root / "e.yaml"


def test_env_files_fill_in_what_is_not_set_and_never_override(tmp_path, clean_env):
    # The .env was not read: "environment variable PFJ_MODEL is not set".
    path = _project(tmp_path / "evals")
    (tmp_path / "evals/.env").write_text(textwrap.dedent("""\
        # the mock
        export PFJ_MODEL=fake/bot
        PFJ_BASE = "http://127.0.0.1:1/v1"  # a comment after a quoted value
        PFJ_KEY_HERE='dummy # not a comment'
        PFJ_SET=from-the-file
        """))
    (tmp_path / ".env").write_text("PFJ_MODEL=fake/from-cwd\nPFJ_ONLY_CWD=cwd value # comment\n")
    clean_env.setenv("PFJ_SET", "already set")
    clean_env.chdir(tmp_path)
    loaded = load_eval(path)
    bot, other = loaded.spec.candidates
    assert (bot.model, bot.api_base) == ("fake/bot", "http://127.0.0.1:1/v1")  # the eval's own .env first
    assert other.api_base == "cwd value/already set"  # the working directory's next; the environment wins
    assert os.environ["PFJ_KEY_HERE"] == "dummy # not a comment"  # a key api_key_env names is found at call time
    assert os.environ["PFJ_SET"] == "already set"


def test_the_unset_error_mentions_env(tmp_path, clean_env):
    clean_env.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_eval(_project(tmp_path / "evals"))
    assert "environment variable PFJ_MODEL is not set (set it, or write PFJ_MODEL=value in a .env file" in \
        str(info.value)


@pytest.mark.parametrize("line, said", [
    ("NOT A LINE", "not a NAME=value line"),
    ("1X=2", "not a NAME=value line"),
    ('PFJ_MODEL="unclosed', "PFJ_MODEL: a quoted value needs its closing quote on the same line"),
    ("PFJ_MODEL='a' b", "PFJ_MODEL: a quoted value needs its closing quote"),
])
def test_a_malformed_line_is_one_line_naming_the_file_and_line_and_never_its_text(tmp_path, clean_env, line, said):
    path = _project(tmp_path)
    (tmp_path / ".env").write_text(f"# ok\nPFJ_BASE=x\n{line}\n")
    clean_env.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / '.env'}:3: {said}") and "\n" not in message
    assert "unclosed" not in message and "NOT A LINE" not in message  # a line may hold a secret
    assert "PFJ_BASE" not in os.environ  # nothing of a broken file is set


def test_double_quoted_escapes_and_plain_values(tmp_path):
    env = tmp_path / ".env"
    env.write_text('A="line\\nnext \\"q\\" \\\\"\nB=a#b\nC=\nexport D = spaced out \nE=""\n\n')
    assert read_env_file(env) == {"A": 'line\nnext "q" \\', "B": "a#b", "C": "", "D": "spaced out", "E": ""}


def test_an_eval_run_reads_a_key_from_env(tmp_path, clean_env):
    # The reviewer's case: api_key_env MOCK_KEY with MOCK_KEY=dummy in .env was "not set" at preflight.
    from harness.runner.plan import build_plan

    (tmp_path / "cases.jsonl").write_text(CASES)
    (tmp_path / "e.yaml").write_text("dataset: cases.jsonl\ncandidates:\n  - {name: a, model: openai/m, "
                                     "api_base: 'http://127.0.0.1:9/v1', api_key_env: PFJ_KEY_HERE, prompt: Hi}\n"
                                     "checks: none\n")
    (tmp_path / ".env").write_text("PFJ_KEY_HERE=dummy\n")
    clean_env.chdir(tmp_path)
    build_plan(load_eval(tmp_path / "e.yaml"))
