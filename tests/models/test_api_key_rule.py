"""One rule decides the key a call sends, whatever path sends it: ``litellm_provider.api_key``.

The value of ``api_key_env`` when the spec names one; a placeholder for an ``api_base`` without one
(a key meant for the provider never goes to a custom server); else None, and litellm reads the
provider's own variable. The litellm provider, the thin OpenAI-compatible client and a batch all
follow it: the same spec sends the same key, read when the call is made. The wire tests check the
``Authorization`` header a loopback server receives from both live paths.
"""

from __future__ import annotations

import asyncio

import pytest

from harness.batch.credentials import batch_key
from harness.models import Message, ModelSpec, build_model
from harness.models.base import GenerateConfig
from harness.models.litellm_provider import PLACEHOLDER_KEY, LiteLLMProvider, api_key
from harness.models.openai_compat import OpenAICompatProvider
from tests.support.openai_server import OpenAIServer

KEY_ENV = "RULE_TEST_KEY"
KEY = "rule-test-key-0123456789"
PROVIDER_KEY = "sk-provider-own-key-0123456789"  # OPENAI_API_KEY: never for a custom api_base
BASE = "http://127.0.0.1:9/v1"
QUESTION = [Message(role="user", content="where is my parcel")]


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv("OPENAI_API_KEY", PROVIDER_KEY)


def litellm_sends(spec: ModelSpec) -> str | None:
    return LiteLLMProvider(spec).request_kwargs(QUESTION, GenerateConfig()).get("api_key")


def thin_sends(spec: ModelSpec) -> str:
    authorization = OpenAICompatProvider(spec)._headers()["Authorization"]
    assert authorization.startswith("Bearer ")
    return authorization.removeprefix("Bearer ")


@pytest.mark.parametrize(("spec", "expected"), [
    (ModelSpec(name="openai/m", api_key_env=KEY_ENV, api_base=BASE), KEY),
    (ModelSpec(name="openai/m", api_key_env=KEY_ENV), KEY),
    (ModelSpec(name="openai/m", api_base=BASE), PLACEHOLDER_KEY),
    (ModelSpec(name="openai/m"), None),
], ids=["named+base", "named", "base-only", "neither"])
def test_the_rule(spec, expected):
    assert api_key(spec) == expected
    assert litellm_sends(spec) == expected


@pytest.mark.parametrize("spec", [
    ModelSpec(name="openai/m", api_key_env=KEY_ENV, api_base=BASE),
    ModelSpec(name="openai/m", api_base=BASE),
], ids=["named", "placeholder"])
def test_both_live_paths_and_a_batch_send_the_same_key_for_the_same_spec(spec):
    # The thin client is only chosen with an api_base; these are the specs both paths can serve.
    expected = api_key(spec)
    assert litellm_sends(spec) == thin_sends(spec) == batch_key(spec, "OPENAI_API_KEY") == expected
    assert PROVIDER_KEY not in (litellm_sends(spec), thin_sends(spec), batch_key(spec, "OPENAI_API_KEY"))


def test_without_an_api_base_litellm_reads_the_provider_variable_and_a_batch_sends_it():
    spec = ModelSpec(name="openai/m")
    assert "api_key" not in LiteLLMProvider(spec).request_kwargs(QUESTION, GenerateConfig())
    assert batch_key(spec, "OPENAI_API_KEY") == PROVIDER_KEY
    named = ModelSpec(name="openai/m", api_key_env=KEY_ENV)
    assert litellm_sends(named) == batch_key(named, "OPENAI_API_KEY") == KEY


def test_the_key_is_read_when_the_call_is_made(monkeypatch):
    spec = ModelSpec(name="openai/m", api_key_env=KEY_ENV, api_base=BASE)
    litellm, thin = LiteLLMProvider(spec), OpenAICompatProvider(spec)
    monkeypatch.setenv(KEY_ENV, "rotated-key-9876543210")
    assert thin._headers()["Authorization"] == "Bearer rotated-key-9876543210"
    assert litellm.request_kwargs(QUESTION, GenerateConfig())["api_key"] == "rotated-key-9876543210"
    assert api_key(spec) == "rotated-key-9876543210"


class KeySeeingServer(OpenAIServer):
    """Remembers the Authorization header of every request (the base server drops it from its log)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.authorizations: list[str | None] = []

    async def _respond(self, request, body, fault):
        self.authorizations.append(request.headers.get("Authorization"))
        return await super()._respond(request, body, fault)


@pytest.mark.parametrize("named", [True, False], ids=["api_key_env", "no-api_key_env"])
def test_on_the_wire_both_live_paths_send_the_rule_s_key(named):
    with KeySeeingServer() as server:
        seen = {}
        for path, name in (("thin", "openai/test-model"), ("litellm", "litellm/openai/test-model")):
            spec = ModelSpec(name=name, api_base=server.base_url, api_key_env=KEY_ENV if named else None,
                             max_retries=0)
            model = build_model(spec)
            assert type(model.provider).__name__ == ("OpenAICompatProvider" if path == "thin" else "LiteLLMProvider")
            asyncio.run(model.generate(QUESTION))
            seen[path] = server.authorizations[-1]
    expected = f"Bearer {KEY if named else PLACEHOLDER_KEY}"
    assert seen == {"thin": expected, "litellm": expected}
