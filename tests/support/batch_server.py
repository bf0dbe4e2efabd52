"""A loopback mock of OpenAI Batch and Anthropic Message Batches, for tests.

    with BatchServer() as server:
        server.openai_base      # "http://127.0.0.1:<port>/v1"  (an openai/... model's api_base)
        server.anthropic_base   # "http://127.0.0.1:<port>"     (an anthropic/... model's api_base)
        server.batches          # every batch created, in order (MockBatch: api, requests, polls, status)

OpenAI: ``POST /v1/files`` (multipart, purpose=batch), ``POST /v1/batches``,
``GET /v1/batches/{id}``, ``GET /v1/files/{id}/content``. Anthropic: ``POST
/v1/messages/batches``, ``GET /v1/messages/batches/{id}``, ``GET
/v1/messages/batches/{id}/results``. A batch reports ``in_progress`` for
``polls_to_finish`` polls, then finishes: ``completed`` / ``ended``, or
``expired`` when ``expire`` is set (only the first half of its requests answered).
``fail`` (a predicate on the request body) makes that line fail with a 500 (``fail_message``
its error message); ``reject`` makes OpenAI batches end ``failed`` with no output (as when
validation refuses the file).
Faults in the results: ``junk_lines`` are added to every results file (OpenAI's output file,
Anthropic's results) as they are; ``mangle(line)`` may rewrite each result line (a dict) before it
is written (a string is written as it is). ``results_host`` names the host of Anthropic's ``results_url`` (``localhost`` for
another origin than the API's), and ``redirect_results`` makes the results URL answer 307 to the
same path on ``localhost``. ``seen`` lists every request: method, path, host and its
``authorization`` and ``x-api-key`` headers.
Live chat endpoints are not served: a test run that called one would fail.
Answers: a JSON object built from the asked schema when one is asked for
(``response_format`` or a forced tool), else ``reply(text of the last message)``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Predicate = Callable[[dict[str, Any]], bool]


@dataclass
class MockBatch:
    id: str
    api: str  # "openai" or "anthropic"
    requests: list[dict[str, Any]]  # OpenAI: lines {custom_id, body}; Anthropic: {custom_id, params}
    polls: int = 0
    status: str = "in_progress"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request the server received, with the credentials it carried."""

    method: str
    path: str
    host: str
    authorization: str | None
    x_api_key: str | None


