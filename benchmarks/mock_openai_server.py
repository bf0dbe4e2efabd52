"""A lean OpenAI-compatible chat server for the run benchmark, meant to run in its own process.

Run: ``.venv/bin/python benchmarks/mock_openai_server.py --port 0 --latency-ms 50``; it prints
``listening <port>`` on its first line once it accepts connections. Every answer comes after a
fixed ``asyncio.sleep``; a request with a ``response_format`` (the judge) gets a valid judge
answer, any other request a short support reply. It does no validation and keeps no history,
so its own CPU stays small and, living in another process, is never counted as the harness's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from aiohttp import web

REPLY = ("I'm sorry your order hasn't arrived. I've escalated it to our delivery team and "
         "we'll email you an update within 24 hours.")
JUDGE = json.dumps({"reason": "The reply acknowledges the problem and offers a next step.", "score": 4})
USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}


def _body(content: str, model: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": USAGE,
    }).encode()


def make_app(latency_s: float, distinct: bool = False) -> web.Application:
    """The aiohttp application serving ``POST /v1/chat/completions`` after ``latency_s``.

    With ``distinct``, each support reply ends with a number of its own, so no two replies of a
    run are the same text (by default they all are, and the checks' per-reply work is shared).
    """
    # Request count, and when (time.time()) the first request arrived and the last answer left:
    # the benchmark's start-up (launch to first call) and tail (last answer to exit) come from these.
    counter: dict[str, float] = {"requests": 0, "first_request_at": 0.0, "last_answer_at": 0.0}

    async def chat(request: web.Request) -> web.Response:
        if not counter["first_request_at"]:
            counter["first_request_at"] = time.time()
        body = await request.json()
        counter["requests"] += 1
        if latency_s:
            await asyncio.sleep(latency_s)
        content = JUDGE if body.get("response_format") else REPLY
        if distinct and content is REPLY:
            content = f"{REPLY} Your reference is {counter['requests']:06d}."
        counter["last_answer_at"] = time.time()
        return web.Response(body=_body(content, body.get("model", "mock")), content_type="application/json")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counter)

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/stats", stats)
    return app


async def serve(port: int, latency_s: float, distinct: bool = False) -> None:
    runner = web.AppRunner(make_app(latency_s, distinct), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"listening {bound}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--distinct-replies", action="store_true", help="a different support reply every time")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.latency_ms / 1000, args.distinct_replies))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
