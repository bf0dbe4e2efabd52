"""A batch's upload is streamed from a file on disk, not built in memory: the provider gets the same bytes (an
OpenAI JSONL file in a multipart form, Anthropic's ``{"requests": [...]}``), with a Content-Length, again whole
on a retry, and the temporary file is gone afterwards. Memory: a 10 MB upload allocates far less than 10 MB
(the old code held the whole body, and Anthropic's list and JSON besides: +285 / +417 MiB peak RSS at 100 MB)."""

from __future__ import annotations

import asyncio
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from aiohttp import web

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.openai_api import OpenAIBatchAPI
from harness.batch.requests import BatchRequest
from harness.models.base import GenerateConfig, Message, ModelSpec


def requests(n: int, size: int = 40):
    for i in range(n):
        yield BatchRequest(key=f"k{i:06d}", model="m", config=GenerateConfig(max_tokens=50),
                           messages=(Message(role="system", content="Grade it. " * size),
                                     Message(role="user", content=f"case {i} — où est ma commande? 订单")))


class Sink:
    """A loopback server that answers like the batch APIs; it keeps the bodies (``keep``) or only counts them,
    failing the first ``fail_first`` uploads with a 503."""

    def __init__(self, keep: bool = True, fail_first: int = 0) -> None:
        self.keep, self.fail_first = keep, fail_first
        self.bodies: list[bytes] = []
        self.lengths: list[str | None] = []
        self.sizes: list[int] = []

    async def upload(self, request: web.Request) -> web.Response:
        self.lengths.append(request.headers.get("Content-Length"))
        if self.keep:
            raw = await request.read()
            self.bodies.append(raw)
            self.sizes.append(len(raw))
        else:
            size = 0
            async for chunk in request.content.iter_chunked(1 << 16):
                size += len(chunk)
            self.sizes.append(size)
        if self.fail_first:
            self.fail_first -= 1
            return web.json_response({"error": {"message": "busy"}}, status=503)
        return web.json_response({"id": "file-1" if request.path.endswith("/files") else "msgbatch_1"})

    async def batches(self, request: web.Request) -> web.Response:
        return web.json_response({"id": "batch_1"})

    async def submit(self, api_name: str, folder: Path | None, n: int, **kwargs):
        app = web.Application(client_max_size=1 << 30)
        app.router.add_post("/v1/files", self.upload)
        app.router.add_post("/v1/batches", self.batches)
        app.router.add_post("/v1/messages/batches", self.upload)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            if api_name == "openai":
                api = OpenAIBatchAPI(ModelSpec(name="openai/gpt-4o-mini", api_base=f"http://127.0.0.1:{port}/v1"))
            else:
                api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5", api_base=f"http://127.0.0.1:{port}"))
            async with api.http(backoff_s=0.001) as http:
                return api, await api.submit(http, requests(n, **kwargs), folder=folder)
        finally:
            await runner.cleanup()


@pytest.fixture(autouse=True)
def _keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")


def test_openai_uploads_the_same_jsonl_from_disk_and_again_on_a_retry(tmp_path):
    sink = Sink(fail_first=1)
    api, (batch_id, file_id) = asyncio.run(sink.submit("openai", tmp_path / "batch", 5))
    assert (batch_id, file_id) == ("batch_1", "file-1")
    assert len(sink.bodies) == 2  # the first answered 503; the retry sent the whole file again (a new handle)
    assert all(length is not None and int(length) == len(body) for length, body in zip(sink.lengths, sink.bodies))
    expected = "".join(json.dumps(api.line(r)) + "\n" for r in requests(5)).encode()
    assert all(expected in body and b'name="purpose"' in body for body in sink.bodies)
    assert list((tmp_path / "batch").iterdir()) == []  # the temporary upload file is gone


def test_anthropic_posts_the_same_json_list_from_disk(tmp_path):
    sink = Sink()
    api, (batch_id, _) = asyncio.run(sink.submit("anthropic", tmp_path, 4))
    assert batch_id == "msgbatch_1"
    assert json.loads(sink.bodies[0]) == {"requests": [api.item(r) for r in requests(4)]}
    assert int(sink.lengths[0]) == len(sink.bodies[0])
    assert sum(api.line_bytes(r) for r in requests(4)) == len(sink.bodies[0]) - len('{"requests": []}') + 2
    assert list(tmp_path.iterdir()) == []


def test_a_failed_upload_leaves_no_file(tmp_path):
    from harness.batch.requests import BatchAPIError

    sink = Sink(fail_first=99)
    with pytest.raises(BatchAPIError):
        asyncio.run(sink.submit("anthropic", tmp_path, 2))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("api_name", ["openai", "anthropic"])
def test_an_upload_is_not_held_in_memory(tmp_path, api_name):
    sink = Sink(keep=False)  # the server counts the bytes and drops them: only the client's memory is measured
    tracemalloc.start()
    try:
        asyncio.run(sink.submit(api_name, tmp_path, 2500, size=400))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sink.sizes[0] > 10_000_000
    assert peak < 4_000_000, f"{peak / 1e6:.1f} MB allocated for a {sink.sizes[0] / 1e6:.0f} MB upload"
    assert not any(name.startswith(".upload-") for name in os.listdir(tmp_path))
