"""What a model candidate is sent of a recorded thread whose tool use a chat API would refuse, and the warnings
that say so at load: the messages end on the customer's turn or a tool result (never on the agent's text beside
a call nothing answers, which an Anthropic-style API continues as a prefill), and a call's arguments that are no
JSON object are sent as one (litellm parses them for Anthropic). Each warning names the file, the line and the
field, in a one-row-per-message export the column the row has; each points at README "Tool calls and results"."""

from __future__ import annotations

import json

import pytest

from harness.candidates.thread_messages import thread_messages
from harness.datasets.loader import load_dataset
from harness.datasets.schema import Case
from harness.datasets.turns import expand_thread
from harness.models.base import tool_call_reply_message
from tests.support.openai_server import tool_message_problem

POINTER = "(README: Tool calls and results)"
CSV_HEAD = "thread_id,role,content,tool_name,tool_call_id,tool_arguments\n"


def _sent(case: Case) -> list[dict]:
    return [m.model_dump() for m in thread_messages(case)]


def _anthropic(sent: list[dict]) -> list[dict]:
    """The messages as litellm turns them into Anthropic's (it parses each call's arguments)."""
    from litellm.litellm_core_utils.prompt_templates.factory import anthropic_messages_pt

    return anthropic_messages_pt(sent, model="claude-3-5-sonnet-20240620", llm_provider="anthropic")


def _csv(tmp_path, rows: str):
    path = tmp_path / "prod.csv"
    path.write_text(CSV_HEAD + rows)
    return path


HOLDING = Case.model_validate({"id": "r3", "turns": [
    {"role": "customer", "content": "Cancel order 3"},
    {"role": "agent", "content": "One moment", "tool_calls": [
        {"id": "call_c", "name": "cancel_order", "arguments": "{\"order_id\": 3}"}]}]})


def test_the_agents_text_beside_an_unanswered_last_call_is_not_sent_last():
    sent = _sent(HOLDING)
    assert sent == [{"role": "user", "content": "Cancel order 3"}]
    assert _anthropic(sent)[-1]["role"] == "user"  # no prefill: the model answers the customer
    assert HOLDING.turns[1].content == "One moment"  # the case keeps it: the judge and reports show it


def test_the_text_is_kept_where_the_customer_or_a_tool_result_comes_after_it():
    then_customer = Case.model_validate({"id": "a", "turns": [*HOLDING.model_dump()["turns"],
                                                              {"role": "customer", "content": "Hello??"}]})
    assert [(m["role"], m["content"]) for m in _sent(then_customer)] == [
        ("user", "Cancel order 3"), ("assistant", "One moment"), ("user", "Hello??")]
    answered = Case.model_validate({"id": "b", "turns": [*HOLDING.model_dump()["turns"],
                                                         {"role": "tool", "tool_call_id": "call_c", "content": "done"}]})
    sent = _sent(answered)
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"] and sent[1]["content"] == "One moment"
    assert tool_message_problem(sent) is None


def test_replay_by_turn_never_ends_a_turns_case_on_the_agents_text():
    thread = Case.model_validate({"id": "t", "turns": [
        {"role": "customer", "content": "Cancel order 3"},
        {"role": "agent", "content": "One moment", "tool_calls": [{"id": "c", "name": "cancel_order"}]},
        {"role": "agent", "content": "Cancelled.", "author": "bot"},
        {"role": "customer", "content": "Thanks"}]})
    first, final = expand_thread(thread)
    assert [m["role"] for m in _sent(first)] == ["user"]
    assert [m["role"] for m in _sent(final)] == ["user", "assistant", "user"]
    assert _sent(final)[1]["content"] == "One moment\n\nCancelled."  # whole thread: followed, so kept


def test_a_csv_export_ending_on_a_holding_message_warns_at_its_row_and_content(tmp_path):
    path = _csv(tmp_path, "r3,user,Cancel order 3,,,\n"
                          "r3,assistant,One moment,cancel_order,call_c,\"{\"\"order_id\"\": 3}\"\n"
                          "r3,assistant,\"Sorry for the wait, it's cancelled.\",,,\n")
    loaded = load_dataset(path)
    assert _sent(loaded.cases[0]) == [{"role": "user", "content": "Cancel order 3"}]
    call, text = loaded.notes
    assert call.startswith(f"{path}:3: tool_call_id: r3: tool call 'cancel_order' ('call_c') that no tool turn "
                           "answers: left out of what a model candidate is sent")
    assert text.startswith(f"{path}:3: content: r3: the agent's text 'One moment' beside tool calls that no tool "
                           "turn answers ends the thread: left out of what a model candidate is sent, so its "
                           "messages end on the customer's turn or a tool result")
    assert call.endswith(POINTER) and text.endswith(POINTER)