def schema_answer(schema: dict[str, Any]) -> dict[str, Any]:
    """A valid object for a flat judge schema: a fixed reason, the middle enum value."""
    answer = {}
    for name, prop in (schema.get("properties") or {}).items():
        values = prop.get("enum")
        answer[name] = values[len(values) // 2] if values else f"mock {name}"
    return answer


class BatchServer:
    def __init__(self, *, polls_to_finish: int = 2, reply: Callable[[str], str] = lambda text: f"reply to: {text[-40:]}",
                 fail: Predicate | None = None, expire: bool = False, reject: bool = False,
                 fail_message: str = "injected failure", junk_lines: tuple[str, ...] = (),
                 mangle: Callable[[dict[str, Any]], dict[str, Any] | str] | None = None,
                 results_host: str = "127.0.0.1", redirect_results: bool = False) -> None:
        self.polls_to_finish = polls_to_finish
        self.reply = reply
        self.fail = fail
        self.fail_message = fail_message
        self.junk_lines = junk_lines
        self.mangle = mangle
        self.results_host = results_host
        self.redirect_results = redirect_results
        self.seen: list[Seen] = []
        self.expire = expire
        self.reject = reject  # OpenAI batches end "failed" (validation refused the whole file)
        self.batches: list[MockBatch] = []
        self.files: dict[str, bytes] = {}
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def openai_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def of(self, api: str) -> list[MockBatch]:
        return [b for b in self.batches if b.api == api]

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> "BatchServer":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True, name="batch-test-server")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("batch test server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)  # type: ignore[arg-type]
        self._loop.call_soon_threadsafe(self._loop.stop)  # type: ignore[union-attr]
        self._thread.join(10)  # type: ignore[union-attr]

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application(client_max_size=256 * 1024 * 1024, middlewares=[self._note])
        app.router.add_post("/v1/files", self._upload)
        app.router.add_post("/v1/batches", self._openai_create)
        app.router.add_get("/v1/batches/{id}", self._openai_get)
        app.router.add_get("/v1/files/{id}/content", self._file_content)
        app.router.add_post("/v1/messages/batches", self._anthropic_create)
        app.router.add_get("/v1/messages/batches/{id}", self._anthropic_get)
        app.router.add_get("/v1/messages/batches/{id}/results", self._anthropic_results)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    # -- shared ------------------------------------------------------------------

    @web.middleware
    async def _note(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self.seen.append(Seen(request.method, request.path, request.host.split(":")[0],
                                  request.headers.get("Authorization"), request.headers.get("x-api-key")))
        return await handler(request)

    def _lines(self, lines: list[dict[str, Any]]) -> list[str]:
        """The result lines as written: each mangled if asked, then the junk lines."""
        mangled = [self.mangle(line) if self.mangle else line for line in lines]
        return [m if isinstance(m, str) else json.dumps(m) for m in mangled] + list(self.junk_lines)

    def _find(self, batch_id: str) -> MockBatch:
        with self._lock:
            for batch in self.batches:
                if batch.id == batch_id:
                    return batch
        raise web.HTTPNotFound(text=json.dumps({"error": {"message": f"no batch {batch_id}"}}))

    def _advance(self, batch: MockBatch) -> None:
        with self._lock:
            batch.polls += 1
            if batch.status == "in_progress" and batch.polls >= self.polls_to_finish:
                batch.status = "expired" if self.expire else "done"
                if self.reject and batch.api == "openai":
                    batch.status = "failed"

    def _answered(self, batch: MockBatch) -> list[dict[str, Any]]:
        # An expired batch answered only the first half of its requests.
        return batch.requests[: len(batch.requests) // 2] if batch.status == "expired" else batch.requests

    def _text(self, messages: list[dict[str, Any]]) -> str:
        last = messages[-1]["content"] if messages else ""
        return self.reply(last if isinstance(last, str) else json.dumps(last))

    # -- OpenAI ------------------------------------------------------------------

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("purpose") != "batch":
            return web.json_response({"error": {"message": "purpose must be batch"}}, status=400)
        upload = form["file"]
        file_id = f"file-{uuid.uuid4().hex[:10]}"
        self.files[file_id] = upload.file.read()  # type: ignore[union-attr]
        return web.json_response({"id": file_id, "object": "file", "purpose": "batch"})

    async def _openai_create(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("endpoint") != "/v1/chat/completions" or body.get("input_file_id") not in self.files:
            return web.json_response({"error": {"message": "bad batch request"}}, status=400)
        lines = [json.loads(x) for x in self.files[body["input_file_id"]].decode().splitlines() if x.strip()]
        batch = MockBatch(id=f"batch_{uuid.uuid4().hex[:10]}", api="openai", requests=lines,
                          headers={"authorization": request.headers.get("Authorization", "")})
        with self._lock:
            self.batches.append(batch)
        return web.json_response(self._openai_object(batch))

    async def _openai_get(self, request: web.Request) -> web.Response:
        batch = self._find(request.match_info["id"])
        self._advance(batch)
        return web.json_response(self._openai_object(batch))

    def _openai_object(self, batch: MockBatch) -> dict[str, Any]:
        status = {"done": "completed"}.get(batch.status, batch.status)
        obj: dict[str, Any] = {"id": batch.id, "object": "batch", "status": status, "endpoint": "/v1/chat/completions",
                               "output_file_id": None, "error_file_id": None}
        if status in ("completed", "expired"):
            out, err = self._openai_results(batch)
            obj["output_file_id"] = self._store("\n".join(out)) if out else None
            obj["error_file_id"] = self._store("\n".join(err)) if err else None
        return obj

    def _store(self, text: str) -> str:
        file_id = f"file-{uuid.uuid4().hex[:10]}"
        self.files[file_id] = (text + "\n").encode()
        return file_id

    def _openai_results(self, batch: MockBatch) -> tuple[list[str], list[str]]:
        out: list[dict[str, Any]] = []
        err: list[dict[str, Any]] = []
        answered = self._answered(batch)
        for line in batch.requests:
            body, custom_id = line["body"], line["custom_id"]
            if line not in answered:
                err.append({"id": "r", "custom_id": custom_id, "response": None,
                            "error": {"code": "batch_expired", "message": "This request could not be "
                                      "executed before the completion window expired."}})
            elif self.fail and self.fail(body):
                err.append({"id": "r", "custom_id": custom_id, "error": None, "response": {
                    "status_code": 500, "body": {"error": {"message": self.fail_message, "type": "server_error"}}}})
            else:
                out.append({"id": "r", "custom_id": custom_id, "error": None,
                            "response": {"status_code": 200, "body": self._completion(body)}})
        return self._lines(out), [json.dumps(line) for line in err]

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            text = json.dumps(schema_answer(fmt["json_schema"]["schema"]))
        else:
            text = self._text(body.get("messages") or [])
        words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages") or [])
        return {"id": "chatcmpl-mock", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": words, "completion_tokens": len(text.split()),
                          "total_tokens": words + len(text.split())}}

    async def _file_content(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["id"])
        if data is None:
            return web.json_response({"error": {"message": "no such file"}}, status=404)
        return web.Response(body=data, content_type="application/jsonl")

    # -- Anthropic -----------------------------------------------------------------

    async def _anthropic_create(self, request: web.Request) -> web.Response:
        if request.headers.get("anthropic-version") is None:
            return web.json_response({"error": {"type": "invalid_request_error", "message": "no version"}}, status=400)
        body = await request.json()
        batch = MockBatch(id=f"msgbatch_{uuid.uuid4().hex[:10]}", api="anthropic", requests=body["requests"],
                          headers={"x-api-key": request.headers.get("x-api-key", "")})
        with self._lock:
            self.batches.append(batch)
        return web.json_response(self._anthropic_object(batch))

    async def _anthropic_get(self, request: web.Request) -> web.Response:
        batch = self._find(request.match_info["id"])
        self._advance(batch)
        return web.json_response(self._anthropic_object(batch))

    def _anthropic_object(self, batch: MockBatch) -> dict[str, Any]:
        ended = batch.status in ("done", "expired")
        return {"id": batch.id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "results_url": f"http://{self.results_host}:{self.port}/v1/messages/batches/{batch.id}/results"
                if ended else None}

    async def _anthropic_results(self, request: web.Request) -> web.Response:
        if self.redirect_results and request.host.split(":")[0] != "localhost":
            raise web.HTTPTemporaryRedirect(f"http://localhost:{self.port}{request.path}")
        batch = self._find(request.match_info["id"])
        answered = self._answered(batch)
        lines = []
        for item in batch.requests:
            params = item["params"]
            if item not in answered:
                result: dict[str, Any] = {"type": "expired"}
            elif self.fail and self.fail(params):
                result = {"type": "errored", "error": {"type": "error", "error": {"type": "api_error",
                                                                                  "message": self.fail_message}}}
            else:
                result = {"type": "succeeded", "message": self._message(params)}
            lines.append({"custom_id": item["custom_id"], "result": result})
        return web.Response(text="\n".join(self._lines(lines)) + "\n", content_type="application/jsonl")

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("tool_choice"):
            tool = params["tools"][0]
            content = [{"type": "tool_use", "id": "toolu_1", "name": tool["name"],
                        "input": schema_answer(tool["input_schema"])}]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": self._text(params.get("messages") or [])}]
            stop = "end_turn"
        words = sum(len(str(m.get("content", "")).split()) for m in params.get("messages") or [])
        return {"id": "msg_mock", "type": "message", "role": "assistant", "model": params.get("model"),
                "content": content, "stop_reason": stop, "usage": {"input_tokens": words, "output_tokens": 7}}
