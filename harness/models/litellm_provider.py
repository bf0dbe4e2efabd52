"""Any hosted or OpenAI-compatible model, through litellm.

litellm is imported on first use only (it is slow to import and would
otherwise fetch a price list from the network). The key is read from the
environment variable the spec names at call time and is never stored or
logged; a local OpenAI-compatible server (``api_base`` without
``api_key_env``) gets a placeholder key. That rule is :func:`api_key`, the one
every path that sends a key follows (this provider, the thin OpenAI-compatible
client, a batch).
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from harness.errors import (ConfigError, ContentFilterError, EmptyResponseError, MissingCredentialError, ProtocolError,
                            ToolCallReplyError)
from harness.models.base import (GenerateConfig, Message, ModelResponse, ModelSpec, Usage, token_count,
                                 offers_tools, openai_tool_calls, tool_call_reply_message,
                                 unset_key_env)
from harness.models.litellm_errors import map_litellm_error, refused_in_conversion
from harness.models.logprobs import rejects_logprobs, with_field_probabilities, without_logprobs
from harness.records.redaction import register_secret_env

# Local OpenAI-compatible servers (vLLM, llama.cpp, Ollama) ignore the key but the client wants one.
PLACEHOLDER_KEY = "sk-no-key-needed"
SCHEMA_NAME = "judgement"
_import_lock = threading.Lock()
_litellm: Any = None


def import_litellm() -> Any:
    """litellm, imported once with its network fetches, telemetry and callbacks switched off."""
    global _litellm
    with _import_lock:
        if _litellm is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            litellm.telemetry = False
            litellm.suppress_debug_info = True
            litellm.turn_off_message_logging = True
            litellm.success_callback = []
            litellm.failure_callback = []
            litellm.callbacks = []
            _litellm = litellm
    return _litellm


def api_key(spec: ModelSpec) -> str | None:
    """The key a call for ``spec`` sends, read from the environment now (never stored; do not log it).

    The value of ``api_key_env`` when the spec names one; else a placeholder when it has an
    ``api_base`` (a local or custom server: a key meant for the provider never goes there); else
    None: litellm reads the provider's own variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``).
    A named variable that is unset gives None too (``check_credentials`` refuses that before a run).
    """
    if spec.api_key_env:
        return os.environ.get(spec.api_key_env)
    return PLACEHOLDER_KEY if spec.api_base else None


def check_environment(model: str, api_key_env: str | None, api_base: str | None, who: str,
                      where: str | None = None) -> None:
    """Refuse, before any call, a litellm ``model`` whose calls would all fail for want of the environment:
    its key variable unset, or (Azure) no endpoint. ``where`` names a deployment of a routed model
    (``deployments[1]``): the errors then name its fields and its model.
    """
    if model.startswith("azure/") and not api_base and not os.environ.get("AZURE_API_BASE"):
        # litellm raises a ValueError on every call instead, and each case would end in an error.
        raise ConfigError(f"{who}: Azure needs its endpoint: set api_base, or the environment variable "
                          "AZURE_API_BASE", field=f"{where}.api_base" if where else None)
    if api_key_env:
        if not os.environ.get(api_key_env):
            raise MissingCredentialError(f"{who}: {unset_key_env(api_key_env)}",
                                         field=f"{where}.api_key_env" if where else "api_key_env")
        return
    if api_base:
        return
    missing = import_litellm().validate_environment(model=model).get("missing_keys") or []
    if missing:
        raise MissingCredentialError(f"{who}: environment variable {', '.join(missing)} is not set"
                                     + (f" (for {model})" if where else ""), field=where)


# Providers litellm reaches without the openai SDK. For every other (OpenAI, Azure and the many
# OpenAI-compatible ones) it calls through the SDK, whose chat resources are imported on the first call:
# ~0.8 s of CPU that, left to that call, lands in the latency of the first wave of calls (and may time
# them out).
_NOT_THROUGH_OPENAI_SDK = frozenset({"anthropic", "ollama", "ollama_chat", "bedrock", "bedrock_converse",
                                     "vertex_ai", "gemini", "cohere", "cohere_chat", "huggingface", "replicate",
                                     "sagemaker", "sagemaker_chat"})


def import_call_modules(model: str) -> None:
    """Import the modules litellm's first call of ``model`` would import (the openai SDK's chat resources),
    so the first calls do not pay for them."""
    if model.split("/", 1)[0] not in _NOT_THROUGH_OPENAI_SDK:
        import openai.resources  # noqa: F401


class LiteLLMProvider:
    """One litellm ``acompletion`` per ``generate``; errors mapped to the harness tree.

    Structured output asks for a strict ``json_schema`` response format; if the
    endpoint rejects that, this provider falls back to ``json_object`` for the
    rest of its life. A 200 reply that litellm refuses to convert for its junk
    usage or an error object beside its choices is kept, as on the thin path
    (:func:`kept_answer`).
    """

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.name = spec.name
        if spec.api_key_env:
            register_secret_env(spec.api_key_env)  # an error quoting the key is redacted before it is cut
        self.schema_mode = "json_schema"
        self.logprobs_supported = True  # cleared when the endpoint (or litellm) refuses logprobs

    def prepare(self) -> None:
        """Import litellm (seconds, the first time), and what its first call would import; ``Model`` calls
        this outside the timeout and before any call's latency is measured."""
        import_litellm()
        import_call_modules(self.name)

    def check_credentials(self) -> None:
        """Raise MissingCredentialError naming the environment variable a call would need."""
        check_environment(self.name, self.spec.api_key_env, self.spec.api_base, self.name)

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        if config.logprobs and not self.logprobs_supported:
            config = without_logprobs(config)
        sent = SentBody()
        kwargs = {**self.request_kwargs(messages, config), "logger_fn": sent}
        try:
            raw = await self.complete(kwargs)
        except Exception as exc:
            kept = kept_answer(exc, sent)
            if kept is not None:
                return with_field_probabilities(self._kept_response(*kept), config)
            if config.logprobs and rejects_logprobs(getattr(exc, "status_code", None), str(exc)):
                self.logprobs_supported = False  # ask once: the answer goes on without a weighted score
                return await self.generate(messages, config)
            if not self._should_fall_back(exc, config):
                raise map_litellm_error(exc, self.name) from exc
            self.schema_mode = "json_object"
            return await self.generate(messages, config)
        return with_field_probabilities(self.to_response(raw, offers_tools(config)), config)

    def _kept_response(self, raw: Any, usage_known: bool) -> ModelResponse:
        response = self.to_response(raw)
        # Counts litellm could not read are unknown: 0 tokens and no cost, as on the thin path.
        return response if usage_known else response.model_copy(update={"usage": Usage()})

    async def complete(self, kwargs: dict[str, Any]) -> Any:
        """One litellm call with ``kwargs`` (the Router provider sends it through a Router instead)."""
        return await import_litellm().acompletion(**kwargs)

    def request_kwargs(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        """The keyword arguments of the ``litellm.acompletion`` call (the key included: do not log)."""
        kwargs: dict[str, Any] = {
            "model": self.name,
            "messages": [m.model_dump() for m in messages],
            # Model owns retries and the timeout; the client must not retry on its own.
            "max_retries": 0,
            "num_retries": 0,
            "timeout": self.spec.timeout_s,
        }
        if self.spec.api_base:
            kwargs["api_base"] = self.spec.api_base
        key = api_key(self.spec)
        if key:
            kwargs["api_key"] = key
        kwargs.update(self._params(config))
        return kwargs

    def _params(self, config: GenerateConfig) -> dict[str, Any]:
        params = config.model_dump(exclude={"response_schema", "logprobs", "extra"}, exclude_none=True)
        if config.response_schema is not None:
            params["response_format"] = self._response_format(config.response_schema)
        if config.logprobs:
            params["logprobs"] = True
            params.setdefault("top_logprobs", 5)
        params.update(config.extra)
        return params

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.schema_mode == "json_object":
            return {"type": "json_object"}
        return {"type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "schema": portable_schema(schema), "strict": True}}

    def _should_fall_back(self, exc: Exception, config: GenerateConfig) -> bool:
        if config.response_schema is None or self.schema_mode != "json_schema":
            return False
        status = getattr(exc, "status_code", None)
        text = str(exc).lower()
        return status in (400, 422) and ("response_format" in text or "json_schema" in text)

    def to_response(self, raw: Any, tools_offered: bool = False) -> ModelResponse:
        """A ModelResponse from a litellm ``ModelResponse``; refusals and empty answers raise."""
        try:
            choice = raw.choices[0]
        except (AttributeError, IndexError, TypeError):  # "choices": [] passes litellm's own checks
            raise ProtocolError(f"{self.name}: the answer is not a chat completion", retryable=True) from None
        finish = getattr(choice, "finish_reason", None)
        text = getattr(getattr(choice, "message", None), "content", None) or ""
        if finish == "content_filter":
            raise ContentFilterError(f"{self.name}: the provider filtered the response")
        calls = getattr(getattr(choice, "message", None), "tool_calls", None) or []
        if tools_offered and calls:  # the harness answers them (runner.tool_loop)
            return ModelResponse(text=text, usage=self._usage(raw), finish_reason=finish,
                                 tool_calls=openai_tool_calls(list(calls)))
        if not text.strip():
            if calls:  # asked for a tool: not an empty answer a retry may fill
                names = [str(getattr(getattr(call, "function", None), "name", "") or "") for call in calls]
                raise ToolCallReplyError(tool_call_reply_message(self.name, [n for n in names if n]))
            raise EmptyResponseError(f"{self.name}: empty response (finish_reason={finish})", retryable=True)
        return ModelResponse(text=text, usage=self._usage(raw), finish_reason=finish,
                             logprobs=_logprobs(choice))

    def _usage(self, raw: Any) -> Usage:
        usage = getattr(raw, "usage", None)
        # litellm lets negative counts through: they would subtract from the run's totals.
        return Usage(prompt_tokens=token_count(getattr(usage, "prompt_tokens", 0)),
                     completion_tokens=token_count(getattr(usage, "completion_tokens", 0)),
                     cost_usd=self._cost(raw))

    def _cost(self, raw: Any) -> float | None:
        if self.spec.api_base:
            return None  # a custom endpoint's price is unknown even if the model name is known
        try:
            return float(import_litellm().completion_cost(completion_response=raw))
        except Exception:  # litellm raises for models missing from its price list
            return None


class SentBody:
    """The ``logger_fn`` of one call: keeps the body the provider answered with, as litellm logs it.

    litellm hands its log record to ``logger_fn`` before the HTTP call and after it, before turning
    the body into its response; when that turning fails, the body is the one place the reply is left.
    A per-call hook: nothing global changes for other users of litellm in the process.
    """

    def __init__(self) -> None:
        self.text: str | None = None
        self.model_id: str | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> "SentBody":
        return self  # a copy of the call's arguments must still report to this call

    def __call__(self, details: Any) -> None:
        if not isinstance(details, dict):
            return
        text = details.get("original_response")
        if isinstance(text, str):
            self.text = text
        model_info = (details.get("litellm_params") or {}).get("model_info")
        if isinstance(model_info, dict) and model_info.get("id") is not None:
            self.model_id = str(model_info["id"])  # the Router's deployment, which its responses carry


def kept_answer(exc: BaseException, sent: SentBody) -> tuple[Any, bool] | None:
    """(litellm's response, whether its usage was readable) for a 200 answer litellm refused, or None.

    litellm refuses, while converting it, a chat completion that holds choices and also an ``error``
    object (it raises the error) or a ``usage`` its types cannot take ("n/a", "abc", NaN, 2.5). The
    thin path keeps such a reply, and so does this: the body is converted again by litellm without
    its error (a body with choices keeps its answer whatever its error field), and if that still
    fails, without its usage (then unknown). Any other failure, or a body without choices, is left
    to the error mapping.
    """
    if sent.text is None or not refused_in_conversion(exc):
        return None
    try:
        body = json.loads(sent.text)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list) or not body["choices"]:
        return None
    from litellm.litellm_core_utils.llm_response_utils.convert_dict_to_response import (
        convert_to_model_response_object)

    body.pop("error", None)
    for usage_known in (True, False):
        if not usage_known and body.pop("usage", None) is None:
            return None  # the usage was not what litellm refused
        try:
            raw = convert_to_model_response_object(
                response_object=body, model_response_object=import_litellm().ModelResponse(),
                hidden_params={"model_id": sent.model_id} if sent.model_id else None)
        except Exception:
            continue
        return raw, usage_known
    return None


def _logprobs(choice: Any) -> list[dict[str, Any]] | None:
    content = _field(_field(choice, "logprobs"), "content")
    if not content:
        return None
    return [{"token": _field(item, "token"), "logprob": _field(item, "logprob"),
             "top": {_field(t, "token"): _field(t, "logprob") for t in (_field(item, "top_logprobs") or [])}}
            for item in content]


def _field(obj: Any, name: str) -> Any:
    # litellm hands back objects or plain dicts depending on the provider.
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


# Keywords that strict structured-output modes reject; the harness still validates them on the answer.
UNPORTABLE_KEYWORDS = frozenset({"maxLength", "minLength"})


def portable_schema(schema: Any) -> Any:
    """``schema`` without keywords that providers' strict modes refuse (validation keeps them)."""
    if isinstance(schema, dict):
        return {k: portable_schema(v) for k, v in schema.items() if k not in UNPORTABLE_KEYWORDS}
    if isinstance(schema, list):
        return [portable_schema(v) for v in schema]
    return schema
