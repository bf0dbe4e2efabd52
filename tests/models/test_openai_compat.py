"""The thin OpenAI-compatible client: routing, status mapping, schema fallback, pool clean-up.

Behaviour shared with litellm (retries, Retry-After, fault kinds) is tested for both paths in
``test_litellm_provider.py``; this file covers what only the thin client does.
"""

from __future__ import annotations

import asyncio
import gc
import json
import warnings

import pytest
from aiohttp import web

from harness.errors import (AuthError, CallTimeoutError, ContentFilterError, MissingCredentialError, ModelCallError,
                            RateLimitError, ServerError)
from harness.models import GenerateConfig, Message, ModelSpec, build_model, build_provider
from harness.models.litellm_provider import LiteLLMProvider
from harness.models import openai_compat
from harness.models.openai_compat import OpenAICompatProvider, error_for_status

QUESTION = [Message(role="user", content="where is my parcel")]
SCHEMA = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}


def test_registry_routes_openai_with_api_base_to_the_thin_client():
    assert isinstance(build_provider(ModelSpec(name="openai/m", api_base="http://x/v1")), OpenAICompatProvider)
    assert isinstance(build_provider(ModelSpec(name="openai/gpt-4o-mini")), LiteLLMProvider)
    forced = build_provider(ModelSpec(name="litellm/openai/m", api_base="http://x/v1"))
    assert isinstance(forced, LiteLLMProvider) and forced.name == "openai/m"
    assert isinstance(build_provider(ModelSpec(name="anthropic/claude-3-5-haiku-latest")), LiteLLMProvider)


def test_uses_litellm_says_which_specs_need_the_litellm_import():
    from harness.models import uses_litellm

    assert not uses_litellm(ModelSpec(name="openai/m", api_base="http://x/v1"))
    assert not uses_litellm(ModelSpec(name="embedded/gemma-3-270m"))
    assert uses_litellm(ModelSpec(name="openai/gpt-4o-mini"))
    assert uses_litellm(ModelSpec(name="litellm/openai/m", api_base="http://x/v1"))
    assert uses_litellm(ModelSpec(name="anthropic/claude-3-5-haiku-latest"))


@pytest.mark.parametrize("status,headers,kind,retryable,retry_after", [
    (429, {"Retry-After": "2"}, RateLimitError, True, 2.0),
    (429, {"retry-after-ms": "250"}, RateLimitError, True, 0.25),
    (429, {"Retry-After": "nan"}, RateLimitError, True, None),
    (429, {"retry-after-ms": "NaN"}, RateLimitError, True, None),
    (429, {"Retry-After": "-5"}, RateLimitError, True, 0.0),
    (429, {"Retry-After": "abc"}, RateLimitError, True, None),
    (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, RateLimitError, True, 0.0),
    (408, {}, CallTimeoutError, True, None),
    (408, {"Retry-After": "3"}, CallTimeoutError, True, 3.0),
    (500, {}, ServerError, True, None),
    (500, {"retry-after-ms": "1500"}, ServerError, True, 1.5),
    (503, {}, ServerError, True, None),
    (503, {"Retry-After": "3"}, ServerError, True, 3.0),
    (401, {"Retry-After": "3"}, AuthError, False, None),
    (401, {}, AuthError, False, None),
    (403, {}, AuthError, False, None),
    (404, {}, ModelCallError, False, None),
])
def test_status_codes_map_to_the_error_tree(status, headers, kind, retryable, retry_after):
    error = error_for_status(status, headers, b'{"error": {"message": "nope"}}', "openai/m")
    assert type(error) is kind and error.retryable is retryable and error.retry_after == retry_after
    assert "HTTP %d: nope" % status in str(error)


def test_a_content_policy_refusal_is_a_content_filter_error():
    body = json.dumps({"error": {"message": "flagged", "code": "content_policy_violation"}}).encode()
    assert isinstance(error_for_status(400, {}, body, "openai/m"), ContentFilterError)


def test_a_200_error_coded_429_keeps_the_retry_after_of_its_headers(openai_server):
    # litellm drops the headers of a 200 it turns into an error, so this is the thin path's alone.
    openai_server.retry_after_s = 0.5
    openai_server.queue("rate_limit_in_body")
    model = build_model(ModelSpec(name="openai/m", api_base=openai_server.base_url))
    sleeps = []

    async def record(seconds):
        sleeps.append(seconds)

    model.sleep = record
    assert asyncio.run(model.generate(QUESTION)).attempts == 2
    assert sleeps == [0.5]


