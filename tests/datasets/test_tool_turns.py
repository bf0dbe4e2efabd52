"""Recorded threads may hold the bot's tool use: OpenAI-format tool calls and results load as typed turns from
JSONL (`turns`), and from one-row-per-message exports (a `tool` row, the `tool_*` columns); bad tool turns
load with a warning at their file, line and field; plain cases dump (and hash) as before; `replay: turns`
keeps tool turns with the reply they precede; the customer's text never includes what a tool returned."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.datasets.schema import Case
from harness.datasets.turns import expand_thread
from harness.errors import DatasetError

CALL = {"id": "call_1", "type": "function",
        "function": {"name": "lookup_order", "arguments": "{\"order_id\": \"1234\"}"}}
ORDER = {"id": "o1", "turns": [
    {"role": "user", "content": "Where is my order 1234?"},
    {"role": "assistant", "content": None, "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "call_1", "content": "order 1234: shipped 3 Nov, delivered 5 Nov"}],
    "recorded_replies": {"bot": "It was delivered on 5 Nov."}}


def _jsonl(tmp_path, rows, name="cases.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_an_openai_export_with_tool_calls_loads_as_typed_turns(tmp_path):
    case = load_dataset(_jsonl(tmp_path, [ORDER])).cases[0]
    assert [t.role for t in case.turns] == ["customer", "agent", "tool"]
    call = case.turns[1].tool_calls[0]
    assert (call.id, call.name, call.arguments) == ("call_1", "lookup_order", "{\"order_id\": \"1234\"}")
    assert (case.turns[2].tool_call_id, case.turns[2].content) == ("call_1", "order 1234: shipped 3 Nov, delivered 5 Nov")
    assert case.model_dump(mode="json")["turns"][1:] == [
        {"role": "agent", "content": "", "tool_calls": [{"id": "call_1", "name": "lookup_order",
                                                          "arguments": "{\"order_id\": \"1234\"}"}]},
        {"role": "tool", "content": "order 1234: shipped 3 Nov, delivered 5 Nov", "tool_call_id": "call_1"}]
    assert Case.model_validate(case.model_dump(mode="json")) == case  # a run's case snapshot reads back


def test_a_plain_case_dumps_as_before_so_its_hash_is_unchanged():
    case = Case.model_validate({"id": "a", "turns": [{"role": "customer", "content": "hi"},
                                                     {"role": "agent", "content": "yes?"},
                                                     {"role": "customer", "content": "refund"}]})
    assert [set(t) for t in case.model_dump()["turns"]] == [{"role", "content"}] * 3


def test_the_customers_text_never_holds_what_a_tool_returned(tmp_path):
    case = load_dataset(_jsonl(tmp_path, [ORDER])).cases[0]
    assert case.customer_text == case.last_customer_text == "Where is my order 1234?"
    thread = Case.model_validate({"id": "t", "turns": [
        {"role": "customer", "content": "Where is 1234?"}, {"role": "agent", "content": "Delivered."},
        {"role": "customer", "content": "No it was not."},
        {"role": "agent", "content": "", "tool_calls": [{"id": "c", "name": "lookup_order"}]},
        {"role": "tool", "tool_call_id": "c", "content": "refund refused"}]})
    assert thread.last_customer_text == "No it was not."
    assert "refund refused" not in thread.customer_text


def test_older_function_messages_load_as_tool_turns(tmp_path):
    row = {"id": "f", "turns": [
        {"role": "user", "content": "Where is 1234?"},
        {"role": "assistant", "content": None, "function_call": {"name": "lookup_order", "arguments": {"id": 1}}},
        {"role": "function", "name": "lookup_order", "content": "delivered"}]}
    loaded = load_dataset(_jsonl(tmp_path, [row]))
    case = loaded.cases[0]
    assert case.turns[1].tool_calls[0].arguments == "{\"id\": 1}" and case.turns[2].role == "tool"
    assert loaded.notes == ()  # the result answers the call, by the tool's name


def test_bad_tool_turns_load_with_a_warning_at_file_line_and_field(tmp_path):
    orphan = {"id": "o2", "turns": [{"role": "user", "content": "Refund order 99"},
                                    {"role": "tool", "tool_call_id": "call_8", "content": "refund refused"}]}
    unanswered = {"id": "o3", "turns": [{"role": "user", "content": "Where is 7?"},
                                        {"role": "assistant", "content": "Checking.", "tool_calls": [CALL]},
                                        {"role": "user", "content": "Hello??"}]}
    path = _jsonl(tmp_path, [ORDER, orphan, unanswered])
    loaded = load_dataset(path)
    assert len(loaded.cases) == 3
    assert loaded.notes == (
        f"{path}:2: turns[1].tool_call_id: o2: a tool result (call id 'call_8') that answers no tool call before it: "
        "its content is kept as context for the reply (README: Tool calls and results)",
        f"{path}:3: turns[1].tool_calls[0].id: o3: tool call 'lookup_order' ('call_1') that no tool turn answers: "
        "left out of what a model candidate is sent (README: Tool calls and results)")


@pytest.mark.parametrize(("turn", "field", "problem"), [
    ({"role": "customer", "content": "x", "tool_call_id": "c"}, "turns[0].tool_call_id", "only tool turns carry it"),
    ({"role": "customer", "content": "x", "tool_calls": [{"id": "c", "name": "t"}]}, "turns[0].tool_calls",
     "only agent turns make tool calls"),
    ({"role": "tool", "content": "x", "author": "bot"}, "turns[0].author", "only agent turns carry it"),
    ({"role": "agent", "content": "", "tool_calls": [{"id": "c"}]}, "turns[0].tool_calls.0.name", "required field is missing"),
])
def test_a_tool_field_on_the_wrong_turn_is_refused_at_its_field(tmp_path, turn, field, problem):
    path = _jsonl(tmp_path, [{"id": "a", "turns": [turn, {"role": "customer", "content": "hi"}]}])
    with pytest.raises(DatasetError) as caught:
        load_dataset(path)
    assert caught.value.one_line().startswith(f"{path}:1: {field.replace('.0.', '[0].')}: {problem}")


def test_a_thread_may_end_on_tool_results_but_not_on_an_agent_text(tmp_path):
    ends_on_reply = {**ORDER, "turns": ORDER["turns"] + [{"role": "assistant", "content": "Delivered 5 Nov."}]}
    with pytest.raises(DatasetError, match=r":1: turns: the last turn must be the customer's \(or the bot's tool "):
        load_dataset(_jsonl(tmp_path, [ends_on_reply]))


def test_an_agent_turn_with_calls_may_be_empty_and_a_plain_one_may_not(tmp_path):
    row = {"id": "a", "turns": [{"role": "customer", "content": "x"}, {"role": "agent", "content": " "},
                                {"role": "customer", "content": "y"}]}
    with pytest.raises(DatasetError, match=r"turns\[1\]\.content: empty"):
        load_dataset(_jsonl(tmp_path, [row]))


def test_replay_by_turn_keeps_tool_turns_with_the_reply_they_precede():
    thread = Case.model_validate({"id": "t", "turns": [
        {"role": "customer", "content": "Where is 1234?"},
        {"role": "agent", "content": "", "tool_calls": [{"id": "c1", "name": "lookup_order", "arguments": "{}"}]},
        {"role": "tool", "tool_call_id": "c1", "content": "delivered 5 Nov"},
        {"role": "agent", "content": "It was delivered on 5 Nov.", "author": "bot"},
        {"role": "customer", "content": "Then refund me."},
        {"role": "agent", "content": "", "tool_calls": [{"id": "c2", "name": "refund_status", "arguments": "{}"}]},
        {"role": "tool", "tool_call_id": "c2", "content": "refund refused: outside window"}],
        "recorded_replies": {"bot": "Refund issued!"}})
    first, final = expand_thread(thread)
    assert [t.role for t in first.turns] == ["customer", "agent", "tool"]
    assert first.turns[2].content == "delivered 5 Nov" and first.recorded_replies["bot"] == "It was delivered on 5 Nov."
    assert [t.role for t in final.turns] == ["customer", "agent", "tool", "agent", "customer", "agent", "tool"]
    assert final.recorded_replies["bot"] == "Refund issued!" and final.metadata["n_agent_turns"] == 2


CSV = ("thread_id,role,content,tool_name,tool_arguments,tool_call_id,timestamp\n"
       "t1,user,Where is my order 1234?,,,,2026-11-01T10:00\n"
       "t1,assistant,,lookup_order,\"{\"\"order_id\"\": \"\"1234\"\"}\",call_1,2026-11-01T10:00\n"
       "t1,tool,\"order 1234: shipped 3 Nov, delivered 5 Nov\",lookup_order,,call_1,2026-11-01T10:01\n"
       "t1,assistant,Your order was delivered on 5 Nov.,,,,2026-11-01T10:01\n"
       "t2,user,Refund my order 99,,,,2026-11-01T11:00\n"
       "t2,tool,refund refused,refund_status,,call_9,2026-11-01T11:00\n"
       "t2,assistant,Refund issued!,,,,2026-11-01T11:01\n")


def test_a_one_row_per_message_export_with_tool_rows_keeps_them_before_the_reply(tmp_path):
    path = tmp_path / "prod.csv"
    path.write_text(CSV)
    loaded = load_dataset(path, columns={"metadata.ts": "timestamp"})
    t1, t2 = loaded.cases
    assert [t.role for t in t1.turns] == ["customer", "agent", "tool"]
    assert t1.turns[1].tool_calls[0].model_dump() == {"id": "call_1", "name": "lookup_order",
                                                      "arguments": "{\"order_id\": \"1234\"}"}
    assert (t1.turns[2].name, t1.turns[2].tool_call_id) == ("lookup_order", "call_1")
    assert t1.recorded_replies == {"thread": "Your order was delivered on 5 Nov."}
    assert t2.recorded_replies == {"thread": "Refund issued!"}
    # The result answers no call: said at its row, by its column, not refused.
    assert loaded.notes == (f"{path}:7: tool_call_id: t2: a tool result (call id 'call_9') that answers no tool call "
                            "before it: its content is kept as context for the reply (README: Tool calls and "
                            "results)",)


def test_a_tool_row_with_call_columns_is_refused_at_its_row(tmp_path):
    path = tmp_path / "prod.csv"
    path.write_text("thread_id,role,content,tool_name,tool_arguments\nt1,user,Hi,,\nt1,tool,x,lookup,{}\n")
    with pytest.raises(DatasetError, match=r"prod.csv:3: tool_arguments: a tool result's row names its tool"):
        load_dataset(path)


def test_an_agent_rows_tool_calls_json_is_read_and_bad_json_named(tmp_path):
    rows = [{"thread_id": "a", "role": "user", "content": "Where is 1?"},
            {"thread_id": "a", "role": "assistant", "content": "", "tool_calls": json.dumps([CALL])},
            {"thread_id": "a", "role": "tool", "content": "delivered", "tool_call_id": "call_1"}]
    case = load_dataset(_jsonl(tmp_path, rows)).cases[0]
    assert case.turns[1].tool_calls[0].name == "lookup_order"
    rows[1]["tool_calls"] = "[{oops"
    with pytest.raises(DatasetError, match=r"cases.jsonl:2: tool_calls: invalid JSON"):
        load_dataset(_jsonl(tmp_path, rows))


def test_many_bad_tool_turns_are_one_warning_per_kind_with_a_count(tmp_path):
    rows = [{"id": f"u{i}", "turns": [{"role": "user", "content": "Where?"},
                                      {"role": "assistant", "content": "", "tool_calls": [
                                          {"id": f"c{i}", "type": "function",
                                           "function": {"name": f"tool_{i}", "arguments": "{}"}}]},
                                      {"role": "user", "content": "Hello??"}]} for i in range(5)]
    path = _jsonl(tmp_path, rows)
    (note,) = load_dataset(path).notes
    assert note.startswith(f"{path}:1: turns[1].tool_calls[0].id: u0: tool call 'tool_0' ('c0') that no tool turn "
                           "answers: left out of what a model candidate is sent (and 4 more: line 2, line 3, line 4 ...)")