def test_a_jsonl_thread_warns_at_the_turns_field(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"id": "r3", "turns": HOLDING.model_dump(mode="json")["turns"]}) + "\n")
    notes = load_dataset(path).notes
    assert [n.split(": ")[1] for n in notes] == ["turns[1].tool_calls[0].id", "turns[1].content"]


def test_a_call_with_an_empty_text_needs_no_warning_of_its_text(tmp_path):
    path = _csv(tmp_path, "r,user,Cancel order 3,,,\nr,assistant,,cancel_order,call_c,{}\nr,assistant,Done.,,,\n")
    notes = load_dataset(path).notes
    assert len(notes) == 1 and ": tool_call_id: " in notes[0]


def test_arguments_that_are_no_json_object_are_warned_of_and_sent_as_one(tmp_path):
    path = _csv(tmp_path, "r4,user,Status of 44?,,,\n"
                          "r4,assistant,,lookup_order,call_4,{bad json\n"
                          "r4,tool,order 44: shipped,lookup_order,call_4,\n"
                          "r4,assistant,Order 44 has shipped.,,,\n")
    loaded = load_dataset(path)
    [note] = loaded.notes
    assert note == (f"{path}:3: tool_arguments: r4: tool call 'lookup_order' has arguments that are not a JSON "
                    "object (invalid JSON: Expecting property name enclosed in double quotes at column 2): a model "
                    "candidate is sent them as {\"unparsed_arguments\": <the text>}, a JSON object every API "
                    f"accepts {POINTER}")
    assert loaded.cases[0].turns[1].tool_calls[0].arguments == "{bad json"  # the case keeps what was recorded
    sent = _sent(loaded.cases[0])
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"]) == {"unparsed_arguments": "{bad json"}
    assert _anthropic(sent)[1]["content"][0]["input"] == {"unparsed_arguments": "{bad json"}


@pytest.mark.parametrize(("arguments", "sent"), [
    ("{\"order_id\": \"1\"}", {"order_id": "1"}), ("", {}), ("[1, 2]", {"unparsed_arguments": "[1, 2]"}),
    ("\"1234\"", {"unparsed_arguments": "\"1234\""})])
def test_only_a_json_object_is_sent_as_recorded(arguments, sent):
    case = Case.model_validate({"id": "a", "turns": [
        {"role": "customer", "content": "Where is 1?"},
        {"role": "agent", "content": "", "tool_calls": [{"id": "c", "name": "lookup_order", "arguments": arguments}]},
        {"role": "tool", "tool_call_id": "c", "content": "shipped"}]})
    assert json.loads(_sent(case)[1]["tool_calls"][0]["function"]["arguments"]) == sent


def test_one_of_several_calls_is_named_at_the_tool_calls_column(tmp_path):
    calls = [{"id": "a", "type": "function", "function": {"name": "lookup_order", "arguments": "{\"id\": 1}"}},
             {"id": "b", "type": "function", "function": {"name": "refund_status", "arguments": "nope"}}]
    path = tmp_path / "prod.csv"
    path.write_text("thread_id,role,content,tool_name,tool_call_id,tool_calls\n"
                    "r,user,Refund 1?,,,\n"
                    f"r,assistant,,,,\"{json.dumps(calls).replace(chr(34), chr(34) * 2)}\"\n"
                    "r,tool,shipped,lookup_order,a,\n"
                    "r,tool,refused,refund_status,b,\n"
                    "r,assistant,Refused.,,,\n")
    [note] = load_dataset(path).notes
    assert note.startswith(f"{path}:3: tool_calls: r: tool call 'refund_status' has arguments that are not a JSON")


def test_a_call_without_an_id_is_named_at_the_tool_name_column(tmp_path):
    path = _csv(tmp_path, "r,user,Where is 1?,,,\nr,assistant,,lookup_order,,{}\nr,user,Hello?,,,\n")
    [note] = load_dataset(path).notes
    assert note.startswith(f"{path}:3: tool_name: r: tool call 'lookup_order' that no tool turn answers")


def test_a_tool_call_reply_points_at_the_tool_section():
    assert tool_call_reply_message("openai/x", ["lookup_order"]).endswith(POINTER)
