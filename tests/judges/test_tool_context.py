"""The judge sees what the bot's tools returned, marked as that and said to be context for the grade (a reply
promising a refund the tool said was refused can be failed); a conversation without tool turns is put to the
judge exactly as before (its prompts, and so its cached grades, are unchanged)."""

from __future__ import annotations

from harness.datasets.schema import Case
from harness.judges.prompt import TOOL_CONTEXT, build_judge_messages, conversation_text
from harness.judges.rubric import Criterion

CRITERION = Criterion(id="no_false_promises", question="Does the reply avoid promising what policy rules out?",
                      scale="pass_fail")
REFUND = Case.model_validate({"id": "r", "turns": [
    {"role": "customer", "content": "Refund order 99 now."},
    {"role": "agent", "content": "", "tool_calls": [{"id": "c9", "name": "refund_status",
                                                     "arguments": "{\"order\": 99}"}]},
    {"role": "tool", "tool_call_id": "c9", "content": "refund refused: outside the 30-day window"}]})


def test_the_conversation_marks_calls_and_results_apart_from_what_either_side_said():
    assert conversation_text(REFUND) == ("[customer] Refund order 99 now.\n"
                                         "[agent → tool refund_status] {\"order\": 99}\n"
                                         "[tool refund_status returned] refund refused: outside the 30-day window")


def test_the_judge_is_told_the_tool_results_are_the_facts_the_bot_had():
    prompt = build_judge_messages(REFUND, "Refund issued!", CRITERION)[1].content
    fence_end = prompt.index(">>>END-")
    assert "refund refused: outside the 30-day window" in prompt[:fence_end]  # inside the fenced conversation
    said = prompt.index(TOOL_CONTEXT)
    assert fence_end < said < prompt.index("Reply under evaluation")  # trusted instructions, outside the fence
    assert "what the support bot's tools returned" in TOOL_CONTEXT


def test_a_conversation_without_tool_turns_is_put_as_before():
    case = Case.model_validate({"id": "p", "turns": [{"role": "customer", "content": "Hi"},
                                                     {"role": "agent", "content": "Hello"},
                                                     {"role": "customer", "content": "Refund"}]})
    assert conversation_text(case) == "[customer] Hi\n[agent] Hello\n[customer] Refund"
    assert TOOL_CONTEXT not in build_judge_messages(case, "ok", CRITERION)[1].content


def test_an_agent_text_beside_its_call_is_kept():
    case = Case.model_validate({"id": "a", "turns": [
        {"role": "customer", "content": "Where is it?"},
        {"role": "agent", "content": "Let me check.", "tool_calls": [{"id": "c", "name": "lookup_order"}]},
        {"role": "tool", "content": "delivered"}]})
    assert conversation_text(case).splitlines()[1:] == ["[agent] Let me check.", "[agent → tool lookup_order] {}",
                                                        "[tool returned] delivered"]
