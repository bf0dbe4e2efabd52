"""harness estimate counts a recorded thread's tool calls (names and arguments) and tool results in the
responder's prompt tokens, as the messages a run then sends carry them."""

from __future__ import annotations

import json

from harness.config.evalfile import load_eval
from harness.runner.engine import RunOptions, run_eval
from harness.runner.estimate import estimate_run, token_counter
from tests.support.openai_server import OpenAIServer

ARGUMENTS = json.dumps({"order_id": "1234", "fields": ["status", "carrier", "tracking", "delivery_date"],
                        "note": "customer says the parcel is a week late and wants a refund if it is lost"})
RESULT = "order 1234: shipped 3 Nov by DPD, tracking DP99812, delivered 5 Nov to the front porch, signed by J."
THREAD = {"id": "o1", "turns": [
    {"role": "customer", "content": "Where is my order 1234? It is a week late."},
    {"role": "agent", "content": "", "tool_calls": [{"id": "call_1", "name": "lookup_order_with_tracking",
                                                     "arguments": ARGUMENTS}]},
    {"role": "tool", "tool_call_id": "call_1", "content": RESULT}]}


def sent_tokens(messages: list[dict], count) -> int:
    """What a request carried: each message's text, its calls' names and arguments, 4 tokens of framing."""
    total = 0
    for message in messages:
        total += count(message.get("content") or "") + 4
        for call in message.get("tool_calls") or []:
            total += count(call["function"]["name"]) + count(call["function"]["arguments"])
    return total


def test_tool_arguments_and_results_count_as_sent(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps(THREAD) + "\n")
    with OpenAIServer() as server:
        (tmp_path / "e.yaml").write_text(
            f"dataset: d.jsonl\nchecks: [apology_wording]\ncandidates:\n"
            f"  - {{name: bot, model: openai/m, api_base: \"{server.base_url}\", prompt: \"Be kind.\"}}\n")
        found = estimate_run(load_eval(tmp_path / "e.yaml"))
        run_eval(tmp_path / "e.yaml", RunOptions(out=tmp_path / "run", cache_path=tmp_path / "c.sqlite"))
    (request,) = server.requests
    count = token_counter()
    line = next(line for line in found.lines if line.role == "responder")
    # The run sent 4 messages (system, user, the call, the result) for 3 turns: the estimate allows 4 per turn
    # and the system prompt, so the framing is the same here.
    assert line.prompt_tokens == sent_tokens(request.messages, count)
    assert count(ARGUMENTS) > 20 and count(RESULT) > 20  # both would be missed, not lost in rounding
