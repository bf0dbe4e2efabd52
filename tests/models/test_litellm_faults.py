"""200 answers litellm refuses while converting them, though the provider sent a reply: junk usage,
and choices beside an error object. Both paths keep the reply (the thin path always did).

Every test runs on both paths (``litellm/openai/...`` and the thin client for ``openai/...``) against
the loopback server of ``tests/support/openai_server.py``, extended here with the faults below.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from aiohttp import web

from harness.errors import ContentFilterError, EmptyResponseError, RateLimitError, ServerError
from harness.models import Message, ModelSpec, build_model
from harness.models.base import DeploymentSpec
from tests.support import openai_server as served
from tests.support.openai_server import OpenAIServer, chat_completion

# The openai SDK warns when litellm dumps a parsed body whose usage is junk; that is the point here.
pytestmark = pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")

QUESTION = [Message(role="user", content="where is my parcel")]
ERROR = {"message": "injected partial failure", "code": 429}

# fault -> what it does to a normal chat completion
ODD_BODIES = {
    "usage_text": lambda c: c.update(usage="n/a"),
    "usage_list": lambda c: c.update(usage=[1, 2]),
    "usage_words": lambda c: c.update(usage={"prompt_tokens": "5", "completion_tokens": "abc", "total_tokens": "x"}),
    "usage_fractions": lambda c: c.update(usage={"prompt_tokens": math.nan, "completion_tokens": 2.5}),
    "choices_and_error": lambda c: c.update(error=dict(ERROR)),
    "choices_and_error_string": lambda c: c.update(error="injected partial failure"),
    "choices_and_error_and_usage_text": lambda c: c.update(error=dict(ERROR), usage="n/a"),
    "empty_choices_and_error": lambda c: c.update(error=dict(ERROR), choices=[]),
    "empty_reply_and_error": lambda c: (c.update(error=dict(ERROR)),
                                        c["choices"][0]["message"].update(content="")),
    "filtered_and_usage_text": lambda c: (c.update(usage="n/a"), c["choices"][0].update(finish_reason="content_filter"),
                                          c["choices"][0]["message"].update(content=None)),
}


class OddBodyServer(OpenAIServer):
    """The loopback server, also answering 200s whose body litellm's conversion refuses (``ODD_BODIES``)."""

    @staticmethod
    def _check_faults(faults):
        OpenAIServer._check_faults(f for f in faults if f not in ODD_BODIES)

    async def _respond(self, request, body, fault):
        if fault not in ODD_BODIES:
            return await super()._respond(request, body, fault)
        completion = chat_completion(body, self.reply(body))
        ODD_BODIES[fault](completion)
        return web.json_response(completion)


@pytest.fixture
def server():
    with OddBodyServer() as running:
        yield running


@pytest.fixture(params=["litellm/openai/test-model", "openai/test-model"], ids=["litellm", "thin"])
def model_name(request):
    return request.param


def ask(server, name, **spec_fields):
    model = build_model(ModelSpec(name=name, api_base=server.base_url, **spec_fields))
    model.backoff_base_s = 0.001
    return asyncio.run(model.generate(QUESTION))


def test_the_server_knows_its_faults(server):
    assert not set(ODD_BODIES) & set(served.FAULTS)
    with pytest.raises(ValueError):
        server.queue("no_such_fault")


@pytest.mark.parametrize("fault", ["usage_text", "usage_list", "usage_words", "usage_fractions"])
def test_junk_usage_keeps_the_reply_with_usage_unknown(server, model_name, fault):
    # litellm raised "Invalid response object" (a server_error, retried, the reply lost each time).
    server.queue(fault)
    response = ask(server, model_name, max_retries=0)
    assert response.text == "echo: where is my parcel" and response.finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.cost_usd) == (0, 0, None)
    assert response.attempts == 1 and len(server.requests) == 1
    assert "logger_fn" not in server.requests[0].body  # litellm's per-call hook never goes on the wire


@pytest.mark.parametrize("fault", ["choices_and_error", "choices_and_error_string"])
def test_a_reply_beside_an_error_object_is_kept(server, model_name, fault):
    # litellm raised the error (here a rate limit, retried until the reply was lost); the thin path keeps
    # the reply of a body holding choices whatever its error field, and its usage.
    server.queue(fault)
    response = ask(server, model_name, max_retries=0)
    assert response.text == "echo: where is my parcel" and response.attempts == 1
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (4, 5)


def test_a_reply_beside_an_error_and_junk_usage_is_kept(server, model_name):
    server.queue("choices_and_error_and_usage_text")
    response = ask(server, model_name, max_retries=0)
    assert response.text == "echo: where is my parcel"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (0, 0)


def test_an_error_with_empty_choices_is_still_the_error(server, model_name):
    server.queue("empty_choices_and_error")
    with pytest.raises(RateLimitError, match="injected partial failure"):
        ask(server, model_name, max_retries=0)


def test_a_kept_body_is_judged_like_any_answer(server, model_name):
    # An empty reply is still empty and a filtered one still filtered, whatever else the body held.
    server.queue("empty_reply_and_error")
    with pytest.raises(EmptyResponseError):
        ask(server, model_name, max_retries=0)
    server.queue("filtered_and_usage_text")
    with pytest.raises(ContentFilterError):
        ask(server, model_name, max_retries=0)


def test_other_faults_keep_their_kind(server, model_name):
    server.queue("bad_body", "error_string")
    for _ in range(2):
        with pytest.raises(ServerError):
            ask(server, model_name, max_retries=0)


@pytest.mark.parametrize("fault", ["usage_text", "choices_and_error"])
def test_a_routed_model_keeps_the_reply_and_its_deployment(server, fault):
    # One model per fault: the Router still counts the refused body as the deployment's failure and
    # cools it down, which would hold a second call here for cooldown_s.
    spec = ModelSpec(name="support-model", max_retries=0, deployments=[
        DeploymentSpec(model="openai/served-model", name="replica-0", api_base=server.base_url)])
    server.queue(fault)
    response = asyncio.run(build_model(spec).generate(QUESTION))
    assert response.text == "echo: where is my parcel" and response.deployment == "replica-0"
    assert response.attempts == 1 and len(server.requests) == 1
