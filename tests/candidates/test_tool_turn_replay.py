"""A thread's recorded tool use is replayed to a model candidate in OpenAI's form, through both providers (the
thin OpenAI-compatible client and litellm), to a server that checks OpenAI's rules for tool messages; a model
answering with a tool call instead of text is a `tool_call_reply` error on its case, and the run goes on."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.candidates.thread_messages import thread_messages
from harness.datasets.schema import Case
from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.support.openai_server import OpenAIServer, tool_message_problem

CALL = {"id": "call_1", "type": "function",
        "function": {"name": "lookup_order", "arguments": "{\"order_id\": \"1234\"}"}}
ORDER = {"id": "o1", "turns": [
    {"role": "user", "content": "Where is my order 1234? It is a week late."},
    {"role": "assistant", "content": None, "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "call_1", "content": "order 1234: shipped 3 Nov, delivered 5 Nov"}]}
PLAIN = {"id": "p1", "turns": [{"role": "customer", "content": "My refund never came."}]}


def _case(data: dict) -> Case:
    return Case.model_validate(data)


def test_the_thread_is_sent_with_its_calls_and_results_in_openai_form():
    sent = [m.model_dump() for m in thread_messages(_case(ORDER))]
    assert sent == [{"role": "user", "content": "Where is my order 1234? It is a week late."},
                    {"role": "assistant", "content": None, "tool_calls": [CALL]},
                    {"role": "tool", "content": "order 1234: shipped 3 Nov, delivered 5 Nov", "tool_call_id": "call_1"}]
    assert tool_message_problem(sent) is None


def test_a_plain_thread_is_sent_as_before():
    case = _case({"id": "a", "turns": [{"role": "customer", "content": "a"}, {"role": "customer", "content": "b"},
                                       {"role": "agent", "content": "c"}, {"role": "customer", "content": "d"}]})
    assert [m.model_dump() for m in thread_messages(case)] == [
        {"role": "user", "content": "a\n\nb"}, {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"}]


def test_what_an_api_would_refuse_is_mended_a_call_unanswered_left_out_a_result_alone_given_its_call():
    case = _case({"id": "a", "turns": [
        {"role": "customer", "content": "Refund my order 99"},
        {"role": "agent", "content": "Let me check.", "tool_calls": [
            {"id": "c1", "name": "refund_status", "arguments": "{}"}, {"id": "c2", "name": "crm", "arguments": "{}"}]},
        {"role": "tool", "tool_call_id": "c1", "content": "refund refused: outside the 30-day window"},
        {"role": "tool", "name": "ticket_lookup", "content": "ticket 5 open"}]})
    sent = [m.model_dump() for m in thread_messages(case)]
    assert tool_message_problem(sent) is None
    assert [call["id"] for call in sent[1]["tool_calls"]] == ["c1"]  # c2 answered by nothing: left out
    assert sent[1]["content"] == "Let me check."
    assert sent[3]["tool_calls"][0]["function"]["name"] == "ticket_lookup" and sent[4]["role"] == "tool"


def test_older_function_messages_are_sent_as_tool_calls_with_ids():
    case = _case({"id": "a", "turns": [
        {"role": "user", "content": "Where is 1234?"},
        {"role": "assistant", "content": None, "function_call": {"name": "lookup_order", "arguments": "{}"}},
        {"role": "function", "name": "lookup_order", "content": "delivered"}]})
    sent = [m.model_dump() for m in thread_messages(case)]
    assert tool_message_problem(sent) is None
    assert sent[2]["tool_call_id"] == sent[1]["tool_calls"][0]["id"]


def _project(tmp_path, base_url: str, model: str) -> None:
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in (ORDER, PLAIN)))
    (tmp_path / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: tools
        dataset: cases.jsonl
        concurrency: 1
        max_error_rate: 1
        candidates:
          - name: served
            model: {model}
            api_base: {base_url}
            prompt: "You are a support agent."
            max_retries: 0
        checks: [apology_wording]
        """))


@pytest.mark.parametrize("model", ["openai/test-model", "litellm/openai/test-model"], ids=["thin", "litellm"])
def test_a_served_model_receives_the_tool_turns_and_answers_the_customer(tmp_path, model):
    with OpenAIServer(reply=lambda body: "Your order was delivered on 5 Nov. Sorry for the wait.") as server:
        _project(tmp_path, server.base_url, model)
        done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        bodies = {req.messages[1]["content"]: req.messages for req in server.requests}
    sent = bodies["Where is my order 1234? It is a week late."]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool"]
    assert sent[2]["tool_calls"][0]["function"]["name"] == "lookup_order"
    assert sent[3] == {"role": "tool", "content": "order 1234: shipped 3 Nov, delivered 5 Nov", "tool_call_id": "call_1"}
    records = {r.case_id: r for r in iter_records(tmp_path / "run")}
    assert records["o1"].error is None and records["o1"].reply.startswith("Your order was delivered")


@pytest.mark.parametrize("model", ["openai/test-model", "litellm/openai/test-model"], ids=["thin", "litellm"])
def test_a_model_answering_with_a_tool_call_is_an_error_of_its_own_kind_and_the_run_goes_on(tmp_path, model):
    with OpenAIServer(reply=lambda body: "Sorry about that, I will look into it.") as server:
        _project(tmp_path, server.base_url, model)
        server.queue("tool_call")
        done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        asked = len(server.requests)
    records = list(iter_records(tmp_path / "run"))
    errors = [r.error for r in records if r.error is not None]
    assert len(errors) == 1 and errors[0].kind == "tool_call_reply"
    assert "answered with a tool call (lookup_order) instead of a reply to the customer" in errors[0].message
    assert asked == 2  # not retried: the same messages ask for the same call
    assert sum(r.reply is not None for r in records) == 1
