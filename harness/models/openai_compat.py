"""A thin chat-completions client for OpenAI-compatible servers (vLLM, llama.cpp, Ollama, gateways).

Chosen by the registry for ``openai/<served-name>`` with an ``api_base``; ``litellm/openai/...``
forces litellm instead. Measured on 2 cores against a loopback server (``benchmarks/bench_run.py``),
litellm spends ~7 ms of CPU per call, the openai SDK ~2.5 ms and aiohttp ~0.4 ms; the keep-alive
pool of ``harness.models.http_pool`` and the stdlib ``json`` ~0.15 ms, which is what lets a run
reach the provider's floor.

It sends what ``LiteLLMProvider`` sends for the same spec (messages, parameters, a strict
``json_schema`` response format with the same fallback to ``json_object``, ``params.extra`` with the
fields of its ``extra_body`` merged into the body and its ``extra_headers`` sent as headers) and maps failures to
the same error tree: 429, 408 and 5xx (each with its ``Retry-After`` / ``retry-after-ms``, if
any), dropped connections, timeouts and bodies that are not a chat completion are retryable;
other 4xx are not (401 and 403 are an ``AuthError``, kind ``auth``); a filtered answer is a ``ContentFilterError`` and an empty one an
``EmptyResponseError``. Cost is ``None``: a custom endpoint's price is unknown.
"""

from __future__ import annotations

import asyncio
import json
import os
import weakref
from typing import Any

from harness.errors import (AuthError, CallTimeoutError, ConnectionFault, ContentFilterError, EmptyResponseError,
                            MissingCredentialError, ModelCallError, ProtocolError, RateLimitError, ServerError,
                            ToolCallReplyError)
from harness.models.base import (GenerateConfig, Message, ModelResponse, ModelSpec, Usage, token_count,
                                 offers_tools, openai_tool_calls, tool_call_reply_message,
                                 unset_key_env)
from harness.models.http_pool import HTTPConnectionError, HTTPPool
from harness.models.litellm_errors import is_filter_refusal, retry_after_from_headers
from harness.models.litellm_provider import PLACEHOLDER_KEY, SCHEMA_NAME, api_key, portable_schema
from harness.models.logprobs import rejects_logprobs, with_field_probabilities, without_logprobs
from harness.records.redaction import clip, register_secret_env


