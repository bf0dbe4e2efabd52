"""A model candidate offered `tools:` calls them and the harness answers each call from the case
(`tool_results`), through both providers, against the mock server scripted to answer with tool calls, then text."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.records.store import iter_records
from tests.cli.conftest import REPO, harness_cmd
from tests.support.openai_server import OpenAIServer

TOOLS = """\
tools:
  - type: function
    function:
      name: lookup_order
      description: Look up an order by its id.
      parameters:
        type: object
        properties: {order_id: {type: string}}
        required: [order_id]
  - name: refund_status
    description: Whether a refund was issued for an order.
    parameters: {type: object, properties: {order_id: {type: string}}}
    result: no refund on record
"""
CASES = [
    {"id": "o1", "turns": [{"role": "customer", "content": "Where is my order 1234? Refund me!"}],
     "tool_results": {"lookup_order": "order 1234: shipped 3 Nov", "refund_status": {"refunded": False}}},
    {"id": "o2", "turns": [{"role": "customer", "content": "Order 77 never came."}]},
]
FINAL = "Your order 1234 shipped on 3 Nov; no refund has been issued yet. Sorry for the wait."


def _call(name: str, arguments: dict | str, call_id: str) -> dict:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}


def scripted(rounds: list[list[dict]]):
    """A reply function: round k (k tool results answered so far, counted by assistant tool turns) calls the tools
    of ``rounds[k]``; past them, the final text."""
    def reply(body: dict):
        done = sum(1 for m in body["messages"] if m.get("tool_calls"))
        if done < len(rounds):
            return {"content": None, "tool_calls": rounds[done]}
        return FINAL
    return reply


def _project(tmp_path, base_url: str, model: str = "openai/test-model", more: str = "", judge: bool = False) -> None:
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in CASES))
    judging = textwrap.dedent(f"""\
        judge:
          model: openai/test-judge
          api_base: {base_url}
          rubric: {REPO / 'rubrics' / 'support-reply.yaml'}
          criteria: [policy_compliance]
          max_retries: 0
        """) if judge else ""
    (tmp_path / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: tools
        dataset: cases.jsonl
        concurrency: 1
        max_error_rate: 1
        candidates:
          - name: bot
            model: {model}
            api_base: {base_url}
            prompt: "You are a support agent."
            max_retries: 0
        """) + textwrap.indent(TOOLS + more, "    ") + "checks: [apology_wording]\n" + judging)


def _records(tmp_path, run: str = "run") -> dict:
    return {r.case_id: r for r in iter_records(tmp_path / run)}


TWO_ROUNDS = [[_call("lookup_order", {"order_id": "1234"}, "c1")], [_call("refund_status", {"order_id": "1234"}, "c2")]]


