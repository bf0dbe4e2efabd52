"""`replay: turns` on threads whose agent turns name no `author`: validate warns of the missing replies.

Neither `recorded: thread` (no final reply: no recorded_replies.thread and no author to take it from) nor
`recorded: <version>` (no reply at the earlier agent turns) covered the whole thread: 17 of 34 records
were missing_recorded_reply errors, and `harness validate` said ok.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.cli.validation import validate_file

CUSTOMER = {"role": "customer", "content": "still no internet"}


def thread(case_id: str, agent_turns: int, author: str | None = None) -> dict:
    turns = []
    for _ in range(agent_turns):
        turns += [CUSTOMER, {"role": "agent", "content": "we're on it", **({"author": author} if author else {})}]
    return {"id": case_id, "turns": turns + [CUSTOMER], "recorded_replies": {"zbot-3": "an engineer comes Thursday"}}


EVAL = """\
name: turns
dataset: cases.jsonl
replay: turns
candidates:
  - {name: deployed, recorded: thread}
  - {name: zbot, recorded: zbot-3}
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eval.yaml").write_text(EVAL)
    return tmp_path


def write_cases(project: Path, *cases: dict) -> None:
    (project / "cases.jsonl").write_text("".join(json.dumps(case) + "\n" for case in cases))


def test_threads_without_authors_are_warned_of_per_candidate(project, capsys):
    write_cases(project, thread("b01", 0), thread("b02", 0), thread("b07", 2))  # 1 + 1 + 3 turn cases
    assert main(["validate", "eval.yaml"]) == 0  # a warning, not a refusal: each version is found somewhere
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warn")]
    assert len(warnings) == 2
    assert warnings[0].startswith("warn  eval.yaml:5: candidates[0].recorded: thread has no reply at 3 of the 5 "
                                  "turn cases (3 final replies: b01@t1, b02@t1, b07@t3); each will be a "
                                  "missing_recorded_reply error.")
    assert "write `author: <version>` on the agent turns" in warnings[0] and "recorded_replies has zbot-3" in warnings[0]
    assert warnings[1].startswith("warn  eval.yaml:6: candidates[1].recorded: zbot-3 has no reply at 2 of the 5 "
                                  "turn cases (2 earlier agent turns: b07@t1, b07@t2)")
    assert warnings[1].endswith("write `author: zbot-3` on the agent turns it wrote, or its reply in `replies`")


def test_threads_whose_agent_turns_name_their_author_are_not_warned_of(project):
    write_cases(project, thread("b01", 1, author="zbot-3"), thread("b07", 2, author="zbot-3"))
    assert validate_file(Path("eval.yaml")).warnings == ()


def test_last_turn_replay_is_not_warned_of(project):
    (project / "eval.yaml").write_text(EVAL.replace("replay: turns", "replay: last").replace(
        "  - {name: deployed, recorded: thread}\n", ""))
    write_cases(project, thread("b01", 0), thread("b07", 2))
    assert validate_file(Path("eval.yaml")).warnings == ()