@pytest.mark.parametrize("error,kind,retryable", [
    ("some string", ServerError, True),
    ({"message": "m"}, ServerError, True),
    ({"message": "m", "code": 422}, ServerError, True),
    ({"message": "m", "code": "429"}, ServerError, True),
    ({"message": "m", "code": 503}, ServerError, True),
    ({"message": "m", "code": 408}, CallTimeoutError, True),
    ({"message": "m", "code": 401}, AuthError, False),
    ({"message": "m", "code": "content_filter"}, ContentFilterError, False),
])
def test_an_error_object_in_a_200_body_maps_by_its_code(error, kind, retryable):
    found = openai_compat.error_in_body({"error": error}, {}, "openai/m")
    assert type(found) is kind and found.retryable is retryable and "error in a 200 answer" in str(found)


@pytest.mark.parametrize("error", ["some string", {"message": "m", "code": 503}, {"message": "m", "code": 429}])
def test_an_error_object_in_a_200_body_keeps_the_retry_after_of_its_headers(error):
    found = openai_compat.error_in_body({"error": error}, {"Retry-After": "4"}, "openai/m")
    assert found.retryable and found.retry_after == 4.0


def test_a_200_with_choices_keeps_its_answer_whatever_its_error_field():
    assert openai_compat.error_in_body(completion(error="x"), {}, "openai/m") is None
    assert openai_compat.error_in_body({"error": None, "choices": []}, {}, "openai/m") is None


def completion(message=None, **fields):
    message = {"role": "assistant", "content": "hi"} if message is None else message
    return {"choices": [{"index": 0, "finish_reason": "stop", "message": message}], **fields}


@pytest.mark.parametrize("usage", [{"prompt_tokens": "5", "completion_tokens": "abc"}, [1, 2],
                                   {"prompt_tokens": float("nan"), "completion_tokens": 2.5}])
def test_usage_that_is_no_count_is_zero_rather_than_a_lost_answer(usage):
    # A ValidationError here was a non-retryable model_error: a good reply lost to its accounting.
    response = OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://x/v1")).to_response(
        completion(usage=usage))
    assert response.text == "hi" and (response.usage.prompt_tokens, response.usage.completion_tokens) == (0, 0)


def test_a_finish_reason_that_is_no_string_keeps_the_answer():
    payload = {"choices": [{"index": 0, "finish_reason": 7, "message": {"role": "assistant", "content": "hi"}}]}
    response = OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://x/v1")).to_response(payload)
    assert response.text == "hi" and response.finish_reason is None


def test_logprobs_of_an_unknown_shape_are_left_out_and_keep_the_answer():
    choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"},
              "logprobs": {"content": [1, {"token": "x", "top_logprobs": "y"}]}}
    response = OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://x/v1")).to_response(
        {"choices": [choice]})
    assert response.text == "hi" and response.logprobs is None


@pytest.mark.parametrize("payload", [completion({"role": "assistant", "content": 42}),
                                     completion({"role": "assistant", "content": {"text": "hi"}}),
                                     {"choices": [{"index": 0, "finish_reason": "stop"}]},
                                     {"choices": [{"index": 0, "message": "hi"}]}])
def test_a_message_of_the_wrong_shape_is_a_retryable_server_error(payload):
    with pytest.raises(ServerError) as caught:
        OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://x/v1")).to_response(payload)
    assert caught.value.retryable


def test_a_body_that_is_not_json_still_gives_a_readable_error():
    error = error_for_status(502, {}, b"<html>bad gateway</html>", "openai/m")
    assert isinstance(error, ServerError) and "bad gateway" in str(error)


def test_request_body_carries_params_extra_and_strict_schema():
    provider = OpenAICompatProvider(ModelSpec(name="openai/served", api_base="http://x/v1"))
    config = GenerateConfig(temperature=0, max_tokens=9, stop=["\n"], response_schema={**SCHEMA, "x": {"maxLength": 3}},
                            logprobs=True, extra={"top_k": 3})
    body = provider.request_body(QUESTION, config)
    assert body["model"] == "served" and body["messages"] == [{"role": "user", "content": "where is my parcel"}]
    assert (body["temperature"], body["max_tokens"], body["stop"], body["top_k"]) == (0, 9, ["\n"], 3)
    assert body["logprobs"] is True and body["top_logprobs"] == 5
    assert body["response_format"]["json_schema"]["strict"] is True
    assert "maxLength" not in json.dumps(body["response_format"])


