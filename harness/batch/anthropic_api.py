"""Anthropic Message Batches: one POST with every request, poll until ended, read the results JSONL.

    POST /v1/messages/batches → GET /v1/messages/batches/{id} until processing_status is "ended"
    → GET results_url (one line per request: succeeded, errored, canceled or expired)

Chat messages become Anthropic's shape here (system text apart, ``max_tokens``
required; a recorded thread's tool calls and results as ``tool_use`` and
``tool_result`` blocks, see :mod:`harness.batch.anthropic_messages`); a structured
answer is asked for as a forced tool call whose input is the JSON object, as
litellm does for live calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.batch.anthropic_messages import anthropic_messages, thread_tools
from harness.batch.credentials import batch_key, check_key
from harness.batch.limits import ANTHROPIC
from harness.batch.http import BatchHTTP
from harness.batch.lines import BadLine, ReadLines, an_object, read_lines, shown
from harness.batch.prices import batch_cost
from harness.batch.requests import BatchRequest, Failure
from harness.batch.upload import spooled_upload
from harness.errors import ContentFilterError, EmptyResponseError, ToolCallReplyError
from harness.models.base import ModelResponse, ModelSpec, Usage, token_count, tool_call_reply_message
from harness.models.litellm_provider import SCHEMA_NAME, portable_schema

DEFAULT_BASE = "https://api.anthropic.com"
KEY_ENV = "ANTHROPIC_API_KEY"
VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
FINISH = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "stop", "max_tokens": "length"}


class AnthropicBatchAPI:
    name = "anthropic"
    limits = ANTHROPIC  # requests and bytes per batch (see harness.batch.limits)

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.served_name = spec.name.split("/", 1)[1]

    def check_credentials(self) -> None:
        check_key(self.spec, KEY_ENV)

    def http(self, backoff_s: float) -> BatchHTTP:
        headers = {"anthropic-version": VERSION, "content-type": "application/json"}
        return BatchHTTP(self.spec.api_base or DEFAULT_BASE, headers, auth={"x-api-key": batch_key(self.spec, KEY_ENV)},
                         backoff_s=backoff_s, what=f"{self.spec.name} batch")

    def params(self, request: BatchRequest) -> dict[str, Any]:
        """The Messages API parameters of one request."""
        config = request.config
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        params: dict[str, Any] = {
            "model": self.served_name, "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": anthropic_messages(request.messages)}
        if system:
            params["system"] = system
        if config.temperature is not None:
            params["temperature"] = config.temperature
        if config.top_p is not None:
            params["top_p"] = config.top_p
        if config.stop:
            params["stop_sequences"] = config.stop
        recorded = thread_tools(params["messages"])  # Anthropic refuses tool blocks without tools defined
        if config.response_schema is not None:
            params["tools"] = [{"name": SCHEMA_NAME, "description": "Give your answer.",
                                "input_schema": portable_schema(config.response_schema)}]
            params["tools"] += [tool for tool in recorded if tool["name"] != SCHEMA_NAME]
            params["tool_choice"] = {"type": "tool", "name": SCHEMA_NAME}
        elif recorded:  # the thread's tools, declared so its calls are read, never to be called: a text answer
            params["tools"] = recorded
            params["tool_choice"] = {"type": "none"}
        params.update(config.extra)
        return params

    def item(self, request: BatchRequest) -> dict[str, Any]:
        return {"custom_id": request.key, "params": self.params(request)}

    def line_bytes(self, request: BatchRequest) -> int:
        """The bytes ``request`` takes in the POSTed body (an item of its list), for splitting by size."""
        return len(json.dumps(self.item(request))) + 2  # the ", " between items; non-ASCII is escaped

    async def submit(self, http: BatchHTTP, requests: Iterable[BatchRequest],
                     folder: Path | None = None) -> tuple[str, str | None]:
        """POST ``{"requests": [...]}``, its items written one at a time to a file in ``folder`` and streamed from
        it (see :mod:`harness.batch.upload`): the list, its JSON and its bytes never sit in memory."""
        with spooled_upload(_request_list(self.item(r) for r in requests), folder) as body:
            batch = await http.json("POST", "/v1/messages/batches", data=body.open)  # content-type set by http()
        return batch["id"], None

    async def poll(self, http: BatchHTTP, batch_id: str) -> tuple[str, bool, dict[str, Any]]:
        # One try: the caller (harness.batch.patience) keeps polling through an outage.
        batch = await http.json("GET", f"/v1/messages/batches/{batch_id}", attempts=1)
        status = str(batch.get("processing_status"))
        return status, status == "ended", batch

    @staticmethod
    def failure_reason(batch: dict[str, Any]) -> str | None:
        """What an ended batch says about the requests it left unanswered (Message Batches never fail as a
        whole: each result line carries its own error; a batch with no results says how its requests ended)."""
        if batch.get("results_url"):
            return None
        counts = batch.get("request_counts") if isinstance(batch.get("request_counts"), dict) else {}
        ended = ", ".join(f"{kind} {n}" for kind, n in counts.items() if isinstance(n, int) and n)
        cancelled = " (cancelled)" if batch.get("cancel_initiated_at") else ""
        return f"ended with no results{cancelled}" + (f": {ended}" if ended else "")

    async def results(self, http: BatchHTTP, batch: dict[str, Any], requests: dict[str, BatchRequest]) -> ReadLines:
        """Every answered or failed line of an ended batch, by cache key (see :mod:`harness.batch.lines`)."""
        url = batch.get("results_url")
        if not url or not isinstance(url, str):
            return ReadLines()
        raw = await http.request("GET", url)
        return self.read_lines(raw, f"results of {batch.get('id')}", requests)

    def read_lines(self, raw: bytes, source: str, requests: dict[str, BatchRequest]) -> ReadLines:
        return read_lines(raw, source, requests, lambda line, request: self.parse(line.get("result"), request))

    def parse(self, result: Any, request: BatchRequest) -> ModelResponse | Failure:
        """The answer or failure of one line's ``result``; BadLine when it is in no documented shape."""
        if not isinstance(result, dict):
            raise BadLine("result", f"not an object ({shown(result)})")
        kind = result.get("type")
        if not isinstance(kind, str):
            raise BadLine("result.type", f"not text ({shown(kind)})")
        if kind == "succeeded":
            try:
                return self.to_response(an_object(result, "message", "result.") or {}, request)
            except (ContentFilterError, EmptyResponseError, ToolCallReplyError) as fault:
                return Failure(kind=fault.kind, message=str(fault))
        if kind == "errored":
            error = an_object(result, "error", "result.") or {}
            inner = error.get("error") if isinstance(error.get("error"), dict) else error
            err_type = str(inner.get("type") or "error")
            return Failure(kind=_error_kind(err_type), message=f"{self.spec.name}: {err_type}: "
                                                             f"{inner.get('message', '')}".strip())
        # "expired" or "canceled": the batch ended before this request ran.
        return Failure(kind={"expired": "batch_expired", "canceled": "batch_cancelled"}.get(kind, "batch_error"),
                       message=f"{self.spec.name}: batch request {kind}")

    def to_response(self, message: dict[str, Any], request: BatchRequest) -> ModelResponse:
        blocks = message.get("content") or []
        if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
            raise BadLine("result.message.content", f"not a list of content blocks ({shown(blocks)})")
        stop = message.get("stop_reason")
        stop = stop if isinstance(stop, str) else None  # a stop reason in no known shape must not cost the answer
        if stop == "refusal":
            raise ContentFilterError(f"{self.spec.name}: the provider refused the request")
        text = self._text(blocks, request)
        if not text.strip():
            calls = [b for b in blocks if b.get("type") == "tool_use"]
            if calls and request.config.response_schema is None:  # as on the live path: not retried
                raise ToolCallReplyError(tool_call_reply_message(self.spec.name, [str(b.get("name") or "")
                                                                                   for b in calls if b.get("name")]))
            raise EmptyResponseError(f"{self.spec.name}: empty response (stop_reason={stop})")
        usage = message.get("usage") if isinstance(message.get("usage"), dict) else {}
        # Counts that are no counts ("n/a", -3) are 0, as on the live path, rather than a lost answer.
        counted = Usage(prompt_tokens=token_count(usage.get("input_tokens")),
                        completion_tokens=token_count(usage.get("output_tokens")))
        if not self.spec.api_base:
            counted.cost_usd = batch_cost(self.spec.name, counted)
        return ModelResponse(text=text, usage=counted, finish_reason=FINISH.get(stop, stop))

    @staticmethod
    def _text(blocks: list[dict[str, Any]], request: BatchRequest) -> str:
        """The answer in ``blocks``: the forced tool call's input as JSON when a schema was asked, else the text."""
        if request.config.response_schema is not None:
            tool = next((b for b in blocks if b.get("type") == "tool_use"), None)
            return json.dumps(tool.get("input")) if tool else ""
        texts = [b.get("text", "") for b in blocks if b.get("type") == "text"]
        if not all(isinstance(t, str) for t in texts):
            raise BadLine("result.message.content", "a text block's text is not text")
        return "".join(texts)


def _error_kind(error_type: str) -> str:
    return {"rate_limit_error": "rate_limit", "overloaded_error": "server_error", "api_error": "server_error",
            "timeout_error": "timeout"}.get(error_type, "batch_error")


def _request_list(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """``{"requests": [item, ...]}`` as JSON, an item at a time (``json.dumps``' separators, as line_bytes counts)."""
    yield b'{"requests": ['
    for index, item in enumerate(items):
        yield (", " * bool(index) + json.dumps(item)).encode("utf-8")
    yield b"]}"