@pytest.mark.parametrize("model", ["openai/test-model", "litellm/openai/test-model"], ids=["thin", "litellm"])
def test_a_two_round_lookup_is_answered_from_the_case_and_the_final_text_graded(tmp_path, model):
    with OpenAIServer(reply=scripted(TWO_ROUNDS)) as server:
        _project(tmp_path, server.base_url, model)
        done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        o1 = [r.body for r in server.requests if "1234" in r.messages[1]["content"]]
    assert len(o1) == 3  # two rounds of calls, then the reply
    assert [t["function"]["name"] for t in o1[0]["tools"]] == ["lookup_order", "refund_status"]
    assert "result" not in json.dumps(o1[0]["tools"])  # the harness's own field is not sent
    last = o1[2]["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert last[3] == {"role": "tool", "content": "order 1234: shipped 3 Nov", "tool_call_id": "c1"}
    assert last[5]["content"] == '{"refunded": false}'  # a JSON value, sent as JSON
    records = _records(tmp_path)
    o1r = records["o1"]
    assert o1r.error is None and o1r.reply == FINAL
    assert [(c.round, c.name, c.result, c.error) for c in o1r.tool_calls] == [
        (1, "lookup_order", "order 1234: shipped 3 Nov", None), (2, "refund_status", '{"refunded": false}', None)]
    assert o1r.responder.calls == 3 and o1r.responder.usage.completion_tokens > 0
    # o2 has no tool_results: lookup_order gets the default, refund_status its own `result`.
    assert [c.result for c in records["o2"].tool_calls] == ["no record found", "no refund on record"]


def test_an_unknown_tool_and_bad_arguments_get_error_results_the_model_reads(tmp_path):
    rounds = [[_call("cancel_everything", {}, "c1"), _call("lookup_order", {"order": 5}, "c2"),
               _call("lookup_order", "not json", "c3")]]
    with OpenAIServer(reply=scripted(rounds)) as server:
        _project(tmp_path, server.base_url)
        done = harness_cmd("run", "eval.yaml", "--out", "run", "--case", "o1", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        sent = server.requests[-1].messages
    calls = _records(tmp_path)["o1"].tool_calls
    assert [c.error is not None for c in calls] == [True, True, True]
    assert calls[0].result.startswith("error: unknown tool 'cancel_everything' (the tools are: lookup_order, ")
    assert "do not fit its schema" in calls[1].result and "order_id" in calls[1].result
    assert "not JSON" in calls[2].error
    assert [m["content"] for m in sent if m["role"] == "tool"] == [c.result for c in calls]
    assert _records(tmp_path)["o1"].reply == FINAL  # the case goes on: the model read the errors


def test_a_model_still_calling_tools_after_max_tool_rounds_is_a_case_error_and_the_run_goes_on(tmp_path):
    forever = scripted([[_call("lookup_order", {"order_id": "1234"}, f"c{i}")] for i in range(10)])
    with OpenAIServer(reply=lambda body: forever(body) if "1234" in body["messages"][1]["content"] else FINAL) as server:
        _project(tmp_path, server.base_url, more="max_tool_rounds: 2\n")
        done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    records = _records(tmp_path)
    assert records["o1"].error.kind == "tool_rounds" and "after 2 rounds" in records["o1"].error.message
    assert len(records["o1"].tool_calls) == 2 and records["o1"].responder.calls == 3
    assert records["o2"].error is None and records["o2"].reply == FINAL


def test_a_server_error_mid_loop_is_recorded_on_the_case_with_the_calls_so_far(tmp_path):
    with OpenAIServer(reply=scripted(TWO_ROUNDS)) as server:
        _project(tmp_path, server.base_url)
        server.queue(None, "server_error")  # o1's first round answers, its second fails (max_retries 0)
        done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    records = _records(tmp_path)
    assert records["o1"].error.kind == "server_error"
    assert [c.name for c in records["o1"].tool_calls] == ["lookup_order"]
    assert records["o1"].responder.calls == 2  # the answered round and the failed one
    assert records["o2"].error is None and records["o2"].reply == FINAL


def test_a_rerun_is_served_from_the_cache_round_by_round(tmp_path):
    with OpenAIServer(reply=scripted(TWO_ROUNDS)) as server:
        _project(tmp_path, server.base_url)
        assert harness_cmd("run", "eval.yaml", "--out", "run1", cwd=tmp_path).returncode == 0
        asked = len(server.requests)
        done = harness_cmd("run", "eval.yaml", "--out", "run2", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert len(server.requests) == asked
    again = _records(tmp_path, "run2")["o1"]
    assert again.responder.calls == again.responder.cache_hits == 3
    assert again.tool_calls == _records(tmp_path, "run1")["o1"].tool_calls


def test_show_report_and_judge_see_the_tool_calls(tmp_path):
    def reply(body: dict):
        user = body["messages"][-1]["content"]
        if isinstance(user, str) and "Criterion `" in user:
            return json.dumps({"reason": "fits", "score": "pass"})
        return scripted(TWO_ROUNDS)(body)

    with OpenAIServer(reply=reply) as server:
        _project(tmp_path, server.base_url, judge=True)
        done = harness_cmd("run", "eval.yaml", "--out", "run", "--case", "o1", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        judged = [r.messages[-1]["content"] for r in server.requests
                  if isinstance(r.messages[-1]["content"], str) and "Criterion `" in r.messages[-1]["content"]]
    assert judged and "[bot → tool lookup_order] {\"order_id\": \"1234\"}" in judged[0]
    assert "[tool lookup_order returned] order 1234: shipped 3 Nov" in judged[0]
    shown = harness_cmd("show", "run", "o1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "tool calls (2):" in shown.stdout
    assert "[tool] lookup_order returned: order 1234: shipped 3 Nov" in shown.stdout
    html = (tmp_path / "run" / "report.html").read_text()
    assert "bot called tool lookup_order" in html and "order 1234: shipped 3 Nov" in html


def test_validate_refuses_tools_on_the_embedded_model_in_one_line(tmp_path):
    (tmp_path / "cases.jsonl").write_text(json.dumps(CASES[0]) + "\n")
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        name: e
        dataset: cases.jsonl
        candidates:
          - name: bot
            model: embedded/gemma-3-270m
            prompt: hi
            tools: [{name: lookup_order}]
        """))
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "cannot call tools" in line]
    assert len(errors) == 1 and "eval.yaml:7" in errors[0] and "candidates[0].tools" in errors[0]


def test_a_bad_schema_in_a_tools_file_is_named_by_its_file_line_and_field(tmp_path):
    (tmp_path / "cases.jsonl").write_text(json.dumps(CASES[0]) + "\n")
    (tmp_path / "tools.yaml").write_text(textwrap.dedent("""\
        - name: lookup_order
          parameters: {type: object}
        - name: refund_status
          parameters: {type: object, properties: {order_id: {type: strang}}}
        """))
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        name: e
        dataset: cases.jsonl
        candidates:
          - name: bot
            model: openai/test-model
            api_base: http://127.0.0.1:9/v1
            prompt: hi
            tools: tools.yaml
        """))
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert "tools.yaml:4" in done.stderr and "[1].parameters" in done.stderr and "not a valid JSON Schema" in done.stderr
    (tmp_path / "eval.yaml").write_text((tmp_path / "eval.yaml").read_text().replace("tools.yaml", "nope.yaml"))
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
    assert "eval.yaml:8" in done.stderr and "tools file not found: nope.yaml" in done.stderr


def test_tools_passed_in_params_extra_alone_still_make_a_tool_call_reply_error(tmp_path):
    with OpenAIServer(reply=scripted(TWO_ROUNDS)) as server:
        _project(tmp_path, server.base_url)
        text = (tmp_path / "eval.yaml").read_text()
        start, end = text.index("    tools:"), text.index("checks:")
        extra = '    params: {extra: {tools: [{type: function, function: {name: lookup_order, parameters: {type: object}}}]}}\n'
        (tmp_path / "eval.yaml").write_text(text[:start] + extra + text[end:])
        done = harness_cmd("run", "eval.yaml", "--out", "run", "--case", "o1", cwd=tmp_path)
        assert len(server.requests) == 1  # no loop: nothing answers the call
    assert done.returncode == 3, done.stderr
    record = _records(tmp_path)["o1"]
    assert record.error.kind == "tool_call_reply" and "lookup_order" in record.error.message and not record.tool_calls


def test_a_case_without_tool_results_dumps_as_before():
    from harness.datasets.schema import Case

    assert "tool_results" not in Case.model_validate(CASES[1]).model_dump()
    assert Case.model_validate(CASES[0]).model_dump()["tool_results"]["refund_status"] == {"refunded": False}


def test_the_readme_tools_file_and_case_load(tmp_path):
    import re

    from harness.candidates.tool_answers import answer_call
    from harness.config.tools_spec import load_tools_file
    from harness.datasets.schema import Case
    from tests.support.readme import REPO as ROOT

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Tools for model candidates"):]
    blocks = re.findall(r"```(yaml|json)\n(.*?)```", section, re.S)
    (tmp_path / "tools.yaml").write_text(blocks[1][1])
    tools = {tool.name: tool for tool in load_tools_file(tmp_path / "tools.yaml")}
    case = Case.model_validate(json.loads(blocks[2][1]))
    used = answer_call(_call("refund_status", {"order_id": "1234"}, "c1"), tools, case, 1)
    assert used.result == '{"refunded": false}' and used.error is None
    refused = answer_call(_call("lookup_order", {}, "c2"), tools, case, 1)
    assert refused.result == "error: arguments of lookup_order do not fit its schema: 'order_id' is a required property"


def test_the_rounds_are_asked_live_past_a_batch_gate_on_the_model():
    """--batch wraps a model's generate on the instance; a tool loop's rounds depend on each answer, so they go
    to the class's own generate (asked live, cached as any call)."""
    import asyncio

    from harness.config.tools_spec import ToolSpec
    from harness.datasets.schema import Case
    from harness.models.base import Message, ModelResponse
    from harness.runner.tool_loop import run_tool_loop

    class Fake:
        name = "fake"

        def __init__(self) -> None:
            self.answers = [ModelResponse(text="", tool_calls=[_call("lookup_order", {"order_id": "1"}, "c1")]),
                            ModelResponse(text="Shipped.")]

        async def generate(self, messages, config=None, *, cache_salt=""):
            assert config.extra["tools"][0]["function"]["name"] == "lookup_order"
            return self.answers.pop(0)

    async def gated(*args, **kwargs):
        raise AssertionError("went through the batch gate")

    model = Fake()
    model.generate = gated
    tools = [ToolSpec(name="lookup_order", parameters={"type": "object"})]
    case = Case.model_validate(CASES[0])
    done = asyncio.run(run_tool_loop(model, [Message(role="user", content="hi")], tools, case, max_rounds=5))
    assert done.text == "Shipped." and done.stats.calls == 2 and done.tool_calls[0].result == "order 1234: shipped 3 Nov"


def test_estimate_counts_the_tools_sent_sees_a_cached_first_round_and_says_rounds_are_not_foreseen(tmp_path):
    with OpenAIServer(reply=scripted(TWO_ROUNDS)) as server:
        _project(tmp_path, server.base_url)
        before = harness_cmd("estimate", "eval.yaml", cwd=tmp_path)
        assert before.returncode == 0, before.stderr
        assert harness_cmd("run", "eval.yaml", "--out", "run1", cwd=tmp_path).returncode == 0
        after = harness_cmd("estimate", "eval.yaml", cwd=tmp_path)
    assert "bot has 2 tools: counted at one call per case with their definitions; each tool round a reply takes " \
           "is one more call (up to 6 a case)" in before.stdout
    responder = next(line for line in after.stdout.splitlines() if line.startswith("responder"))
    assert responder.split()[3:5] == ["2", "2"], after.stdout  # both cases' first rounds are in the cache
    untooled = tmp_path / "plain.yaml"
    untooled.write_text((tmp_path / "eval.yaml").read_text().split("    tools:")[0] + "checks: [apology_wording]\n")
    plain = harness_cmd("estimate", "plain.yaml", cwd=tmp_path)
    prompt = lambda out: int(next(l for l in out.splitlines() if l.startswith("responder")).split()[5].replace(",", ""))
    assert prompt(before.stdout) > prompt(plain.stdout) + 40  # the two definitions, sent with every call
