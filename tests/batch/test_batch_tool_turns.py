"""Batch mode sends a recorded thread's tool calls and results in each API's own form: Anthropic's ``tool_use`` and
``tool_result`` blocks (mended where Anthropic would refuse them, as thread_messages mends them for OpenAI, and
with the thread's tools declared, never to be called), OpenAI's ``tool_calls`` and ``tool`` messages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.anthropic_messages import anthropic_messages
from harness.batch.requests import BatchRequest, Failure
from harness.candidates.thread_messages import thread_messages
from harness.datasets.schema import Case
from harness.models.base import GenerateConfig, Message, ModelSpec
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from tests.support.batch_server import BatchServer
from tests.support.openai_server import tool_message_problem

ID = re.compile(r"^[A-Za-z0-9_-]+$")
ORDER = {"id": "o1", "turns": [
    {"role": "user", "content": "Where is my order 1234? It is a week late."},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "lookup_order", "arguments": "{\"order_id\": \"1234\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "order 1234: shipped 3 Nov, delivered 5 Nov"}]}
MENDED = {"id": "m1", "turns": [
    {"role": "customer", "content": "Refund my order 99"},
    {"role": "agent", "content": "Let me check.", "tool_calls": [
        {"id": "c1", "name": "refund_status", "arguments": "{\"order\": 99}"},
        {"id": "c2", "name": "crm", "arguments": "{}"}]},  # c2: no result answers it
    {"role": "tool", "tool_call_id": "c1", "content": "refund refused: outside the 30-day window"},
    {"role": "tool", "name": "ticket_lookup", "content": "ticket 5 open"},  # answers no call
    {"role": "customer", "content": "So?"}]}
PLAIN = {"id": "p1", "turns": [{"role": "customer", "content": "My refund never came."}]}


def anthropic_problem(params: dict[str, Any]) -> str | None:
    """What Anthropic's Messages API says of a request breaking its rules for tool blocks, or None."""
    messages, tools = params["messages"], {t["name"] for t in params.get("tools") or []}
    seen_ids: set[str] = set()
    waiting: set[str] = set()
    for index, message in enumerate(messages):
        if message["role"] not in ("user", "assistant"):
            return f"messages.{index}.role: Input should be 'user' or 'assistant'"
        if index and message["role"] == messages[index - 1]["role"]:
            return f"messages.{index}: roles must alternate"
        blocks = message["content"] if isinstance(message["content"], list) else [
            {"type": "text", "text": message["content"]}]
        results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
        if waiting and results[:len(waiting)] != [i for i in results if i in waiting] or set(results) != waiting:
            return f"messages.{index}: tool_use ids without tool_result blocks immediately after: {waiting}"
        if [b["type"] for b in blocks][:len(results)] != ["tool_result"] * len(results):
            return f"messages.{index}: tool_result blocks must come first"
        if any(b["type"] == "text" and not b["text"].strip() for b in blocks):
            return f"messages.{index}: text content blocks must be non-empty"
        waiting = set()
        for block in blocks:
            if block["type"] == "tool_use":
                if message["role"] != "assistant" or not ID.match(block["id"]) or block["id"] in seen_ids:
                    return f"messages.{index}: bad or repeated tool_use id {block['id']!r}"
                if not ID.match(block["name"]) or not isinstance(block["input"], dict):
                    return f"messages.{index}: tool_use name or input"
                if block["name"] not in tools:
                    return "Requests which include tool_use or tool_result blocks must define tools."
                seen_ids.add(block["id"])
                waiting.add(block["id"])
    return f"tool_use ids without results: {waiting}" if waiting else None


def params_for(case: dict, config: GenerateConfig | None = None) -> dict[str, Any]:
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    messages = (Message(role="system", content="Be kind."), *thread_messages(Case.model_validate(case)))
    return api.params(BatchRequest(key="k" * 64, model="x", messages=messages, config=config or GenerateConfig()))


def test_tool_use_and_tool_result_blocks_with_the_threads_tools_declared_never_called():
    params = params_for(ORDER)
    assert params["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Where is my order 1234? It is a week late."}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "lookup_order",
                                           "input": {"order_id": "1234"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1",
                                      "content": "order 1234: shipped 3 Nov, delivered 5 Nov"}]}]
    assert [t["name"] for t in params["tools"]] == ["lookup_order"] and params["tool_choice"] == {"type": "none"}
    assert anthropic_problem(params) is None


def test_mended_as_for_openai_a_call_unanswered_left_out_a_result_alone_given_its_call():
    params = params_for(MENDED)
    assert anthropic_problem(params) is None
    assistant = params["messages"][1]["content"]
    assert assistant[0] == {"type": "text", "text": "Let me check."}
    assert [b["name"] for b in assistant if b["type"] == "tool_use"] == ["refund_status"]  # crm: never answered
    implied = params["messages"][3]["content"]
    assert implied == [{"type": "tool_use", "id": implied[0]["id"], "name": "ticket_lookup", "input": {}}]
    last = params["messages"][4]["content"]  # the result first, then the customer's text, in one user message
    assert [b["type"] for b in last] == ["tool_result", "text"] and last[0]["tool_use_id"] == implied[0]["id"]


