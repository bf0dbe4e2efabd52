"""An OpenAI-compatible endpoint reached through a proxy goes through litellm (which honours proxies)."""

from __future__ import annotations

import pytest

from harness.models.base import ModelSpec
from harness.models.registry import behind_proxy, uses_litellm

PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY",
              "all_proxy")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def spec(api_base: str) -> ModelSpec:
    return ModelSpec(name="openai/served", api_base=api_base)


def test_no_proxy_configured_keeps_the_thin_client():
    assert not behind_proxy("https://gateway.example/v1")
    assert not uses_litellm(spec("https://gateway.example/v1"))


def test_https_proxy_sends_https_endpoints_through_litellm(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert behind_proxy("https://gateway.example/v1")
    assert uses_litellm(spec("https://gateway.example/v1"))
    assert not behind_proxy("http://10.0.0.5:8000/v1")  # only https is proxied


def test_no_proxy_exempts_listed_hosts(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,.internal")
    assert not behind_proxy("http://127.0.0.1:8000/v1")
    assert not behind_proxy("http://vllm.internal:8000/v1")
    assert behind_proxy("http://vllm.example.com:8000/v1")


def test_built_provider_follows_the_proxy_rule(monkeypatch):
    from harness.models.litellm_provider import LiteLLMProvider
    from harness.models.openai_compat import OpenAICompatProvider
    from harness.models.registry import build_provider

    assert isinstance(build_provider(spec("http://10.1.2.3:8000/v1")), OpenAICompatProvider)
    monkeypatch.setenv("http_proxy", "http://proxy.corp:3128")
    assert isinstance(build_provider(spec("http://10.1.2.3:8000/v1")), LiteLLMProvider)
