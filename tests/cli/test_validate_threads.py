"""`harness validate` on thread datasets: expectations every turn inherits, the `thread` version outside turn replay."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.validation import validate_paths
from harness.errors import UserError

THREAD = [{"role": "customer", "content": "my order 1 is late"},
          {"role": "agent", "content": "Sorry, it ships Friday.", "author": "v1"},
          {"role": "customer", "content": "I want a manager"}]


def _project(tmp_path: Path, rows, replay="turns", recorded="v1") -> Path:
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    eval_file = tmp_path / "e.yaml"
    eval_file.write_text(f"dataset: d.jsonl\nreplay: {replay}\ncandidates:\n  - {{name: a, recorded: {recorded}}}\n"
                         "checks: all\n")
    return eval_file


def _result(path: Path):
    [(_, result)] = list(validate_paths([path]))
    return result


def test_a_case_level_expectation_every_turn_inherits_is_warned_once(tmp_path):
    rows = [{"id": f"t{i}", "turns": THREAD, "recorded_replies": {"v1": "I'll get a manager."},
             "expectations": {"escalation_expected": True}} for i in range(4)]
    result = _result(_project(tmp_path, rows))
    assert not isinstance(result, UserError)
    [line] = [w for w in result.warnings if ": expectations: " in w]
    assert line.startswith(f"{tmp_path / 'd.jsonl'}:1: expectations: 4 threads set a case-level expectation that grades every "
                           "agent turn")
    assert "t0: escalation_expected" in line and "and 1 more" in line and '{"escalation_expected": false}' in line
    # The advice can be followed: a one-row-per-message file cannot hold per-turn expectations, and it says so.
    assert "in the `turns` form: a one-row-per-message file holds expectations per thread only" in line


def test_no_warning_when_the_turns_set_their_own_or_the_value_is_false(tmp_path):
    own = [dict(t) for t in THREAD]
    own[1]["expectations"] = {"escalation_expected": False}
    rows = [{"id": "a", "turns": own, "recorded_replies": {"v1": "ok"}, "expectations": {"escalation_expected": True}},
            {"id": "b", "turns": THREAD, "recorded_replies": {"v1": "ok"},
             "expectations": {"escalation_expected": False, "refund_allowed": True}},
            {"id": "c", "turns": THREAD[:1], "recorded_replies": {"v1": "ok"},
             "expectations": {"escalation_expected": True}}]
    result = _result(_project(tmp_path, rows))
    assert not [w for w in result.warnings if ": expectations: " in w]


def test_no_warning_without_turn_replay(tmp_path):
    rows = [{"id": "a", "turns": THREAD, "recorded_replies": {"v1": "ok"}, "expectations": {"escalation_expected": True}}]
    result = _result(_project(tmp_path, rows, replay="last"))
    assert not [w for w in result.warnings if ": expectations: " in w]


def test_the_thread_version_outside_turn_replay_says_it_needs_it(tmp_path):
    rows = [{"id": "a", "turns": THREAD, "recorded_replies": {"v1": "ok", "v2": "fine"}}]
    result = _result(_project(tmp_path, rows, replay="last", recorded="thread"))
    assert isinstance(result, UserError)
    assert result.one_line().endswith("candidates[0].recorded: version 'thread' exists only under `replay: turns` "
                                      "(it is each thread's own recorded agent turn); add `replay: turns`, or name "
                                      "a version the cases have (v1, v2)")


def test_a_directory_walk_validates_a_file_of_messages(tmp_path):
    (tmp_path / "m.csv").write_text("thread_id,role,content\na,user,hi\na,assistant,hello\na,user,more\n")
    (tmp_path / "m.jsonl").write_text(json.dumps({"thread_id": "a", "role": "user", "content": "hi"}) + "\n")
    found = {path.name: result for path, result in validate_paths([tmp_path])}
    assert found == {"m.csv": "dataset, 1 case", "m.jsonl": "dataset, 1 case"}


def test_a_blank_turn_reply_is_named_as_a_cause_in_the_unreplayed_warning(tmp_path):
    turns = [dict(t) for t in THREAD]
    turns[1]["replies"] = {"v2": "   "}
    rows = [{"id": "a", "turns": turns, "recorded_replies": {"v1": "ok", "v2": "fine"}}]
    result = _result(_project(tmp_path, rows, recorded="v2"))
    [line] = [w for w in result.warnings if "recorded: v2 has no reply" in w]
    assert "(a blank one counts as none)" in line and "or its reply in `replies`" in line
