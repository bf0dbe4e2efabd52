"""The real embedded model (slow: loads Gemma 3 270M in-process)."""

from __future__ import annotations

import asyncio
import json

import pytest

from harness.models import EMBEDDED_MODEL, GenerateConfig, Message, ModelSpec, build_model
from harness.models.embedded import gemma_messages

SCHEMA = {
    "type": "object",
    "properties": {"reason": {"type": "string", "maxLength": 80}, "pass": {"type": "boolean"},
                   "score": {"type": "integer"}},
    "required": ["reason", "pass", "score"],
    "additionalProperties": False,
}


def test_system_text_is_folded_into_the_first_user_turn():
    turns = gemma_messages([Message(role="system", content="S"), Message(role="user", content="U")])
    assert turns == [{"role": "user", "content": "S\n\nU"}]


@pytest.mark.embedded
def test_embedded_model_answers_json_under_a_schema():
    pytest.importorskip("llama_cpp")
    jsonschema = pytest.importorskip("jsonschema")
    model = build_model(ModelSpec(name=EMBEDDED_MODEL))
    model.check_credentials()
    messages = [Message(role="system", content="You grade customer-support replies. Answer in JSON."),
                Message(role="user", content="Reply: 'Sorry for the delay, your refund is on its way.' Is it polite?")]
    response = asyncio.run(model.generate(messages, GenerateConfig(max_tokens=120, response_schema=SCHEMA)))
    answer = json.loads(response.text)
    jsonschema.validate(answer, SCHEMA)
    assert response.usage.prompt_tokens > 0 and response.usage.cost_usd == 0.0
