"""Types shared by every model provider and the :class:`~harness.models.model.Model` wrapper.

A *provider* is a thin adapter with one method, ``generate``: it makes one call
and either returns a :class:`ModelResponse` or raises a
:class:`~harness.errors.ModelCallError` subclass saying whether a retry may help.
Caching, retries, concurrency and accounting live in ``Model``, not here.
"""

from __future__ import annotations

import json
import os
import re

from typing import Any, Literal, Mapping, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

EMBEDDED_MODEL = "embedded/gemma-3-270m"  # the offline default: Gemma 3 270M, in-process (models.embedded)


class Message(BaseModel):
    """One chat message, as OpenAI's chat API takes it. A recorded thread's tool use is replayed in OpenAI's
    form (:mod:`harness.candidates.thread_messages`): an assistant message may carry ``tool_calls``
    (``[{"id", "type": "function", "function": {"name", "arguments"}}]``), and a ``tool`` message the result
    of the call ``tool_call_id`` names. A plain message dumps as ``{role, content}``, as before they existed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: tuple[dict[str, Any], ...] | None = None
    tool_call_id: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _null_content(cls, value: Any) -> Any:
        return "" if value is None else value  # an assistant's tool calls, dumped in OpenAI's form, read back

    @model_serializer(mode="wrap")
    def _openai_form(self, handler):
        data = handler(self)
        if self.tool_calls is None:
            data.pop("tool_calls", None)
        else:
            data["tool_calls"] = [dict(call) for call in self.tool_calls]
            if not self.content:  # OpenAI's own form: some providers refuse an empty text beside calls
                data["content"] = None
        if self.tool_call_id is None:
            data.pop("tool_call_id", None)
        return data

    @property
    def is_plain(self) -> bool:
        """Only a role and a text: the form every provider and cache key had before tool messages."""
        return self.tool_calls is None and self.tool_call_id is None


class GenerateConfig(BaseModel):
    """Generation parameters. ``None`` means the provider's default.

    ``response_schema`` asks for structured output validated by this JSON Schema
    (JSON mode / structured outputs where the provider has them; a grammar on the
    embedded model). ``extra`` passes provider-specific parameters through.
    """

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: list[str] | None = None
    response_schema: dict[str, Any] | None = None
    logprobs: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)

    def merged(self, other: "GenerateConfig | None") -> "GenerateConfig":
        """This config with every field set in ``other`` taking precedence."""
        if other is None:
            return self
        # Attribute reads rather than two model_dump() calls: this runs on every model call.
        data = {name: getattr(self, name) for name in GenerateConfig.model_fields}
        for key in other.model_fields_set:
            value = getattr(other, key)
            data[key] = {**data["extra"], **value} if key == "extra" else value
        return GenerateConfig(**data)


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    def __add__(self, other: "Usage") -> "Usage":
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(prompt_tokens=self.prompt_tokens + other.prompt_tokens,
                     completion_tokens=self.completion_tokens + other.completion_tokens,
                     cost_usd=cost)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each half of a surrogate pair standing alone replaced by U+FFFD.

    JSON may escape half of a surrogate pair ("\\ud83e", a cut emoji): text no UTF-8 file can hold,
    so a record, the cache or the report holding it could not be written. Each such half becomes
    U+FFFD, as a UTF-8 decoder does with a broken byte.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def token_count(value: Any) -> int:
    """A usage count as a provider reported it, or 0 when it is no count at all.

    Usage is accounting, not the answer: a count that is negative, fractional, not finite, a string
    or a list must neither cost the reply (a validation error) nor subtract from the run's totals.
    """
    if type(value) is int:
        return value if value >= 0 else 0
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    return 0


class ModelResponse(BaseModel):
    """One completed call. ``cache_hit`` and ``latency_s`` are filled by ``Model``."""

    model_config = ConfigDict(extra="forbid")

    text: str
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = None
    latency_s: float = 0.0
    cache_hit: bool = False
    attempts: int = 1
    # Of those attempts, how many a rate limit (429) answered; filled by ``Model`` for the record's accounting
    # (never stored: a cached answer made no attempt).
    rate_limited: int = Field(0, exclude=True)
    # Per generated token: [{"token": str, "logprob": float, "top": {token: logprob}}], when asked and available.
    logprobs: list[dict[str, Any]] | None = None
    # For constrained enum fields of a structured answer: field -> {JSON value: probability}, when known.
    field_probabilities: dict[str, dict[str, float]] | None = None
    # Which of a model's deployments answered (its name), when the model spreads calls over several.
    deployment: str | None = None
    # The tools the model called instead of (or beside) a text, when it was offered tools (``extra.tools``):
    # OpenAI's form, [{"id", "type": "function", "function": {"name", "arguments"}}]. None otherwise, so a
    # stored answer without calls dumps as before.
    tool_calls: list[dict[str, Any]] | None = None
    # The cache key this answer was stored or found under, filled by ``Model`` (never stored itself), so
    # that a caller refusing the answer can drop it from the cache: ``Model.forget(response)``.
    cache_key: str | None = Field(None, exclude=True)

    @field_validator("text")
    @classmethod
    def _utf8_text(cls, text: str) -> str:
        """A provider's JSON may escape half of a surrogate pair ("\\ud83e", a cut emoji): text no UTF-8
        file can hold, so the record, the cache and the report could not be written. Each such half
        becomes U+FFFD, as a UTF-8 decoder does with a broken byte."""
        return without_lone_surrogates(text)


def offers_tools(config: GenerateConfig) -> bool:
    """Whether the call offers the model tools (a model candidate with ``tools:`` passes them in
    ``extra.tools``): its tool calls are then an answer the caller handles, not a ``tool_call_reply`` error."""
    return bool(config.extra.get("tools")) if config.extra else False


def openai_tool_calls(calls: list[Any]) -> list[dict[str, Any]]:
    """A provider's tool calls (dicts, or litellm's objects) in OpenAI's form, each with an id (one made
    where the provider gave none) and its arguments as text."""
    out = []
    for index, call in enumerate(calls):
        function = _part(call, "function")
        arguments = _part(function, "arguments")
        out.append({"id": str(_part(call, "id") or f"call_{index}"), "type": "function",
                    "function": {"name": str(_part(function, "name") or ""),
                                 "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments or {})}})
    return out


def _part(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def tool_call_reply_message(model: str, names: list[str]) -> str:
    """What a case is told when its model answered with tool calls (``names``) and no text: the
    :class:`~harness.errors.ToolCallReplyError`'s message, the same from every provider."""
    called = ", ".join(names) or "a tool"
    return (f"{model}: answered with a tool call ({called}) instead of a reply to the customer: the harness runs no "
            f"tools, it replays the ones a thread recorded (README: Tool calls and results)")


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENV_NAME_PROBLEM = ("takes the name of an environment variable (letters, digits and _, not starting with a digit), "
                    "not the key itself: put the key in a variable and name the variable here (the value given "
                    "is not repeated, as it may be a key)")


