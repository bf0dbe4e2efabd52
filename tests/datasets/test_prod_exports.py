"""Production conversation exports (one row per message, as LangSmith and helpdesk logs write them) read as
exported: a thread ending on the agent's reply grades that reply, per-message fields are kept per turn."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.datasets.mapping import ColumnMap
from harness.datasets.turns import expand_cases
from harness.errors import DatasetError, SeveralErrors

# The review's export, as exported (work/prod.csv): the last row of each conversation is the bot's reply.
PROD = """conversation_id,role,content,timestamp
t1,user,My package is 2 weeks late and your tracking page is broken.,2026-11-01T10:00
t1,assistant,Sorry for any inconvenience. Please check our FAQ.,2026-11-01T10:00
t1,user,The FAQ is useless. I want a refund.,2026-11-01T10:01
t1,assistant,"I'm sorry, you're right, that wasn't helpful. I've issued a refund; you'll see it in 3-5 days.",2026-11-01T10:02
t2,user,You people charged me twice. Unbelievable.,2026-11-01T11:00
t2,assistant,Calm down. Our records show one charge.,2026-11-01T11:00
"""
MAPPING = {"thread_id": "conversation_id", "metadata.ts": "timestamp"}
REFUND = "I'm sorry, you're right, that wasn't helpful. I've issued a refund; you'll see it in 3-5 days."


def _load(tmp_path, text=PROD, name="prod.csv", columns=MAPPING):
    path = tmp_path / name
    path.write_text(text)
    return load_dataset(path, columns=ColumnMap(columns))


def _errors(path, columns=None) -> list[str]:
    with pytest.raises(DatasetError) as err:
        load_dataset(path, all_errors=True, columns=ColumnMap(columns or {}))
    exc = err.value
    lines = [e.one_line() for e in exc.errors] if isinstance(exc, SeveralErrors) else [exc.one_line()]
    return [line.removeprefix(f"{path}:") for line in lines]


def _check_prod(cases):
    t1, t2 = cases
    assert [(t.role, t.content) for t in t1.turns] == [
        ("customer", "My package is 2 weeks late and your tracking page is broken."),
        ("agent", "Sorry for any inconvenience. Please check our FAQ."),
        ("customer", "The FAQ is useless. I want a refund.")]
    assert t1.recorded_replies == {"thread": REFUND}
    assert t2.recorded_replies == {"thread": "Calm down. Our records show one charge."}
    # The timestamp differs within t1: it is each message's own, kept on its turn (t2 alike: one shape per file).
    assert [t.metadata for t in t1.turns] == [{"ts": "2026-11-01T10:00"}, {"ts": "2026-11-01T10:00"},
                                              {"ts": "2026-11-01T10:01"}]
    assert t1.metadata == {"recorded_reply": [{"ts": "2026-11-01T10:02"}]}
    assert t2.turns[0].metadata == {"ts": "2026-11-01T11:00"}
    assert t2.metadata == {"recorded_reply": [{"ts": "2026-11-01T11:00"}]}


def test_the_reviews_export_loads_as_exported(tmp_path):
    dataset = _load(tmp_path)
    _check_prod(dataset.cases)
    assert dict(dataset.lines) == {"t1": 2, "t2": 6}


def test_a_jsonl_of_messages_loads_the_same(tmp_path):
    rows = [{"conversation_id": r[0], "role": r[1], "content": r[2], "timestamp": r[3]}
            for r in __import__("csv").reader(PROD.splitlines()[1:])]
    _check_prod(_load(tmp_path, "".join(json.dumps(r) + "\n" for r in rows), "prod.jsonl").cases)
    # and keys already in the case's shape, without a mapping
    own = [{"thread_id": r["conversation_id"], "role": r["role"], "content": r["content"],
            "metadata": {"ts": r["timestamp"]}} for r in rows]
    _check_prod(_load(tmp_path, "".join(json.dumps(r) + "\n" for r in own), "own.jsonl", {}).cases)


def test_replay_grades_every_recorded_agent_turn_against_the_thread_up_to_it(tmp_path):
    dataset = _load(tmp_path)
    turn_cases = expand_cases(dataset.cases, dataset.source, dataset.lines)
    assert [c.id for c in turn_cases] == ["t1@t1", "t1@t2", "t2@t1"]
    first, final, other = turn_cases
    assert [t.content for t in first.turns] == ["My package is 2 weeks late and your tracking page is broken."]
    assert first.recorded_replies["thread"] == "Sorry for any inconvenience. Please check our FAQ."
    assert first.metadata["recorded_reply"] == [{"ts": "2026-11-01T10:00"}]  # its own reply's, not the final one's
    assert len(final.turns) == 3 and final.recorded_replies["thread"] == REFUND
    assert final.metadata["recorded_reply"] == [{"ts": "2026-11-01T10:02"}]
    assert final.turns[1].metadata == {"ts": "2026-11-01T10:00"}  # the history keeps each message's fields
    assert other.recorded_replies == {"thread": "Calm down. Our records show one charge."}


def test_an_author_column_names_the_version_of_the_recorded_replies(tmp_path):
    text = ("thread_id,role,content,author\na,user,Where is my order?,\na,assistant,Which order?,bot-v3\n"
            "a,user,55123,\na,assistant,It ships today.,bot-v3\na,assistant,Tracking: XY1.,bot-v3\n")
    [case] = _load(tmp_path, text, "a.csv", {}).cases
    assert case.recorded_replies == {"thread": "It ships today.\n\nTracking: XY1.", "bot-v3": "It ships today.\n\n"
                                                                                               "Tracking: XY1."}
    assert [c.recorded_replies.get("bot-v3") for c in expand_cases([case], "a.csv")] == [
        "Which order?", "It ships today.\n\nTracking: XY1."]


def test_a_thread_ending_on_the_customer_is_answered_as_before(tmp_path):
    text = "thread_id,role,content,reply:v1\na,user,hi,\na,assistant,hello,\na,user,refund?,Sure.\n"
    [case] = _load(tmp_path, text, "c.csv", {}).cases
    assert case.turns[-1].content == "refund?" and case.recorded_replies == {"v1": "Sure."}
    assert case.metadata == {} and all(t.metadata == {} for t in case.turns)


def test_a_file_that_loaded_before_hashes_as_before(tmp_path):
    # Same rows, the same on every row of a thread: thread metadata as before, no turn metadata.
    a = _load(tmp_path, "thread_id,role,content,tier\na,user,hi,gold\na,user,more,gold\n", "x.csv",
              {"metadata.tier": "tier"})
    b = tmp_path / "x.jsonl"
    b.write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"},
                                                  {"role": "customer", "content": "more"}],
                             "metadata": {"tier": "gold"}}) + "\n")
    assert a.sha256 == load_dataset(b).sha256


def test_a_reply_column_that_disagrees_with_the_final_agent_row_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("thread_id,role,content,author,reply:v1\na,user,hi,,Other text\na,assistant,Hello,v1,\n")
    assert _errors(path) == ["2: reply:v1: thread 'a' ends on 'v1''s reply at line 3, and a different one is given "
                             "here: keep one (README: Grading production conversations)"]


def test_bad_rows_of_an_export_are_each_named_at_file_line_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("conversation_id,role,content,timestamp\n"
                    "t1,user,Late parcel,1\nt1,moderator,Note to self,2\nt1,assistant,Sorry,3\n"
                    "t2,user,Charged twice,4\nt2,assistant,,5\n"
                    "t3,assistant,Hello!,6\nt3,assistant,Anyone there?,7\n")
    assert _errors(path, MAPPING) == [
        "3: role: Input should be 'customer', 'agent' or 'tool', not 'moderator'",
        "6: content: empty (an agent turn needs what the agent said; remove the turn if nothing was sent)",
        "8: role: thread 't3': no customer turn (a thread needs the customer's message to answer) (README: Grading "
        "production conversations)",
    ]


def test_bad_rows_of_a_jsonl_export_are_named_too(tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = [{"thread_id": "a", "role": "user", "content": "hi"}, {"thread_id": "a", "role": "assistant", "content": " "},
            {"thread_id": "b", "role": "agent", "content": "Hello"}, {"thread_id": "c", "role": "narrator", "content": "x"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    found = _errors(path)
    assert found[0] == "2: content: empty (an agent turn needs what the agent said; remove the turn if nothing was sent)"
    assert found[1].startswith("3: role: thread 'b': no customer turn")
    assert found[2] == "4: role: Input should be 'customer', 'agent' or 'tool', not 'narrator'"


def test_a_message_id_column_gets_the_mapping_that_keeps_it(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("thread_id,id,role,content\na,m1,user,hi\na,m2,assistant,hello\n")
    [line] = _errors(path)
    assert "columns: {metadata.message_id: id}" in line and line.startswith("1: id: ")
    [case] = load_dataset(path, columns=ColumnMap({"metadata.message_id": "id"})).cases
    assert case.turns[0].metadata == {"message_id": "m1"}
    assert case.metadata == {"recorded_reply": [{"message_id": "m2"}]} and case.recorded_replies == {"thread": "hello"}


def test_a_messages_own_fields_are_checked_as_a_cases_metadata_is(tmp_path):
    path = tmp_path / "nan.jsonl"
    path.write_text('{"thread_id": "a", "role": "user", "content": "hi", "metadata": {"ts": 1}}\n'
                    '{"thread_id": "a", "role": "user", "content": "more", "metadata": {"ts": NaN}}\n')
    assert _errors(path) == ["2: metadata.ts: not a finite number"]
    wide = tmp_path / "w.jsonl"
    wide.write_text('{"id": "a", "turns": [{"role": "customer", "content": "hi", "metadata": {"ts": Infinity}}]}\n')
    assert _errors(wide) == ["1: turns[0].metadata.ts: not a finite number"]
