"""A turn-case id copied from diff.md (which puts a zero-width space after @ so it cannot @mention anyone)
still finds its case in `harness show` and `--cases`."""

from __future__ import annotations

from pathlib import Path

from harness.cli.main import main
from harness.datasets.selection import parse_ids, typed_id

ROOT = Path(__file__).resolve().parents[2]


def test_zero_width_characters_are_dropped_from_typed_ids():
    assert typed_id(" t001@\u200bt2 ") == "t001@t2"
    assert parse_ids("t001@\u200bt2,c\ufeff01*") == ("t001@t2", "c01*")


def test_show_and_run_find_a_pasted_turn_case_id(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "evals" / "threads.yaml"), "--out", str(out), "--quiet",
                 "--cases", "t001@\u200bt2"]) == 0
    capsys.readouterr()
    assert main(["show", str(out), "t001@\u200bt2"]) == 0
    assert "── t001@t2 · bot-v1" in capsys.readouterr().out


def test_show_prompt_without_a_case_says_what_it_needs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "evals" / "threads.yaml"), "--out", str(out), "--quiet", "--cases", "t001@t2"]) == 0
    capsys.readouterr()
    assert main(["show", str(out), "--prompt"]) == 0
    assert "--prompt widens the system prompt of the full view: name a CASE, or add --full" in capsys.readouterr().err
