"""Both OpenAI-protocol paths end to end against the loopback OpenAI-compatible server.

Every test runs twice: through litellm (``litellm/openai/test-model``) and through the thin client
the registry picks for ``openai/<name>`` with an ``api_base`` (``harness.models.openai_compat``),
so the two keep the same behaviour: requests, retries, Retry-After, error kinds.
"""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from harness.errors import (CallTimeoutError, ContentFilterError, EmptyResponseError, MissingCredentialError,
                            ModelCallError, RateLimitError, ServerError)
from harness.models import GenerateConfig, Message, ModelSpec, ResponseCache, build_model
from harness.models.litellm_provider import LiteLLMProvider

MODEL_NAME = "litellm/openai/test-model"
QUESTION = [Message(role="system", content="be brief"), Message(role="user", content="where is my parcel")]


@pytest.fixture(autouse=True, params=["litellm/openai/test-model", "openai/test-model"], ids=["litellm", "thin"])
def model_name(request, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "MODEL_NAME", request.param)
    return request.param


def make_model(server, cache=None, **spec_fields):
    spec = ModelSpec(name=MODEL_NAME, api_base=server.base_url, **spec_fields)
    model = build_model(spec, cache)
    sleeps: list[float] = []

    async def record(seconds):
        sleeps.append(seconds)

    model.sleep = record
    model.backoff_base_s = 0.001
    model.sleeps = sleeps
    return model


def ask(model, config=None):
    return asyncio.run(model.generate(QUESTION, config))


def test_a_call_round_trips_with_usage_and_one_request(openai_server):
    model = make_model(openai_server)
    response = ask(model, GenerateConfig(temperature=0, max_tokens=20))
    assert response.text == "echo: where is my parcel"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (6, 5)
    assert response.usage.cost_usd is None and response.attempts == 1
    [request] = openai_server.requests
    assert request.body["model"] == "test-model"
    assert request.body["messages"][0] == {"role": "system", "content": "be brief"}
    assert (request.body["temperature"], request.body["max_tokens"]) == (0, 20)
    assert "authorization" not in {k.lower() for k in request.headers}


def test_response_schema_becomes_a_strict_json_schema_format(openai_server):
    schema = {"type": "object", "properties": {"pass": {"type": "boolean"}}, "required": ["pass"]}
    ask(make_model(openai_server), GenerateConfig(response_schema=schema))
    fmt = openai_server.requests[0].body["response_format"]
    assert fmt == {"type": "json_schema", "json_schema": {"name": "judgement", "schema": schema, "strict": True}}


def test_second_identical_call_is_served_from_the_cache(openai_server, tmp_path):
    model = make_model(openai_server, cache=ResponseCache(tmp_path / "c.sqlite"))
    ask(model)
    assert ask(model).cache_hit
    assert len(openai_server.requests) == 1


def test_a_lone_surrogate_in_a_reply_becomes_a_replacement_character(openai_server, tmp_path):
    # The server's JSON carries "\\ud83e" (half an emoji): the reply must still be cached and recorded.
    openai_server.reply = lambda body: "sorry \ud83e! \U0001f600"
    model = make_model(openai_server, cache=ResponseCache(tmp_path / "c.sqlite"))
    first = ask(model)
    assert first.text == "sorry \ufffd! \U0001f600"
    first.model_dump_json()  # what the record writer does
    again = ask(model)
    assert again.cache_hit and again.text == first.text


@pytest.mark.parametrize("fault", ["server_error", "unavailable", "drop", "bad_body", "empty", "rate_limit"])
def test_transient_faults_are_retried(openai_server, fault):
    openai_server.queue(fault)
    response = ask(make_model(openai_server))
    assert response.text.startswith("echo:") and response.attempts == 2
    assert [r.fault for r in openai_server.requests] == [fault, None]


@pytest.mark.parametrize("fault", ["no_choices", "content_parts"])
def test_a_body_that_is_no_chat_completion_is_a_retried_server_error(openai_server, fault):
    # "choices": [] raised IndexError on the litellm path and a list of content parts AttributeError on the
    # thin one: a non-retryable model_error, where every other body of the wrong shape is a server_error.
    openai_server.queue(fault, fault)
    with pytest.raises(ServerError):
        ask(make_model(openai_server, max_retries=1))
    assert len(openai_server.requests) == 2
    openai_server.queue(fault)
    assert ask(make_model(openai_server)).attempts == 2


def test_negative_usage_counts_as_zero_and_keeps_the_reply(openai_server):
    openai_server.queue("negative_usage")
    response = ask(make_model(openai_server))
    assert response.text == "echo: where is my parcel"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (0, 0)


def test_retry_after_header_is_honoured(openai_server):
    openai_server.retry_after_s = 0.5
    openai_server.queue("rate_limit_retry_after")
    model = make_model(openai_server)
    assert ask(model).attempts == 2
    assert model.sleeps == [0.5]


