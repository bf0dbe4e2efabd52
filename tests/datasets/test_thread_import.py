"""Threads as exports write them: role aliases, blank agent turns, a thread with no customer turn, a typo'd key."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.errors import DatasetError


def _jsonl(tmp_path, rows, name="x.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _error(path, **kw) -> str:
    with pytest.raises(DatasetError) as err:
        load_dataset(path, **kw)
    return err.value.one_line()


def _thread(*turns):
    return [{"role": role, "content": text} for role, text in turns]


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_blank_agent_turn_is_refused_in_jsonl(tmp_path, blank):
    path = _jsonl(tmp_path, [{"id": "a", "turns": _thread(("customer", "hi"))},
                             {"id": "b", "turns": _thread(("customer", "hi"), ("agent", blank), ("customer", "??"))}])
    assert _error(path).startswith(f"{path}:2: turns[1].content: empty (an agent turn")


def test_a_blank_agent_turn_is_refused_in_a_json_array_and_csv(tmp_path):
    turns = _thread(("customer", "hi"), ("agent", " "), ("customer", "??"))
    array = tmp_path / "x.json"
    array.write_text(json.dumps([{"id": "b", "turns": turns}], indent=1))
    assert "turns[1].content: empty (an agent turn" in _error(array)
    csv = tmp_path / "x.csv"
    cell = json.dumps(turns).replace('"', '""')
    csv.write_text(f'id,turns\nb,"{cell}"\n')
    assert _error(csv).startswith(f"{csv}:2: turns[1].content: empty (an agent turn")


def test_user_and_assistant_are_read_as_customer_and_agent(tmp_path):
    turns = _thread(("user", "hi"), ("assistant", "hello"), ("user", "my order"), ("bot", "which?"), ("customer", "1"))
    case = load_dataset(_jsonl(tmp_path, [{"id": "a", "turns": turns}])).cases[0]
    assert [t.role for t in case.turns] == ["customer", "agent", "customer", "agent", "customer"]
    assert case.model_dump()["turns"][1]["role"] == "agent"  # stored under our names


def test_aliases_hash_as_our_names(tmp_path):
    ours = load_dataset(_jsonl(tmp_path, [{"id": "a", "turns": _thread(("customer", "hi"))}], "a.jsonl"))
    theirs = load_dataset(_jsonl(tmp_path, [{"id": "a", "turns": _thread(("user", "hi"))}], "b.jsonl"))
    assert ours.sha256 == theirs.sha256


def test_a_system_turn_is_refused_with_what_to_do(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "turns": _thread(("system", "be kind"), ("user", "hi"))}])
    line = _error(path)
    assert line.startswith(f"{path}:1: turns[0].role: role 'system': a system prompt is not part of the")


def test_an_unknown_role_still_gets_its_did_you_mean(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "turns": _thread(("custmer", "hi"))}])
    assert "did you mean 'customer'?" in _error(path)


def test_a_thread_with_no_customer_turn_says_so(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "turns": _thread(("agent", "hi"), ("agent", "anything else?"))}])
    assert _error(path) == f"{path}:1: turns: no customer turn (a thread needs the customer's message to answer)"


def test_the_last_turn_must_still_be_the_customers(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "turns": _thread(("customer", "hi"), ("agent", "yes?"))}])
    assert _error(path) == f"{path}:1: turns: the last turn must be the customer's"


@pytest.mark.parametrize("key", ["text", "message", "body"])
def test_a_turn_with_text_for_content_is_told_the_name(tmp_path, key):
    path = _jsonl(tmp_path, [{"id": "a", "turns": [{"role": "customer", key: "hi"}]}])
    assert _error(path) == f"{path}:1: turns[0].{key}: unknown field; did you mean 'content'? (a turn's text is its `content`)"
