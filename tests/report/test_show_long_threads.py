"""`harness show` on threads: a recorded agent turn names its author; very long messages and replies are cut
at 2,000 characters with how many more there are (--json keeps them whole)."""

from __future__ import annotations

from harness.records.schema import Record
from harness.report.show import SHOWN_CHARS, render_record


def _case(content: str = "Where is it?") -> dict:
    return {"id": "t1@t2", "turns": [{"role": "customer", "content": "Hi"},
                                     {"role": "agent", "content": "Looking.", "author": "bot-v1"},
                                     {"role": "customer", "content": content}]}


def test_a_recorded_agent_turn_names_who_wrote_it():
    record = Record(case_id="t1@t2", candidate="bot-v2", turn_index=2, reply="Sorry.", reply_source="recorded")
    text = render_record(record, _case())
    assert "  agent (bot-v1): Looking." in text and "  customer: Hi" in text


def test_long_messages_and_replies_are_cut_with_a_count():
    long = "x" * (SHOWN_CHARS + 1234)
    record = Record(case_id="t1@t2", candidate="bot", reply=long, reply_source="model")
    text = render_record(record, _case(long))
    assert " ".join(text.split()).count("… (1,234 more characters: --json has them all)") == 2  # as wrapped
    assert len(text) < 3 * SHOWN_CHARS + 2000
    short = render_record(record.model_copy(update={"reply": "x" * SHOWN_CHARS}), _case())
    assert "more characters" not in short
