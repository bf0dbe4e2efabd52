"""Chat messages carrying a replayed tool call or result: sent in OpenAI's form, in the cache key, and told as
text to the embedded model (whose chat format has no tool messages); plain messages exactly as before."""

from __future__ import annotations

import json

from harness.models.base import Message
from harness.models.cache_key import messages_json
from harness.models.embedded import gemma_messages

CALL = {"id": "c1", "type": "function", "function": {"name": "lookup_order", "arguments": "{}"}}


def test_a_plain_message_dumps_and_keys_as_before():
    plain = [Message(role="system", content="Be kind."), Message(role="user", content="Où est ma commande ?")]
    assert [m.model_dump() for m in plain] == [{"role": "system", "content": "Be kind."},
                                               {"role": "user", "content": "Où est ma commande ?"}]
    assert messages_json(plain) == json.dumps([{"content": m.content, "role": m.role} for m in plain],
                                              sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_tool_calls_and_results_are_in_the_cache_key():
    asked = [Message(role="user", content="Where?"), Message(role="assistant", content="", tool_calls=(CALL,))]
    other = [Message(role="user", content="Where?"),
             Message(role="assistant", content="", tool_calls=({**CALL, "id": "c2"},))]
    assert messages_json(asked) != messages_json(other)
    result = Message(role="tool", content="delivered", tool_call_id="c1")
    assert json.loads(messages_json([result])) == [{"content": "delivered", "role": "tool", "tool_call_id": "c1"}]


def test_an_assistant_message_of_calls_only_is_sent_with_null_content_and_reads_back():
    message = Message(role="assistant", content="", tool_calls=(CALL,))
    dumped = message.model_dump()
    assert dumped == {"role": "assistant", "content": None, "tool_calls": [CALL]}
    assert Message(**dumped) == message


def test_the_embedded_model_is_told_tool_use_as_text_in_alternating_turns():
    sent = gemma_messages([Message(role="system", content="Be kind."), Message(role="user", content="Where?"),
                           Message(role="assistant", content="", tool_calls=(CALL,)),
                           Message(role="tool", content="delivered 5 Nov", tool_call_id="c1")])
    assert sent == [{"role": "user", "content": "Be kind.\n\nWhere?"},
                    {"role": "assistant", "content": "[tool call] lookup_order({})"},
                    {"role": "user", "content": "[tool result] delivered 5 Nov"}]
