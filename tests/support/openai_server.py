"""A real OpenAI-compatible chat server on loopback, for tests and benchmarks.

    with OpenAIServer(reply=lambda body: "hello") as server:
        ...  # point a client at server.base_url ("http://127.0.0.1:<port>/v1")
        server.requests  # every request received, in order

It serves ``POST /v1/chat/completions`` (and ``POST /v1/embeddings``: :func:`word_vector`, a deterministic
bag-of-words vector per input, so two texts' cosine follows the words they share) from a background thread (aiohttp, an
ephemeral port) and injects faults either from a per-request ``script``
(consumed first, ``None`` meaning a normal answer) or drawn at ``fault_rates`` (from the seed and
the request itself, so a concurrent run meets the same faults however its requests interleave).

Faults:
    rate_limit              429 without Retry-After
    rate_limit_retry_after  429 with ``Retry-After: <retry_after_s>``
    server_error            500
    unavailable             503
    unavailable_retry_after 503 with ``Retry-After: <retry_after_s>``
    unavailable_retry_after_ms  503 with ``retry-after-ms: <retry_after_s in ms>``
    server_error_retry_after    500 with ``Retry-After: <retry_after_s>``
    request_timeout_retry_after 408 with ``Retry-After: <retry_after_s>``
    drop                    the connection is closed without an answer
    slow                    the answer comes after ``slow_s`` seconds
    malformed               200, but the content is cut-off JSON (finish_reason "length")
    bad_body                200 whose HTTP body is truncated JSON
    empty                   200 with empty content
    content_filter          200 with no content and finish_reason "content_filter"
    no_choices              200 whose ``choices`` is an empty list
    content_parts           200 whose content is a list of parts ``[{"type": "text", "text": ...}]``, not a string
    negative_usage          200, a normal answer whose usage counts are negative
    filter_400              400 whose error object has ``"code": "content_filter"``
    policy_400              400 whose error object has ``"code": "content_policy_violation"``
    policy_type_400         400 whose error object has ``"type": "content_policy_violation"`` and no code
    error_string            200 whose body is ``{"error": "<message>"}``, no choices
    rate_limit_in_body      200 whose body is ``{"error": {"message": ..., "code": 429}}``, with
                            ``Retry-After: <retry_after_s>`` (gateways such as OpenRouter answer so)
    tool_call               200 with no content, a tool call (``lookup_order``) and finish_reason "tool_calls"

Tool messages are checked as OpenAI's API checks them (:func:`tool_message_problem`): an assistant
message's ``tool_calls`` must each be answered by a ``tool`` message right after it, and a ``tool`` message
must answer one; a request breaking that is a 400 ``invalid_request_error``, as there.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

FAULTS = ("rate_limit", "rate_limit_retry_after", "server_error", "unavailable", "unavailable_retry_after",
          "unavailable_retry_after_ms", "server_error_retry_after", "request_timeout_retry_after", "drop", "slow",
          "malformed", "bad_body", "empty", "content_filter", "no_choices", "content_parts", "negative_usage",
          "filter_400", "policy_400", "policy_type_400", "error_string", "rate_limit_in_body", "unauthorized",
          "tool_call")
# A reply function returns the answer's text, or a message dict (``{"content": None, "tool_calls": [...]}``)
# to answer with tool calls.
Reply = Callable[[dict[str, Any]], "str | dict[str, Any]"]


@dataclass
class RecordedRequest:
    """One request as the server saw it (the Authorization header removed)."""

    body: dict[str, Any]
    headers: dict[str, str]
    fault: str | None
    received_at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])


def echo_reply(body: dict[str, Any]) -> str:
    """The default reply: echoes the last message."""
    messages = body.get("messages") or [{"content": ""}]
    return f"echo: {messages[-1].get('content', '')}"


class OpenAIServer:
    """A loopback chat-completions server with latency and fault injection; a context manager."""

    def __init__(self, reply: Reply = echo_reply, *, latency_s: float = 0.0,
                 script: Iterable[str | None] = (), fault_rates: dict[str, float] | None = None,
                 retry_after_s: float = 0.01, slow_s: float = 5.0, seed: int = 0,
                 embedding_faults: dict[str, str] | None = None) -> None:
        self.reply = reply
        # An embeddings input containing a key gets that fault, every time it is asked (one case's 500, say).
        self.embedding_faults = dict(embedding_faults or {})
        self.latency_s = latency_s
        self.script: list[str | None] = list(script)
        self.fault_rates = dict(fault_rates or {})
        self.retry_after_s = retry_after_s
        self.slow_s = slow_s
        self.requests: list[RecordedRequest] = []
        self._check_faults(self.script + list(self.fault_rates))
        self._seed = seed
        self._asked: dict[str, int] = {}  # request body -> times asked (see _next_fault)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *faults: str | None) -> None:
        """Append entries to the per-request script (``None`` = a normal answer)."""
        self._check_faults(faults)
        with self._lock:
            self.script.extend(faults)

    def start(self) -> "OpenAIServer":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="openai-test-server",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("test OpenAI server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)  # type: ignore[union-attr]
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- server thread -----------------------------------------------------------

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._start_site())
        ready.set()
        loop.run_forever()
        # Requests still in flight (a stalled or slow answer) are cancelled and finished here, so
        # closing the loop leaves no pending task behind ("Task was destroyed but it is pending!").
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    async def _start_site(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_post("/v1/embeddings", self._embeddings)
        # Short shutdown: a "slow" request still in flight must not hold up the test.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        fault = self._next_fault(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        with self._lock:
            self.requests.append(RecordedRequest(body=body, headers=headers, fault=fault))
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return await self._respond(request, body, fault)

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        fault = next((f for key, f in self.embedding_faults.items() if any(key in text for text in inputs)), None)
        fault = fault or self._next_fault(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        with self._lock:
            self.requests.append(RecordedRequest(body=body, headers=headers, fault=fault))
        if fault in _ERROR_STATUS:
            return self._error(fault)
        data = [{"object": "embedding", "index": i, "embedding": word_vector(text)} for i, text in enumerate(inputs)]
        tokens = sum(len(text.split()) for text in inputs)
        return web.json_response({"object": "list", "data": data, "model": body.get("model"),
                                  "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _next_fault(self, body: dict[str, Any]) -> str | None:
        """The scripted fault, else one drawn at ``fault_rates``.

        The draw depends on the seed, the request's body and how many times that
        body was asked before (a retry draws afresh), not on arrival order: under
        concurrency the same run meets the same faults however its requests interleave.
        """
        with self._lock:
            if self.script:
                return self.script.pop(0)
            if not self.fault_rates:
                return None
            key = json.dumps(body, sort_keys=True)
            self._asked[key] = asked = self._asked.get(key, 0) + 1
            draw = random.Random(f"{self._seed}:{asked}:{key}")
            for fault, rate in self.fault_rates.items():
                if draw.random() < rate:
                    return fault
        return None

    async def _respond(self, request: web.Request, body: dict[str, Any], fault: str | None) -> web.StreamResponse:
        problem = tool_message_problem(body.get("messages") or [])
        if problem is not None:
            return web.json_response({"error": {"message": problem, "type": "invalid_request_error",
                                                "code": None}}, status=400)
        if fault in _ERROR_STATUS:
            return self._error(fault)
        if fault == "drop":
            request.transport.close()  # type: ignore[union-attr]
            raise asyncio.CancelledError  # aiohttp then abandons the request quietly
        if fault == "error_string":
            return web.json_response({"error": f"injected {fault}"})
        if fault == "rate_limit_in_body":
            return web.json_response({"error": {"message": f"injected {fault}", "code": 429}},
                                     headers={"Retry-After": f"{self.retry_after_s:g}"})
        if fault == "slow":
            await asyncio.sleep(self.slow_s)
        text, finish = self._content(body, fault)
        if isinstance(text, dict):  # a reply function's scripted message: tool calls (and maybe text)
            completion = chat_completion(body, text.get("content"), "tool_calls")
            completion["choices"][0]["message"] = {"role": "assistant", **text}
            return web.json_response(completion)
        completion = chat_completion(body, text, finish)
        if fault == "bad_body":
            raw = json.dumps(completion)
            return web.Response(text=raw[: len(raw) // 2], content_type="application/json")
        if fault == "no_choices":
            completion["choices"] = []
        elif fault == "content_parts":
            completion["choices"][0]["message"]["content"] = [{"type": "text", "text": text}]
        elif fault == "tool_call":
            completion["choices"][0]["finish_reason"] = "tool_calls"
            completion["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_live", "type": "function",
                 "function": {"name": "lookup_order", "arguments": '{"order_id": "1234"}'}}]}
        elif fault == "negative_usage":
            completion["usage"] = {"prompt_tokens": -5, "completion_tokens": -1, "total_tokens": -6}
        return web.json_response(completion)

    def _error(self, fault: str) -> web.Response:
        status, kind = _ERROR_STATUS[fault]
        headers = {}
        if fault.endswith("_retry_after"):
            headers["Retry-After"] = f"{self.retry_after_s:g}"
        elif fault.endswith("_retry_after_ms"):
            headers["retry-after-ms"] = f"{self.retry_after_s * 1000:g}"
        error = {"message": f"injected {fault}", "type": kind, "code": str(status), **_ERROR_FIELDS.get(fault, {})}
        payload = {"error": {k: v for k, v in error.items() if v is not None}}
        return web.json_response(payload, status=status, headers=headers)

    def _content(self, body: dict[str, Any], fault: str | None) -> tuple[str | None, str]:
        if fault == "empty":
            return "", "stop"
        if fault == "content_filter":
            return None, "content_filter"
        text = self.reply(body)
        if fault == "malformed":
            return text[: max(1, len(text) // 2)], "length"
        return text, "stop"

    @staticmethod
    def _check_faults(faults: Iterable[str | None]) -> None:
        unknown = [f for f in faults if f is not None and f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {', '.join(FAULTS)}")


_ERROR_STATUS = {
    "rate_limit": (429, "rate_limit_error"),
    "rate_limit_retry_after": (429, "rate_limit_error"),
    "server_error": (500, "server_error"),
    "unavailable": (503, "service_unavailable"),
    "unavailable_retry_after": (503, "service_unavailable"),
    "unavailable_retry_after_ms": (503, "service_unavailable"),
    "server_error_retry_after": (500, "server_error"),
    "request_timeout_retry_after": (408, "timeout"),
    "filter_400": (400, "invalid_request_error"),
    "policy_400": (400, "invalid_request_error"),
    "policy_type_400": (400, "content_policy_violation"),
    "unauthorized": (401, "invalid_api_key"),
}
# Fields of the error object that differ from the default (None removes one).
_ERROR_FIELDS: dict[str, dict[str, Any]] = {
    "filter_400": {"code": "content_filter"},
    "policy_400": {"type": None, "code": "content_policy_violation"},
    "policy_type_400": {"code": None},
}


def tool_message_problem(messages: list[dict[str, Any]]) -> str | None:
    """What OpenAI's API says of a request whose tool messages break its rules, or None: each call of an
    assistant message answered by the ``tool`` messages right after it, and each ``tool`` message answering one."""
    waiting: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in waiting:
                return (f"Invalid parameter: messages[{index}]: messages with role 'tool' must be a response to a "
                        f"preceeding message with 'tool_calls'.")
            waiting.discard(message["tool_call_id"])
            continue
        if waiting:
            return (f"An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                    f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                    f"{', '.join(sorted(waiting))}")
        calls = message.get("tool_calls") or []
        if calls and role != "assistant":
            return f"messages[{index}]: only assistant messages may have tool_calls"
        for call in calls:
            function = call.get("function") or {}
            if call.get("type") != "function" or not call.get("id") or not function.get("name") \
                    or not isinstance(function.get("arguments"), str):
                return f"messages[{index}].tool_calls: each call needs id, type 'function', function name and arguments"
        waiting = {call["id"] for call in calls}
    if waiting:
        return f"tool_call_ids without response messages: {', '.join(sorted(waiting))}"
    return None


def chat_completion(body: dict[str, Any], text: str | None, finish_reason: str = "stop") -> dict[str, Any]:
    """A ``chat.completion`` object answering ``body`` with ``text``; token counts are word counts."""
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion_tokens = len((text or "").split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "finish_reason": finish_reason, "logprobs": None,
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


EMBEDDING_DIMENSIONS = 16


def word_vector(text: str) -> list[float]:
    """The mock server's embedding of ``text``: its lower-cased words counted into 16 buckets (by the first
    byte of each word's SHA-256 modulo 16). Deterministic, and texts sharing words point the same way."""
    import hashlib
    import re

    vector = [0.0] * EMBEDDING_DIMENSIONS
    for word in re.findall(r"\w+", text.lower()):
        vector[hashlib.sha256(word.encode()).digest()[0] % EMBEDDING_DIMENSIONS] += 1.0
    return vector
