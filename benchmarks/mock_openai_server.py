"""A lean OpenAI-compatible chat server for the run benchmark, meant to run in its own process.

Run: ``.venv/bin/python benchmarks/mock_openai_server.py --port 0 --latency-ms 50``; it prints
``listening <port>`` on its first line once it accepts connections. Every answer comes after a
fixed ``asyncio.sleep``; a request with a ``response_format`` (the judge) gets a valid judge
answer, any other request a short support reply. It does no validation and keeps no history,
so its own CPU stays small and, living in another process, is never counted as the harness's.

For other evaluation tools (``benchmarks/bench_peers.py``), ``--judge-style promptfoo|inspect|deepeval``
answers their judges in the format each expects: promptfoo's ``llm-rubric`` JSON (pass, score,
reason), Inspect AI's ``model_graded_qa`` text ending ``GRADE: C``, DeepEval's GEval JSON (score
out of 10, reason). With a style, a request is a judge call if it has a ``response_format`` or if
its body holds ``--judge-marker`` (default ``[bench-judge]``, which the benchmark writes into each
tool's rubric, so only the judge's prompt carries it). The default style, ``harness``, keeps the
behaviour above exactly. ``GET /stats`` returns the request count, how many were answered as a
judge, how many no route serves (answered 404 or 405, as before) and the most answered at once.
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
# Judge answers in the formats other evaluation tools parse (see --judge-style).
JUDGE_STYLES = {
    "promptfoo": json.dumps({"reason": "The reply acknowledges the problem and offers a next step.",
                             "pass": True, "score": 1.0}),
    "inspect": "The reply acknowledges the customer's problem and offers a next step.\n\nGRADE: C",
    "deepeval": json.dumps({"reason": "The reply acknowledges the problem and offers a next step.", "score": 8}),
}
DEFAULT_MARKER = "[bench-judge]"
USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}


def _body(content: str, model: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": USAGE,
    }).encode()


def make_app(latency_s: float, distinct: bool = False, judge_style: str = "harness",
             judge_marker: str = DEFAULT_MARKER) -> web.Application:
    """The aiohttp application serving ``POST /v1/chat/completions`` after ``latency_s``.

    With ``distinct``, each support reply ends with a number of its own, so no two replies of a
    run are the same text (by default they all are, and the checks' per-reply work is shared).
    With a ``judge_style`` other than ``harness``, a request with a ``response_format`` or whose
    body holds ``judge_marker`` gets that tool's judge answer (``JUDGE_STYLES``).
    """
    # Request count, and when (time.time()) the first request arrived and the last answer left:
    # the benchmark's start-up (launch to first call) and tail (last answer to exit) come from these.
    # judge_requests: answered as a judge; other_requests: ones no route serves (404 or 405);
    # max_in_flight: the most chat requests being answered at once (the client's real concurrency).
    counter: dict[str, float] = {"requests": 0, "first_request_at": 0.0, "last_answer_at": 0.0,
                                 "judge_requests": 0, "other_requests": 0, "in_flight": 0, "max_in_flight": 0}
    styled = JUDGE_STYLES.get(judge_style)
    marker = judge_marker.encode()

    async def chat(request: web.Request) -> web.Response:
        if not counter["first_request_at"]:
            counter["first_request_at"] = time.time()
        if styled is None:
            body = await request.json()
            judge = bool(body.get("response_format"))
        else:
            raw = await request.read()
            body = json.loads(raw)
            judge = bool(body.get("response_format")) or marker in raw
        counter["requests"] += 1
        counter["judge_requests"] += judge
        counter["in_flight"] += 1
        counter["max_in_flight"] = max(counter["max_in_flight"], counter["in_flight"])
        try:
            if latency_s:
                await asyncio.sleep(latency_s)
        finally:
            counter["in_flight"] -= 1
        content = (styled or JUDGE) if judge else REPLY
        if distinct and content is REPLY:
            content = f"{REPLY} Your reference is {counter['requests']:06d}."
        counter["last_answer_at"] = time.time()
        return web.Response(body=_body(content, body.get("model", "mock")), content_type="application/json")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counter)

    @web.middleware
    async def count_others(request: web.Request, handler):  # type: ignore[no-untyped-def]
        # Counts requests no route serves (aiohttp answers them 404 or 405, as it always has).
        try:
            return await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            counter["other_requests"] += 1
            raise

    app = web.Application(middlewares=[count_others])
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/stats", stats)
    return app


async def serve(port: int, latency_s: float, distinct: bool = False, judge_style: str = "harness",
                judge_marker: str = DEFAULT_MARKER) -> None:
    runner = web.AppRunner(make_app(latency_s, distinct, judge_style, judge_marker), access_log=None)
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
    parser.add_argument("--judge-style", choices=["harness", *JUDGE_STYLES], default="harness",
                        help="the judge answer format (harness: JSON reason/score for a request with a "
                             "response_format, the default); the others also treat a request holding "
                             "--judge-marker as a judge call")
    parser.add_argument("--judge-marker", default=DEFAULT_MARKER,
                        help="text whose presence in a request body marks it as a judge call (with --judge-style)")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.latency_ms / 1000, args.distinct_replies, args.judge_style,
                          args.judge_marker))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