class OpenAICompatProvider:
    """One ``POST {api_base}/chat/completions`` per ``generate``, over a keep-alive connection pool.

    A pool belongs to one event loop; each loop gets its own, closed when ``asyncio.run`` shuts
    the loop down (or by :meth:`aclose`).
    """

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.name = spec.name
        if spec.api_key_env:
            register_secret_env(spec.api_key_env)  # an error body quoting the key is redacted before it is cut
        self.served_name = spec.name.split("/", 1)[1]
        self.schema_mode = "json_schema"
        self.logprobs_supported = True  # cleared when the endpoint refuses logprobs
        self._format: tuple[Any, dict[str, Any]] = (None, {})  # (schema, its json_schema response_format)
        self._sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def check_credentials(self) -> None:
        """Raise MissingCredentialError if the spec names a key variable that is not set."""
        env = self.spec.api_key_env
        if env and not os.environ.get(env):
            raise MissingCredentialError(f"{self.name}: {unset_key_env(env)}", field="api_key_env")

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        if config.logprobs and not self.logprobs_supported:
            config = without_logprobs(config)
        status, headers, raw = await self._post(self.request_body(messages, config), extra_headers(config))
        if status == 200:
            payload = _decode(raw, self.name)
            error = error_in_body(payload, headers, self.name)
            if error is not None:
                raise error
            return with_field_probabilities(self.to_response(payload, offers_tools(config)), config)
        if self._should_fall_back(status, raw, config):
            self.schema_mode = "json_object"
            return await self.generate(messages, config)
        if config.logprobs and rejects_logprobs(status, raw.decode("utf-8", "replace")):
            self.logprobs_supported = False  # ask once: the answer goes on without a weighted score
            return await self.generate(messages, config)
        raise error_for_status(status, headers, raw, self.name)

    def request_body(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        """The JSON body of the request (no key: that travels in a header)."""
        body: dict[str, Any] = {"model": self.served_name,
                                "messages": [{"role": m.role, "content": m.content} if m.is_plain
                                             else m.model_dump() for m in messages]}
        for field in ("temperature", "max_tokens", "top_p", "seed", "stop"):
            value = getattr(config, field)
            if value is not None:
                body[field] = value
        if config.response_schema is not None:
            body["response_format"] = self._response_format(config.response_schema)
        if config.logprobs:
            body["logprobs"] = True
            body.setdefault("top_logprobs", 5)
        if config.extra:
            merge_extra(body, config.extra)
        return body

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.schema_mode == "json_object":
            return {"type": "json_object"}
        # A judge sends the same schema object on every call: convert it once (configs are never mutated).
        if self._format[0] is not schema:
            self._format = (schema, {"type": "json_schema", "json_schema": {
                "name": SCHEMA_NAME, "schema": portable_schema(schema), "strict": True}})
        return self._format[1]

    def _should_fall_back(self, status: int, raw: bytes, config: GenerateConfig) -> bool:
        if config.response_schema is None or self.schema_mode != "json_schema" or status not in (400, 422):
            return False
        text = raw.decode("utf-8", "replace").lower()
        return "response_format" in text or "json_schema" in text

    def to_response(self, payload: Any, tools_offered: bool = False) -> ModelResponse:
        """A ModelResponse from a decoded chat completion; refusals and empty answers raise."""
        try:
            choice = payload["choices"][0]
            text = choice["message"].get("content") or ""
            finish = choice.get("finish_reason")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ProtocolError(f"{self.name}: the answer is not a chat completion", retryable=True) from None
        if not isinstance(text, str):
            # Content as a number, an object or a list of parts: litellm refuses such a body too (a
            # retryable server_error there), rather than a model_error from calling str methods on it.
            raise ServerError(f"{self.name}: the answer's content is {type(text).__name__}, not text",
                              retryable=True)
        finish = finish if isinstance(finish, str) else None  # a number here must not cost the answer
        if finish == "content_filter":
            raise ContentFilterError(f"{self.name}: the provider filtered the response")
        calls = choice["message"].get("tool_calls")
        if tools_offered and calls and isinstance(calls, list):  # the harness answers them (runner.tool_loop)
            return ModelResponse(text=text, usage=_usage(payload.get("usage")), finish_reason=finish,
                                 tool_calls=openai_tool_calls(calls))
        if not text.strip():
            if calls and isinstance(calls, list):  # asked for a tool: not an empty answer a retry may fill
                names = [str((call.get("function") or {}).get("name") or "") for call in calls if isinstance(call, dict)]
                raise ToolCallReplyError(tool_call_reply_message(self.name, [n for n in names if n]))
            raise EmptyResponseError(f"{self.name}: empty response (finish_reason={finish})", retryable=True)
        return ModelResponse(text=text, usage=_usage(payload.get("usage")), finish_reason=finish,
                             logprobs=_logprobs(choice.get("logprobs")))

    # -- transport -------------------------------------------------------------

    async def _post(self, body: dict[str, Any], more_headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        headers = self._headers()
        if more_headers:
            headers.update(more_headers)
        try:
            url = self.spec.api_base.rstrip("/") + "/chat/completions"  # type: ignore[union-attr]
            return await self._session().post(url, json.dumps(body).encode(), headers)
        except TimeoutError:
            raise CallTimeoutError(f"{self.name}: no answer within {self.spec.timeout_s:g} s", retryable=True) from None
        except HTTPConnectionError as exc:
            raise ConnectionFault(f"{self.name}: {type(exc).__name__}: {exc}", retryable=True) from exc

    def _headers(self) -> dict[str, str]:
        # The key litellm would send for this spec (the one rule, litellm_provider.api_key); there is
        # always an api_base here, so a spec without api_key_env gets the placeholder.
        return {"Content-Type": "application/json", "Authorization": f"Bearer {api_key(self.spec) or PLACEHOLDER_KEY}"}

    def _session(self) -> Any:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = self._sessions[loop] = _open_session(self.spec)
            _close_with_loop(session)
        return session

    async def aclose(self) -> None:
        """Close this event loop's connection pool (the next call opens a new one)."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()


def merge_extra(body: dict[str, Any], extra: dict[str, Any]) -> None:
    """``params.extra`` into the request ``body`` as litellm (and the OpenAI SDK) place it: the fields of
    ``extra_body`` into the body itself (vLLM's ``top_k``, ``chat_template_kwargs``), ``extra_headers`` left
    out (they travel as headers: :func:`extra_headers`), any other key as a field of the body."""
    for key, value in extra.items():
        if key == "extra_body":
            if not isinstance(value, dict):
                raise ModelCallError(f"params.extra.extra_body must be a mapping of body fields, not "
                                     f"{type(value).__name__}")
            body.update(value)
        elif key != "extra_headers":
            body[key] = value


def extra_headers(config: GenerateConfig) -> dict[str, str] | None:
    """``params.extra.extra_headers``: HTTP headers sent with each request (a gateway's routing or team tags)."""
    headers = config.extra.get("extra_headers") if config.extra else None
    if headers is None:
        return None
    if not isinstance(headers, dict):
        raise ModelCallError(f"params.extra.extra_headers must be a mapping of header names to values, not "
                             f"{type(headers).__name__}")
    return {str(name): str(value) for name, value in headers.items()}


def _open_session(spec: ModelSpec) -> HTTPPool:
    return HTTPPool(limit=spec.concurrency, timeout_s=spec.timeout_s)


_KEEP: set[Any] = set()


def _close_with_loop(session: Any) -> None:
    # asyncio.run() closes every started async generator before it closes the loop, which is the
    # one shutdown hook a library gets without the caller's help: park a generator whose cleanup
    # closes the pool, so the sync facade never leaves "Unclosed client session" behind.
    async def closer() -> Any:
        try:
            yield
        finally:
            _KEEP.discard(generator)
            await session.close()

    generator = closer()
    _KEEP.add(generator)
    asyncio.get_running_loop().create_task(generator.__anext__())


def error_for_status(status: int, headers: Any, raw: bytes, model: str) -> ModelCallError:
    """The harness error for a non-200 answer, mirroring ``map_litellm_error``."""
    detail = _error_detail(raw)
    return _error_for(status, headers, detail, f"{model}: HTTP {status}: {detail['message']}")


def error_in_body(payload: Any, headers: Any, model: str) -> ModelCallError | None:
    """The harness error for a 200 whose body is an error object instead of a chat completion, or None.

    Gateways (OpenRouter among them) answer 200 and put a failure in the body, its ``code`` standing
    for an HTTP status; litellm raises with that code as the status, and so does this, keeping the
    message and a 429's Retry-After. An error with no such code (``{"error": "..."}``) is a
    provider-side failure that a retry may clear: a retryable ServerError on both paths. litellm
    reports a codeless error as a 422, so a code of 422 counts as none here, for the paths to agree.
    A body that also carries choices is left to ``to_response``: its answer is kept.
    """
    if not isinstance(payload, dict) or payload.get("choices") or not payload.get("error"):
        return None
    error = payload["error"]
    detail = _detail_of(error, error if isinstance(error, str) else json.dumps(error))
    code = error.get("code") if isinstance(error, dict) else None
    message = f"{model}: error in a 200 answer: {detail['message']}"
    if type(code) is int and 400 <= code < 600 and code != 422:
        return _error_for(code, headers, detail, message)
    if detail["refused"]:
        return ContentFilterError(message)
    return ServerError(message, retryable=True, retry_after=retry_after_from_headers(_lower(headers)))


def _error_for(status: int, headers: Any, detail: dict[str, Any], message: str) -> ModelCallError:
    # Every retryable status keeps the wait its headers ask for (a 503 sends Retry-After as often as a 429).
    retry_after = retry_after_from_headers(_lower(headers)) if status in (408, 429) or status >= 500 else None
    if status == 429:
        return RateLimitError(message, retryable=True, retry_after=retry_after)
    if status == 408:
        return CallTimeoutError(message, retryable=True, retry_after=retry_after)
    if status >= 500:
        return ServerError(message, retryable=True, retry_after=retry_after)
    if detail["refused"]:
        return ContentFilterError(message)
    if status in (401, 403):
        return AuthError(message)
    return ModelCallError(message)


def _error_detail(raw: bytes) -> dict[str, Any]:
    """The error's message, and whether its ``code`` or ``type`` says the content was refused
    (``content_policy_violation`` may come as either; litellm's mapping checks both too)."""
    text = raw.decode("utf-8", "replace")
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        error = None
    return _detail_of(error, text)


def _detail_of(error: Any, text: str) -> dict[str, Any]:
    if isinstance(error, dict):
        return {"message": _short(str(error.get("message", text))), "refused": is_filter_refusal(error)}
    return {"message": _short(text), "refused": False}


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}


def _decode(raw: bytes, model: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ProtocolError(f"{model}: the answer is not JSON: {_short(raw.decode('utf-8', 'replace'))}",
                          retryable=True) from None


def _usage(usage: Any) -> Usage:
    """Token counts; one that is no count (a string, NaN, negative) is 0 rather than a lost answer."""
    usage = usage if isinstance(usage, dict) else {}
    return Usage(prompt_tokens=token_count(usage.get("prompt_tokens")),
                 completion_tokens=token_count(usage.get("completion_tokens")))


def _logprobs(logprobs: Any) -> list[dict[str, Any]] | None:
    """Per-token logprobs, or None when absent or not in the documented shape (they are an extra)."""
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not content or not isinstance(content, list) or not all(
            isinstance(item, dict) and isinstance(item.get("top_logprobs") or [], list)
            and all(isinstance(t, dict) for t in item.get("top_logprobs") or []) for item in content):
        return None
    return [{"token": item.get("token"), "logprob": item.get("logprob"),
             "top": {t.get("token"): t.get("logprob") for t in (item.get("top_logprobs") or [])}}
            for item in content]


def _short(text: str, limit: int = 300) -> str:
    """``text`` on one line, redacted, then cut to ``limit`` characters (redacted first: see ``clip``)."""
    return clip(" ".join(text.split()), limit, "…")
