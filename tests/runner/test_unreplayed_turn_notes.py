"""`replay: turns` on threads whose agent turns name no `author`: the run says, before its first call, what
`harness validate` warns of (a recorded candidate without a reply at some turn cases), for the candidates it runs."""

from __future__ import annotations

import json

import pytest

from harness.runner.engine import RunOptions, run_eval
from tests.config.test_unreplayed_turns import EVAL, thread


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eval.yaml").write_text(EVAL)
    cases = [thread("b01", 0), thread("b02", 0), thread("b07", 2)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(case) + "\n" for case in cases))
    return tmp_path


def test_the_run_notes_the_missing_turn_replies_before_its_first_call(project, capsys):
    run_eval("eval.yaml", RunOptions(out=project / "out", use_cache=False))
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("harness: note: eval.yaml")]
    assert len(notes) == 2
    assert notes[0].startswith("harness: note: eval.yaml:5: candidates[0].recorded: thread has no reply at 3 of "
                               "the 5 turn cases (3 final replies: b01@t1, b02@t1, b07@t3)")
    assert notes[1].startswith("harness: note: eval.yaml:6: candidates[1].recorded: zbot-3 has no reply at 2 of "
                               "the 5 turn cases")


def test_only_the_candidates_it_runs_are_noted(project, capsys):
    run_eval("eval.yaml", RunOptions(out=project / "out", use_cache=False, candidates=["zbot"]))
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("harness: note: eval.yaml")]
    assert [n.split(": zbot-3 has")[0] for n in notes] == ["harness: note: eval.yaml:6: candidates[1].recorded"]
