"""The fake model: scripts, history, and the fake/<name> registry used by eval files."""

from __future__ import annotations

import asyncio

import pytest

from harness.errors import ConfigError, ModelCallError, ServerError
from harness.models import (FakeModelProvider, GenerateConfig, Message, ModelResponse, ModelSpec, build_model,
                            clear_fakes, fake_model, register_fake)


@pytest.fixture(autouse=True)
def _forget_fakes():
    yield
    clear_fakes()


def ask(model, text, config=None):
    return asyncio.run(model.generate([Message(role="user", content=text)], config))


def test_history_keeps_the_exact_prompt_and_config():
    model = fake_model(["one", "two"])
    ask(model, "first question", GenerateConfig(temperature=0.3))
    ask(model, "second question")
    (messages, config), (second, _) = model.provider.history
    assert messages == [Message(role="user", content="first question")]
    assert config.temperature == 0.3
    assert model.provider.last_messages[0].content == "second question"


def test_script_entries_can_be_responses_and_exceptions():
    full = ModelResponse(text="scripted", finish_reason="length")
    model = fake_model([full, ModelCallError("refused")])
    assert ask(model, "a").finish_reason == "length"
    with pytest.raises(ModelCallError, match="refused"):
        ask(model, "b")


def test_script_function_sees_messages_and_config():
    model = fake_model(lambda messages, config: f"{messages[-1].content} @ {config.max_tokens}")
    assert ask(model, "ping", GenerateConfig(max_tokens=7)).text == "ping @ 7"


def test_exhausted_script_raises_a_clear_error():
    model = fake_model(["only"])
    ask(model, "a")
    with pytest.raises(ModelCallError, match="script exhausted"):
        ask(model, "b")


def test_registered_fake_is_built_from_its_spec_name():
    provider = register_fake("judge", [ServerError("flaky", retryable=True), "graded"])
    model = build_model(ModelSpec(name="fake/judge"))
    model.backoff_base_s = 0
    assert ask(model, "grade this").text == "graded"
    assert provider.calls == 2 and model.provider is provider


def test_register_fake_accepts_a_script_or_a_provider():
    assert register_fake("fake/a", ["x"]).name == "fake/a"
    provider = FakeModelProvider(["y"], name="fake/b")
    assert register_fake("b", provider) is provider


def test_unknown_fake_is_a_config_error_naming_the_known_ones():
    register_fake("known", ["x"])
    with pytest.raises(ConfigError, match="fake/unknown.*fake/known"):
        build_model(ModelSpec(name="fake/unknown"))