def test_rate_limits_stop_after_max_retries(openai_server):
    openai_server.queue(*["rate_limit"] * 5)
    with pytest.raises(RateLimitError):
        ask(make_model(openai_server, max_retries=2))
    assert len(openai_server.requests) == 3


def test_content_filter_is_not_retried(openai_server):
    openai_server.queue("content_filter")
    with pytest.raises(ContentFilterError):
        ask(make_model(openai_server))
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("fault", ["filter_400", "policy_400", "policy_type_400"])
def test_a_400_refusing_the_content_is_a_content_filter_error(openai_server, fault):
    # litellm maps a 400 by its status and kept the body's code only when its text also said
    # "invalid_request_error": these were a model_error there (and a type-only refusal on the thin path).
    openai_server.queue(fault)
    with pytest.raises(ContentFilterError, match=f"injected {fault}") as caught:
        ask(make_model(openai_server))
    assert not caught.value.retryable and len(openai_server.requests) == 1


def test_a_200_whose_body_is_an_error_string_is_a_retried_server_error(openai_server):
    # litellm called it a 422 bad request (a model_error, not retried); the request was accepted and the
    # provider failed, which a retry may clear.
    openai_server.queue("error_string", "error_string")
    with pytest.raises(ServerError) as caught:
        ask(make_model(openai_server, max_retries=1))
    assert caught.value.retryable and len(openai_server.requests) == 2
    openai_server.queue("error_string")
    assert ask(make_model(openai_server)).attempts == 2


def test_a_200_whose_body_is_an_error_coded_429_is_a_rate_limit(openai_server):
    # The thin path called it a server_error ("not a chat completion") and lost the message.
    openai_server.queue("rate_limit_in_body")
    with pytest.raises(RateLimitError, match="injected rate_limit_in_body") as caught:
        ask(make_model(openai_server, max_retries=0))
    assert caught.value.retryable
    openai_server.queue("rate_limit_in_body")
    assert ask(make_model(openai_server)).attempts == 2


def test_empty_answers_exhaust_retries_as_empty_response(openai_server):
    openai_server.queue("empty", "empty")
    with pytest.raises(EmptyResponseError):
        ask(make_model(openai_server, max_retries=1))


def test_slow_server_times_out_after_retries(openai_server):
    openai_server.slow_s = 3
    openai_server.queue("slow", "slow")
    with pytest.raises(CallTimeoutError):
        ask(make_model(openai_server, timeout_s=0.3, max_retries=1))
    assert len(openai_server.requests) == 2


def test_truncated_json_content_is_returned_for_the_judge_to_reject(openai_server):
    openai_server.reply = lambda body: json.dumps({"reason": "polite", "pass": True, "score": 5})
    openai_server.queue("malformed")
    response = ask(make_model(openai_server))
    assert response.finish_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_client_errors_are_not_retried(openai_server):
    model = make_model(openai_server)
    model.provider.spec = model.provider.spec.model_copy(update={"api_base": openai_server.base_url + "/nowhere"})
    with pytest.raises(ModelCallError) as caught:
        ask(model)
    assert not caught.value.retryable


def test_missing_named_key_is_reported_by_variable(monkeypatch):
    monkeypatch.delenv("SUPPORT_EVAL_OPENAI_KEY", raising=False)
    provider = LiteLLMProvider(ModelSpec(name="openai/gpt-4o-mini", api_key_env="SUPPORT_EVAL_OPENAI_KEY"))
    with pytest.raises(MissingCredentialError, match="SUPPORT_EVAL_OPENAI_KEY"):
        provider.check_credentials()


def test_missing_provider_default_key_is_named_by_litellm(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentialError, match="OPENAI_API_KEY"):
        LiteLLMProvider(ModelSpec(name="openai/gpt-4o-mini")).check_credentials()


def test_local_server_needs_no_key(monkeypatch, openai_server):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    provider = LiteLLMProvider(ModelSpec(name="openai/test-model", api_base=openai_server.base_url))
    provider.check_credentials()
    assert provider.request_kwargs(QUESTION, GenerateConfig())["api_key"]


def test_prepare_imports_what_the_first_call_would_so_its_latency_does_not_carry_it():
    # litellm's first call through the openai SDK imported its chat resources (~0.8 s), which landed in the
    # latency of the first wave of calls (review finding); prepare() runs before any call is timed.
    import subprocess
    import sys

    probe = ("import sys\n"
             "from harness.models.base import ModelSpec\n"
             "from harness.models.litellm_provider import LiteLLMProvider\n"
             "for name in ('anthropic/claude-x', 'openai/x'):\n"
             "    LiteLLMProvider(ModelSpec(name=name, api_base='http://127.0.0.1:9')).prepare()\n"
             "    print(name, 'openai.resources' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["anthropic/claude-x False", "openai/x True"]