def env_var_name(value: str | None) -> str | None:
    """``api_key_env`` as given, when it is a variable's name; a key pasted in its place is refused without
    being echoed (the error reaches terminals and CI logs)."""
    if value is not None and not _ENV_NAME.fullmatch(value):
        raise ValueError(ENV_NAME_PROBLEM)
    return value


_CONVENTIONAL_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def unset_key_env(env: str, environ: Mapping[str, str] | None = None) -> str:
    """The words for an ``api_key_env`` naming no set variable (or one set to the empty text: "is empty"):
    the name, unless it does not look like one (not in upper case: ``Zq9xkR…`` may be a key pasted in the
    variable's place, which stays unprinted)."""
    state = "is empty" if (os.environ if environ is None else environ).get(env) == "" else "is not set"
    if _CONVENTIONAL_ENV_NAME.fullmatch(env):
        return f"environment variable {env} {state}"
    return (f"the environment variable api_key_env names {state} (its name is not repeated: it does not look "
            "like a variable name, and may be a key pasted in its place)")


RoutingStrategy = Literal["simple-shuffle", "least-busy", "usage-based-routing-v2", "latency-based-routing"]


class DeploymentSpec(BaseModel):
    """One place a logical model is served from (a key, a region, a replica), for litellm's Router."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, description="litellm form of this deployment, e.g. azure/gpt-4o-mini")
    name: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_.:@/+-]+$",
                             description="Names the deployment in records (default: d<index>).")
    api_base: str | None = None
    api_key_env: str | None = Field(None, description="Environment variable holding this deployment's key.")
    rpm: int | None = Field(None, ge=1, description="Requests per minute this deployment allows.")
    tpm: int | None = Field(None, ge=1, description="Tokens per minute this deployment allows.")
    weight: float | None = Field(None, gt=0, description="Share of calls under simple-shuffle routing.")

    _key_env = field_validator("api_key_env")(env_var_name)


class RoutingSpec(BaseModel):
    """How calls are spread over a model's deployments (litellm Router settings)."""

    model_config = ConfigDict(extra="forbid")

    strategy: RoutingStrategy = "simple-shuffle"
    allowed_fails: int = Field(0, ge=0, description="Failures per minute before a deployment is cooled down.")
    cooldown_s: float = Field(30.0, ge=0, description="Seconds a failing deployment is left out.")


class Price(BaseModel):
    """What a model's calls cost, in US dollars per million tokens, as the eval file states it (``price:``).

    For a model litellm's price list does not know or cannot see (a gateway or a self-hosted endpoint
    behind ``api_base``, a negotiated rate): it then prices every call of that model, and wins over any
    cost the provider path reports, since it is what the user says they pay.
    """

    model_config = ConfigDict(extra="forbid")

    input_per_mtok: float = Field(ge=0, allow_inf_nan=False, description="US dollars per million prompt tokens.")
    output_per_mtok: float = Field(ge=0, allow_inf_nan=False,
                                   description="US dollars per million completion tokens.")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1_000_000

    def priced(self, usage: Usage) -> Usage:
        """``usage`` with its cost at this price."""
        return usage.model_copy(update={"cost_usd": self.cost(usage.prompt_tokens, usage.completion_tokens)})


class ModelSpec(BaseModel):
    """How an eval file names a model: litellm form plus call settings.

    ``api_key_env`` names the environment variable holding the key; the key
    itself is never written anywhere by the harness.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="litellm form, e.g. openai/gpt-4o-mini, or embedded/gemma-3-270m")
    api_base: str | None = None
    api_key_env: str | None = None
    params: GenerateConfig = Field(default_factory=GenerateConfig)
    concurrency: int = Field(8, ge=1, le=1024)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0, le=20)
    # Several deployments of the one logical model ``name``: calls are spread over them by litellm's Router.
    deployments: list[DeploymentSpec] = Field(default_factory=list)
    routing: RoutingSpec = Field(default_factory=RoutingSpec)
    # The eval file's own price for this model (accounting only: not part of a call's cache key).
    price: Price | None = None

    _key_env = field_validator("api_key_env")(env_var_name)


class Provider(Protocol):
    """A thin adapter to one model. Raises ModelCallError subclasses on failure."""

    name: str

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse: ...

    def check_credentials(self) -> None:
        """Raise MissingCredentialError (naming the variable) before the first call if a key is missing."""
        ...