def test_a_plain_thread_is_sent_as_before_without_tools():
    params = params_for(PLAIN)
    assert params["messages"] == [{"role": "user", "content": "My refund never came."}]
    assert "tools" not in params and "tool_choice" not in params


def test_a_judges_forced_answer_keeps_its_tool_first_and_forced():
    schema = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}
    params = params_for(ORDER, GenerateConfig(response_schema=schema))
    assert params["tool_choice"] == {"type": "tool", "name": params["tools"][0]["name"]}
    assert [t["name"] for t in params["tools"][1:]] == ["lookup_order"] and anthropic_problem(params) is None


@pytest.mark.parametrize("messages", [
    # A result that is not right after its call (a customer message between): the call moves before its result.
    [Message(role="user", content="hi"),
     Message(role="assistant", content="", tool_calls=({"id": "a", "type": "function",
                                                         "function": {"name": "crm", "arguments": "{}"}},)),
     Message(role="user", content="still there?"), Message(role="tool", content="found", tool_call_id="a")],
    # One id used twice in a thread, ids and names Anthropic refuses, arguments that are no JSON object.
    [Message(role="user", content="hi"),
     *[m for turn in range(2) for m in (
         Message(role="assistant", content="", tool_calls=({"id": "call 1", "type": "function", "function": {
             "name": "orders.lookup", "arguments": "not json" if turn else "[1, 2]"}},)),
         Message(role="tool", content=f"result {turn}", tool_call_id="call 1"))],
     Message(role="user", content="and?")],
    # Two calls of one message under one id, each answered.
    [Message(role="user", content="hi"),
     Message(role="assistant", content="", tool_calls=tuple({"id": "x", "type": "function", "function": {
         "name": "crm", "arguments": "{}"}} for _ in range(2))),
     Message(role="tool", content="one", tool_call_id="x"), Message(role="tool", content="two", tool_call_id="x")],
    # A result with nothing before it at all, and a result with no content.
    [Message(role="tool", content="", tool_call_id="zz"), Message(role="user", content="hello")],
])
def test_whatever_the_recorded_ids_and_order_anthropic_takes_the_request(messages):
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    params = api.params(BatchRequest(key="k", model="x", messages=tuple(messages), config=GenerateConfig()))
    assert anthropic_problem(params) is None, json.dumps(params["messages"], indent=1)
    text = json.dumps(params["messages"])
    assert all(word in text for m in messages for word in m.content.split())  # every result and text still sent


def test_arguments_that_are_no_object_are_kept_for_the_model_to_read():
    calls = anthropic_messages([Message(role="assistant", content="", tool_calls=(
        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "order 12"}},)),
        Message(role="tool", content="ok", tool_call_id="a")])
    assert calls[0]["content"][0]["input"] == {"unparsed_arguments": "order 12"}  # the live path's key (thread_messages)


def test_an_answer_that_is_only_a_tool_call_is_a_tool_call_reply_not_an_empty_one():
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    request = BatchRequest(key="k", model="x", messages=(Message(role="user", content="hi"),), config=GenerateConfig())
    parsed = api.parse({"type": "succeeded", "message": {"content": [
        {"type": "tool_use", "id": "t", "name": "lookup_order", "input": {}}], "stop_reason": "tool_use"}}, request)
    assert isinstance(parsed, Failure) and parsed.kind == "tool_call_reply" and "lookup_order" in parsed.message


class ToolAwareServer(BatchServer):
    """The mock, answering a ``tool_choice: none`` request in text (the mock forces its first tool otherwise)."""

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        if (params.get("tool_choice") or {}).get("type") == "none":
            params = {key: value for key, value in params.items() if key not in ("tool_choice", "tools")}
        return super()._message(params)


def test_a_batched_run_sends_tool_turns_to_both_apis_in_their_own_form(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in (ORDER, MENDED, PLAIN)))
    with ToolAwareServer() as server:
        (tmp_path / "e.yaml").write_text(f"""
dataset: {tmp_path / 'd.jsonl'}
checks: [apology_wording]
candidates:
  - {{name: claude, model: anthropic/claude-haiku-4-5, api_base: "{server.anthropic_base}", prompt: "Be kind."}}
  - {{name: gpt, model: openai/gpt-4o-mini, api_base: "{server.openai_base}", prompt: "Be kind."}}
""")
        result = run_eval(tmp_path / "e.yaml", RunOptions(out=tmp_path / "run", cache_path=tmp_path / "c.sqlite",
                                                            batch=True))
    records = list(iter_records(Path(result.run_dir)))
    assert len(records) == 6 and all(r.error is None and r.reply.startswith("reply to:") for r in records)
    sent = [item["params"] for batch in server.of("anthropic") for item in batch.requests]
    assert len(sent) == 3 and all(anthropic_problem(params) is None for params in sent)
    assert sum("tool_result" in json.dumps(params["messages"]) for params in sent) == 2
    bodies = [line["body"] for batch in server.of("openai") for line in batch.requests]
    assert len(bodies) == 3 and all(tool_message_problem(body["messages"]) is None for body in bodies)
    assert sum(any(m.get("tool_calls") for m in body["messages"]) for body in bodies) == 2
