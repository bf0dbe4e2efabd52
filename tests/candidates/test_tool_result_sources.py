"""Where a simulated tool call's result comes from, first found: the case's `tool_results`, the thread's recorded
result of that tool (its latest), the tool's own `result`, "no record found"."""

from __future__ import annotations

from harness.candidates.tool_answers import answer_call
from harness.config.tools_spec import ToolSpec
from harness.datasets.schema import Case

TOOLS = {"lookup_order": ToolSpec(name="lookup_order"),
         "refund_status": ToolSpec(name="refund_status", result="no refund on record"),
         "ticket": ToolSpec(name="ticket")}


def _call(name: str) -> dict:
    return {"id": "c9", "type": "function", "function": {"name": name, "arguments": "{}"}}


def _looked_up(call_id: str, content: str, named: bool = False) -> list[dict]:
    result = {"role": "tool", "tool_call_id": call_id, "content": content} | ({"name": "lookup_order"} if named else {})
    return [{"role": "assistant", "content": None, "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": "lookup_order", "arguments": "{}"}}]},
            result]


def _case(*recorded: list[dict], tool_results: dict | None = None) -> Case:
    turns = [{"role": "user", "content": "Where is order 1234?"}]
    for steps in recorded:
        turns += steps + [{"role": "assistant", "content": "Let me check."}, {"role": "user", "content": "And?"}]
    return Case.model_validate({"id": "o1", "turns": turns, "tool_results": tool_results or {}})


def _answer(case: Case, name: str) -> str:
    return answer_call(_call(name), TOOLS, case, 1).result


def test_a_tool_the_thread_called_is_answered_with_its_latest_recorded_result():
    case = _case(_looked_up("a", "order 1234: shipped 3 Nov"), _looked_up("b", "order 1234: delivered 5 Nov", True))
    assert _answer(case, "lookup_order") == "order 1234: delivered 5 Nov"  # not "no record found"


def test_the_cases_tool_results_come_before_the_thread_and_the_thread_before_the_tools_default():
    thread = _looked_up("a", "order 1234: delivered 5 Nov")
    assert _answer(_case(thread, tool_results={"lookup_order": {"status": "lost"}}), "lookup_order") \
        == '{"status": "lost"}'
    assert _answer(_case(thread), "refund_status") == "no refund on record"  # the thread never called it
    assert _answer(_case(thread), "ticket") == "no record found"


def _typo_project(tmp_path, base_url: str) -> None:
    import json

    rows = [{"id": f"o{i}", "turns": [{"role": "customer", "content": "Where is order 1234?"}],
             "tool_results": {"lookup_ordr": "order 1234: shipped 3 Nov", "refund_status": "none"}} for i in (1, 2)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (tmp_path / "eval.yaml").write_text(
        "name: typo\ndataset: cases.jsonl\ncandidates:\n  - name: bot\n    model: openai/test-model\n"
        f"    api_base: {base_url}\n    prompt: You are support.\n    max_retries: 0\n    tools:\n"
        "      - {name: lookup_order}\n      - {name: refund_status}\nchecks: none\n")


def test_a_tool_results_key_no_tool_is_called_is_warned_of_at_validate_and_before_the_run(tmp_path):
    from tests.cli.conftest import harness_cmd
    from tests.support.openai_server import OpenAIServer

    said = ("cases.jsonl:1: tool_results.lookup_ordr: o1 (and 1 more case): no tool is called 'lookup_ordr' (the "
            "candidates' tools are: lookup_order, refund_status), so this entry answers no call; did you mean "
            "lookup_order?")
    with OpenAIServer(reply=lambda body: "Your order shipped.") as server:
        _typo_project(tmp_path, server.base_url)
        checked = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
        assert checked.returncode == 0 and f"warn  {said}" in checked.stderr, checked.stdout + checked.stderr
        assert "tool_results.refund_status" not in checked.stderr  # a key a tool has
        done = harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=tmp_path)
        assert done.returncode == 0 and f"harness: note: {said}" in done.stderr, done.stderr