def test_a_named_key_must_be_set_and_is_sent_as_bearer(monkeypatch):
    provider = OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://x/v1", api_key_env="THIN_TEST_KEY"))
    monkeypatch.delenv("THIN_TEST_KEY", raising=False)
    with pytest.raises(MissingCredentialError, match="THIN_TEST_KEY"):
        provider.check_credentials()
    monkeypatch.setenv("THIN_TEST_KEY", "sk-secret")
    assert provider._headers()["Authorization"] == "Bearer sk-secret"


class RefusesJsonSchema:
    """A server that answers 400 to json_schema response formats, like some local servers do."""

    def __init__(self):
        self.formats = []

    async def handle(self, request):
        body = await request.json()
        self.formats.append(body.get("response_format", {}).get("type"))
        if self.formats[-1] == "json_schema":
            return web.json_response({"error": {"message": "response_format json_schema unsupported"}}, status=400)
        return web.json_response({"choices": [{"message": {"content": '{"score": 3}'}, "finish_reason": "stop"}]})


async def _serve_and_ask(handler, spec_fields, calls=2):
    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    model = build_model(ModelSpec(name="openai/m", api_base=f"http://127.0.0.1:{port}/v1", **spec_fields))
    try:
        return [await model.generate(QUESTION, GenerateConfig(response_schema=SCHEMA)) for _ in range(calls)]
    finally:
        await model.provider.aclose()
        await runner.cleanup()


def test_json_schema_refusal_falls_back_to_json_object_once():
    server = RefusesJsonSchema()
    answers = asyncio.run(_serve_and_ask(server.handle, {}))
    assert [a.text for a in answers] == ['{"score": 3}'] * 2
    assert server.formats == ["json_schema", "json_object", "json_object"]


def test_the_pool_is_closed_when_asyncio_run_ends(openai_server, monkeypatch):
    opened = []
    real_open = openai_compat._open_session
    monkeypatch.setattr(openai_compat, "_open_session", lambda spec: opened.append(real_open(spec)) or opened[-1])
    model = build_model(ModelSpec(name="openai/m", api_base=openai_server.base_url))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):  # a new loop each time: each gets its own pool, closed with it
            assert asyncio.run(model.generate(QUESTION)).text.startswith("echo:")
        gc.collect()
    assert len(opened) == 2 and all(s.closed for s in opened)
    assert not [w for w in caught if "Unclosed" in str(w.message)]


@pytest.mark.parametrize("name", ["openai/m", "litellm/openai/m"])
def test_extra_body_and_extra_headers_reach_the_server_the_same_on_both_paths(openai_server, name):
    # vLLM reads top_k and chat_template_kwargs from the body; a gateway reads its tags from headers.
    extra = {"extra_body": {"top_k": 5, "chat_template_kwargs": {"enable_thinking": False}},
             "extra_headers": {"X-Gateway-Team": "qa"}, "repetition_penalty": 1.1}
    spec = ModelSpec(name=name, api_base=openai_server.base_url, params=GenerateConfig(extra=extra))
    asyncio.run(build_model(spec).generate([Message(role="user", content="hi")]))
    [request] = openai_server.requests
    assert request.body["top_k"] == 5 and request.body["chat_template_kwargs"] == {"enable_thinking": False}
    assert request.body["repetition_penalty"] == 1.1
    assert "extra_body" not in request.body and "extra_headers" not in request.body
    assert {k.lower(): v for k, v in request.headers.items()}["x-gateway-team"] == "qa"


def test_an_extra_body_that_is_no_mapping_is_a_case_error():
    provider = OpenAICompatProvider(ModelSpec(name="openai/m", api_base="http://127.0.0.1:9/v1"))
    with pytest.raises(ModelCallError, match="extra_body must be a mapping"):
        provider.request_body([Message(role="user", content="hi")], GenerateConfig(extra={"extra_body": [1]}))
