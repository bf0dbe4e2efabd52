"""A scripted model for tests and offline examples; it ships with the library.

``FakeModelProvider`` answers from a script: a list consumed one entry per call,
or a function ``(messages, config) -> entry``. An entry is the reply text, a
full :class:`ModelResponse`, or an exception to raise (e.g. a
``RateLimitError`` to exercise retries). Every call is kept in ``history`` so a
test can assert on the exact prompt a judge received.

Eval files name fakes as ``fake/<name>``; tests make them resolvable with
:func:`register_fake`, and ``build_model`` looks them up here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Union

from harness.errors import ConfigError, ModelCallError
from harness.models.base import GenerateConfig, Message, ModelResponse, ModelSpec, Usage
from harness.models.cache import ResponseCache
from harness.models.model import Model

ScriptEntry = Union[str, ModelResponse, BaseException]
ScriptFunction = Callable[[list[Message], GenerateConfig], ScriptEntry]
Script = Union[Sequence[ScriptEntry], ScriptFunction]

FAKE_PREFIX = "fake/"
_REGISTRY: dict[str, "FakeModelProvider"] = {}


class FakeModelProvider:
    """A provider that replays a script and remembers what it was asked.

    When a list script runs out, further calls raise a non-retryable
    ``ModelCallError`` saying so.
    """

    def __init__(self, script: Script, name: str = "fake/model") -> None:
        self.name = name
        self.history: list[tuple[list[Message], GenerateConfig]] = []
        self._function: ScriptFunction | None = script if callable(script) else None
        self._entries: list[ScriptEntry] = [] if callable(script) else list(script)

    @property
    def calls(self) -> int:
        return len(self.history)

    @property
    def last_messages(self) -> list[Message]:
        """The messages of the most recent call."""
        return self.history[-1][0]

    def check_credentials(self) -> None:
        """A fake needs no key."""

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        self.history.append((list(messages), config))
        entry = self._next_entry(messages, config)
        if isinstance(entry, BaseException):
            raise entry
        if isinstance(entry, ModelResponse):
            return entry.model_copy()
        return ModelResponse(text=entry, usage=_word_usage(messages, entry), finish_reason="stop")

    def _next_entry(self, messages: list[Message], config: GenerateConfig) -> ScriptEntry:
        if self._function is not None:
            return self._function(messages, config)
        if len(self.history) > len(self._entries):
            return ModelCallError(f"{self.name}: script exhausted after {len(self._entries)} calls")
        return self._entries[len(self.history) - 1]


def _word_usage(messages: list[Message], text: str) -> Usage:
    # Words stand in for tokens: deterministic, and good enough for accounting tests.
    prompt = sum(len(m.content.split()) for m in messages)
    return Usage(prompt_tokens=prompt, completion_tokens=len(text.split()), cost_usd=None)


def fake_model(script: Script, name: str = "fake/model", *, cache: ResponseCache | None = None,
               **spec_fields: object) -> Model:
    """A :class:`Model` around a new :class:`FakeModelProvider`; ``model.provider.history`` has the calls.

    ``spec_fields`` are passed to :class:`ModelSpec` (e.g. ``max_retries=2``).
    """
    return Model(FakeModelProvider(script, name=name), ModelSpec(name=name, **spec_fields), cache)


def _full_name(name: str) -> str:
    return name if name.startswith(FAKE_PREFIX) else FAKE_PREFIX + name


def register_fake(name: str, provider: FakeModelProvider | Script) -> FakeModelProvider:
    """Make ``fake/<name>`` resolvable by ``build_model``; accepts a provider or a script."""
    if not isinstance(provider, FakeModelProvider):
        provider = FakeModelProvider(provider, name=_full_name(name))
    _REGISTRY[_full_name(name)] = provider
    return provider


def unregister_fake(name: str) -> None:
    _REGISTRY.pop(_full_name(name), None)


def clear_fakes() -> None:
    """Forget every registered fake (tests call this in teardown)."""
    _REGISTRY.clear()


def get_fake(name: str) -> FakeModelProvider:
    """The provider registered as ``fake/<name>``; a ConfigError naming the known ones if absent."""
    try:
        return _REGISTRY[_full_name(name)]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ConfigError(f"unknown fake model {_full_name(name)!r} (registered: {known})",
                          field="model") from None
