"""One row per message (thread_id, role, content): read as threads in every format, errors at the message row."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.datasets.mapping import ColumnMap
from harness.datasets.turns import expand_cases
from harness.errors import DatasetError, SeveralErrors

CSV = """thread_id,role,content,author,persona,reply:v1,expectations.escalation_expected
a1,customer,My internet is down,,angry,Sorry - engineer Thursday.,true
b2,user,Charged twice,,,,
a1,agent,Sorry to hear that.,v1,,,
a1,customer,I want a manager,,,,
b2,assistant,Refunded,v1,,,
b2,user,Not on my statement,,,Refunds take 3 days.,
"""

MESSAGES = [
    {"thread_id": "a1", "role": "customer", "content": "My internet is down", "persona": "angry",
     "recorded_replies": {"v1": "Sorry - engineer Thursday."}, "expectations": {"escalation_expected": True}},
    {"thread_id": "b2", "role": "user", "content": "Charged twice"},
    {"thread_id": "a1", "role": "agent", "content": "Sorry to hear that.", "author": "v1"},
    {"thread_id": "a1", "role": "customer", "content": "I want a manager"},
    {"thread_id": "b2", "role": "assistant", "content": "Refunded", "author": "v1"},
    {"thread_id": "b2", "role": "user", "content": "Not on my statement", "recorded_replies": {"v1": "Refunds take 3 days."}},
]


def _expected(cases):
    a1, b2 = cases
    assert [c.id for c in cases] == ["a1", "b2"]  # by first appearance
    assert [(t.role, t.content) for t in a1.turns] == [("customer", "My internet is down"),
                                                       ("agent", "Sorry to hear that."),
                                                       ("customer", "I want a manager")]
    assert a1.turns[1].author == "v1" and a1.persona == "angry" and a1.expectations.escalation_expected is True
    assert [t.role for t in b2.turns] == ["customer", "agent", "customer"]
    assert b2.recorded_replies == {"v1": "Refunds take 3 days."} and b2.persona is None


def test_a_csv_of_messages_is_read_as_threads(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    dataset = load_dataset(path)
    _expected(dataset.cases)
    assert dict(dataset.lines) == {"a1": 2, "b2": 3}
    assert [c.id for c in expand_cases(dataset.cases, dataset.source, dataset.lines)] == ["a1@t1", "a1@t2",
                                                                                          "b2@t1", "b2@t2"]


def test_jsonl_and_a_json_array_of_messages_are_read_as_threads(tmp_path):
    lines = tmp_path / "m.jsonl"
    lines.write_text("".join(json.dumps(m) + "\n" for m in MESSAGES))
    _expected(load_dataset(lines).cases)
    array = tmp_path / "m.json"
    array.write_text(json.dumps(MESSAGES))
    _expected(load_dataset(array).cases)


def test_parquet_of_messages_with_numeric_thread_ids(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = [{**{k: v for k, v in m.items() if k in ("role", "content", "author")},
             "thread_id": 1 if m["thread_id"] == "a1" else 2} for m in MESSAGES]
    path = tmp_path / "m.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    cases = load_dataset(path).cases
    assert [c.id for c in cases] == ["1", "2"] and len(cases[0].turns) == 3


def test_the_same_format_reads_as_the_same_dataset(tmp_path):
    wide = tmp_path / "w.jsonl"
    wide.write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"}]}) + "\n")
    long = tmp_path / "l.csv"
    long.write_text("thread_id,role,content\na,user,hi\n")
    assert load_dataset(wide).sha256 == load_dataset(long).sha256


def test_a_helpdesk_export_read_through_a_column_mapping(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("conversation,sender,body,agent_name,tier\nT-1,user,Parcel lost,,gold\n"
                    "T-1,assistant,,bot-v1,\nT-1,user,Order 55123,,\n")
    columns = ColumnMap({"thread_id": "conversation", "role": "sender", "content": "body", "author": "agent_name",
                         "metadata.tier": "tier"})
    with pytest.raises(DatasetError) as err:
        load_dataset(path, columns=columns)
    assert err.value.one_line() == (f"{path}:3: body (as content): empty (an agent turn needs what the agent said; "
                                    "remove the turn if nothing was sent)")
    path.write_text(path.read_text().replace("T-1,assistant,,", "T-1,assistant,Which order?,"))
    [case] = load_dataset(path, columns=columns).cases
    assert case.id == "T-1" and case.metadata == {"tier": "gold"} and case.turns[1].author == "bot-v1"


def _errors(path) -> list[str]:
    with pytest.raises(DatasetError) as err:
        load_dataset(path, all_errors=True)
    exc = err.value
    return [e.one_line() for e in exc.errors] if isinstance(exc, SeveralErrors) else [exc.one_line()]


def test_each_bad_message_is_named_at_its_own_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("thread_id,role,content,persona\n"
                    "a1,customer,hi,angry\na1,agent,,\na1,customer,more,calm\n"
                    ",customer,orphan,\n"
                    "a2,system,be nice,\na2,customer,x,\n"
                    "a3,customer,hello,\na3,agent,bye,\n")
    assert [line.removeprefix(f"{path}:") for line in _errors(path)] == [
        "3: content: empty (an agent turn needs what the agent said; remove the turn if nothing was sent)",
        "4: persona: differs from line 2 of thread 'a1' (a thread's own fields are written on one of its rows, "
        "or the same on each; a message's own field goes in a `metadata.<key>` column, kept per message: README: "
        "Grading production conversations)",
        "5: thread_id: empty (each message row names its thread)",
        "6: role: role 'system': a system prompt is not part of the recorded thread: give it to the candidate "
        "(its prompt's system message) and remove this turn",
        # a3 ends on the agent's row: that is the recorded reply to grade (test_prod_exports), no longer an error
    ]


def test_message_rows_in_jsonl_name_their_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = [{"thread_id": 7, "role": "user", "content": "hi"}, {"thread_id": 7, "role": "assistant", "text": "yo"},
            {"thread_id": 7, "role": "user", "content": "ok"}, {"thread_id": 8, "role": "user", "content": "x", "id": "m1"},
            {"thread_id": 9, "role": "agent", "content": "hello"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    found = [line.removeprefix(f"{path}:") for line in _errors(path)]
    assert found[0] == "2: text: unknown field; did you mean 'content'? (a message's text is its `content`)"
    assert found[1].startswith("4: id: in a one-row-per-message file the case id is `thread_id`")
    assert found[2] == ("5: role: thread '9': no customer turn (a thread needs the customer's message to answer) "
                        "(README: Grading production conversations)")


def test_a_table_with_part_of_the_message_columns_says_which_are_missing(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("thread_id,role\na,customer\n")
    assert _errors(path) == [f"{path}:1: a one-row-per-message file needs columns thread_id, role and content: "
                             "no content"]


@pytest.mark.parametrize("key, advice", [
    ("reply:v1", '`reply:v1` is a table column\'s name: in a JSON row write "recorded_replies": {"v1": "..."}'),
    ("expectations.escalation_expected",
     '`expectations.escalation_expected` is a table column\'s name: in a JSON row write "expectations": '
     '{"escalation_expected": ...}'),
])
def test_a_table_column_name_in_a_json_message_row_gets_the_json_form(tmp_path, key, advice):
    import json as _json

    from harness.datasets.loader import load_dataset
    from harness.errors import DatasetError

    rows = [{"thread_id": "a", "role": "customer", "content": "Where is it?", key: "x"}]
    path = tmp_path / "m.jsonl"
    path.write_text("".join(_json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load_dataset(str(path))
    assert advice in str(caught.value) and "m.jsonl:1" in str(caught.value)
