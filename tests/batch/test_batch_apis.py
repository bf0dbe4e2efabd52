"""The batch APIs' request shapes and answer parsing, and batch prices, without a server."""

from __future__ import annotations

import pytest

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.openai_api import OpenAIBatchAPI
from harness.batch.prices import batch_cost, batch_prices
from harness.batch.requests import BatchRequest, Failure
from harness.batch.stages import batch_api_for
from harness.models.base import DeploymentSpec, GenerateConfig, Message, ModelResponse, ModelSpec, Usage

SCHEMA = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 400},
                                           "score": {"type": "integer", "enum": [1, 2, 3, 4, 5]}},
          "required": ["reason", "score"], "additionalProperties": False}


def request(config: GenerateConfig | None = None) -> BatchRequest:
    return BatchRequest(key="k" * 64, model="x", config=config or GenerateConfig(),
                        messages=(Message(role="system", content="Be kind."), Message(role="user", content="hi")))


def test_batch_prices_come_from_litellms_bundled_map():
    # gpt-4o-mini has explicit batch prices in the map: half of $0.15 / $0.60 per million tokens.
    assert batch_prices("openai/gpt-4o-mini") == pytest.approx((0.075e-6, 0.30e-6))
    # claude-haiku-4-5 has list prices only ($1 / $5 per million): half of each.
    assert batch_prices("anthropic/claude-haiku-4-5") == pytest.approx((0.5e-6, 2.5e-6))
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=100_000)
    assert batch_cost("openai/gpt-4o-mini", usage) == pytest.approx(0.075 + 0.03)
    assert batch_prices("openai/no-such-model") is None and batch_cost("openai/no-such-model", usage) is None


def test_which_models_have_a_batch_api():
    assert isinstance(batch_api_for(ModelSpec(name="openai/gpt-4o-mini")), OpenAIBatchAPI)
    assert isinstance(batch_api_for(ModelSpec(name="anthropic/claude-haiku-4-5")), AnthropicBatchAPI)
    for name in ("embedded/gemma-3-270m", "ollama/llama3.1", "azure/gpt-4o-mini"):
        assert batch_api_for(ModelSpec(name=name)) is None
    routed = ModelSpec(name="m", deployments=[DeploymentSpec(model="openai/gpt-4o-mini")])
    assert batch_api_for(routed) is None


def test_anthropic_params_put_system_apart_and_ask_structure_as_a_forced_tool():
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    params = api.params(request(GenerateConfig(temperature=0, stop=["END"], response_schema=SCHEMA, seed=3)))
    assert params["system"] == "Be kind." and params["messages"] == [{"role": "user", "content": "hi"}]
    assert params["model"] == "claude-haiku-4-5" and params["max_tokens"] == 1024
    assert params["stop_sequences"] == ["END"] and "seed" not in params
    assert params["tool_choice"] == {"type": "tool", "name": params["tools"][0]["name"]}
    assert "maxLength" not in str(params["tools"][0]["input_schema"])  # strict modes refuse it


@pytest.mark.parametrize("result, expected", [
    ({"type": "succeeded", "message": {"content": [{"type": "tool_use", "input": {"reason": "ok", "score": 4}}],
                                       "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}}},
     '{"reason": "ok", "score": 4}'),
    ({"type": "errored", "error": {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}},
     Failure("server_error", "")),
    ({"type": "errored", "error": {"type": "invalid_request_error", "message": "bad"}}, Failure("batch_error", "")),
    ({"type": "expired"}, Failure("batch_expired", "")),
    ({"type": "canceled"}, Failure("batch_cancelled", "")),
    ({"type": "succeeded", "message": {"content": [], "stop_reason": "refusal"}}, Failure("content_filter", "")),
    ({"type": "succeeded", "message": {"content": [{"type": "text", "text": " "}], "stop_reason": "end_turn"}},
     Failure("empty_response", "")),
])
def test_anthropic_results_become_answers_or_failures(result, expected):
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    config = GenerateConfig(response_schema=SCHEMA) if result.get("type") == "succeeded" and \
        result["message"]["content"] and result["message"]["content"][0]["type"] == "tool_use" else GenerateConfig()
    parsed = api.parse(result, request(config))
    if isinstance(expected, str):
        assert isinstance(parsed, ModelResponse) and parsed.text == expected
        assert parsed.usage.prompt_tokens == 10 and parsed.usage.cost_usd == pytest.approx(10 * 0.5e-6 + 5 * 2.5e-6)
    else:
        assert isinstance(parsed, Failure) and parsed.kind == expected.kind


@pytest.mark.parametrize("line, kind", [
    ({"response": {"status_code": 429, "body": {"error": {"message": "slow down"}}}}, "rate_limit"),
    ({"response": {"status_code": 400, "body": {"error": {"message": "bad", "code": "content_filter"}}}},
     "content_filter"),
    ({"response": None, "error": {"code": "batch_expired", "message": "window"}}, "batch_expired"),
    ({"response": {"status_code": 200, "body": {"choices": [{"message": {"content": ""}, "finish_reason": "stop"}]}}},
     "empty_response"),
])
def test_openai_failed_lines_keep_the_kind_a_live_call_would_have(line, kind):
    api = OpenAIBatchAPI(ModelSpec(name="openai/gpt-4o-mini"))
    parsed = api.parse({"custom_id": "k", **line}, request())
    assert isinstance(parsed, Failure) and parsed.kind == kind


def test_openai_answer_is_priced_at_the_batch_rate_unless_the_endpoint_is_custom():
    body = {"choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
    line = {"custom_id": "k", "response": {"status_code": 200, "body": body}}
    official = OpenAIBatchAPI(ModelSpec(name="openai/gpt-4o-mini")).parse(line, request())
    assert official.text == "hello" and official.usage.cost_usd == pytest.approx(1000 * 0.075e-6 + 100 * 0.3e-6)
    custom = OpenAIBatchAPI(ModelSpec(name="openai/gpt-4o-mini", api_base="http://h/v1")).parse(line, request())
    assert custom.usage.cost_usd is None


def test_request_lines_round_trip():
    original = request(GenerateConfig(temperature=0.2, response_schema=SCHEMA, logprobs=True))
    assert BatchRequest.from_json(original.to_json()) == original
