"""The README's `--set` examples name keys an eval file has: each applies without an unknown-key error."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import REPO, harness_cmd


def _examples() -> list[str]:
    text = REPO.joinpath("README.md").read_text()
    bullet = text[text.index("- `--set KEY=VALUE`"):]
    bullet = bullet[:bullet.index("\n- ", 1) if "\n- " in bullet[1:] else len(bullet)].split("\n\n")[0]
    found = re.findall(r"`--set\s+'?([^'`]+?)'?`", bullet.replace("\n  ", " "))
    return [example for example in found if "=" in example and example != "KEY=VALUE"]


def test_the_examples_are_found():
    assert "max_error_rate=0.1" in _examples() and len(_examples()) >= 4


@pytest.mark.parametrize("example", _examples())
def test_each_example_names_a_key_the_eval_file_has(served_project, example):
    done = harness_cmd("validate", "eval.yaml", "--set", example, cwd=served_project["dir"])
    assert "unknown field" not in done.stdout + done.stderr and "no such key" not in done.stdout + done.stderr, \
        done.stdout + done.stderr
