"""HTTPPool: answer framings, keep-alive reuse, redirects, and failures, against raw loopback servers."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from harness.models.http_pool import HTTPConnectionError, HTTPPool, InvalidURL


class RawServer:
    """Answers each request with the next scripted raw bytes (``None``: close without answering)."""

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0

    async def __aenter__(self) -> "RawServer":
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/v1/chat/completions"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                framed = b"Content-Length" in answer or b"chunked" in answer
                if b"Connection: close" in answer or b"cut" in answer or not framed:
                    break  # (an answer cut short ends with the connection)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def ok(body: bytes, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


async def post_all(answers: list[bytes | None], n: int, **pool_args) -> tuple[list, RawServer]:
    async with RawServer(answers) as server:
        pool = HTTPPool(limit=pool_args.get("limit", 4), timeout_s=pool_args.get("timeout_s", 5))
        results = []
        for i in range(n):
            try:
                results.append(await pool.post(server.url, b'{"n": %d}' % i, {"Content-Type": "application/json"}))
            except (HTTPConnectionError, TimeoutError) as exc:
                results.append(exc)
        await pool.close()
    return results, server


def test_content_length_answers_reuse_one_connection():
    results, server = asyncio.run(post_all([ok(b'{"a": 1}'), ok(b'{"a": 2}', "X-Thing: y")], 2))
    assert results == [(200, {"content-length": "8"}, b'{"a": 1}'),
                       (200, {"content-length": "8", "x-thing": "y"}, b'{"a": 2}')]
    assert server.connections == 1
    first = server.requests[0].decode()
    assert first.startswith("POST /v1/chat/completions HTTP/1.1\r\n")
    assert "Host: 127.0.0.1:" in first and "Content-Type: application/json" in first
    assert first.endswith('\r\n\r\n{"n": 0}')


def test_chunked_answers_with_extensions_and_trailers_are_joined():
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"4;ext=1\r\n{\"a\"\r\n5\r\n: 12}\r\n0\r\nX-Trailer: t\r\n\r\n")
    results, server = asyncio.run(post_all([chunked, ok(b"{}")], 2))
    assert [r[2] for r in results] == [b'{"a": 12}', b"{}"]
    assert server.connections == 1


def test_an_answer_ended_by_closing_the_connection_and_a_gzip_body():
    packed = gzip.compress(b'{"zipped": true}')
    answers = [b"HTTP/1.0 200 OK\r\n\r\n{\"until\": \"close\"}", ok(packed, "Content-Encoding: gzip")]
    results, server = asyncio.run(post_all(answers, 2))
    assert [r[2] for r in results] == [b'{"until": "close"}', b'{"zipped": true}']
    assert server.connections == 2


def test_connection_close_is_honoured_and_interim_answers_skipped():
    answers = [b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"1", "Connection: close"), ok(b"2")]
    results, server = asyncio.run(post_all(answers, 2))
    assert [r[:1] + r[2:] for r in results] == [(200, b"1"), (200, b"2")]
    assert server.connections == 2


def test_error_statuses_are_answers_not_exceptions():
    results, _ = asyncio.run(post_all([ok(b"{}").replace(b"200 OK", b"429 Too Many Requests")
                                       .replace(b"\r\n\r\n", b"\r\nRetry-After: 2\r\n\r\n", 1)], 1))
    status, headers, body = results[0]
    assert (status, headers["retry-after"], body) == (429, "2", b"{}")


def test_a_307_repeats_the_post_at_the_new_location():
    answers = [b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /v2/chat\r\nContent-Length: 0\r\n\r\n", ok(b"{}")]
    results, server = asyncio.run(post_all(answers, 1))
    assert results[0][2] == b"{}"
    assert server.requests[1].startswith(b"POST /v2/chat HTTP/1.1") and server.requests[1].endswith(b'{"n": 0}')


@pytest.mark.parametrize("answer", [None, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"cut", b"SMTP ready\r\n\r\n"])
def test_a_dropped_cut_or_foreign_answer_is_a_connection_error_and_the_next_call_reconnects(answer):
    results, server = asyncio.run(post_all([answer, ok(b"{}")], 2))
    assert isinstance(results[0], HTTPConnectionError)
    assert results[1][2] == b"{}" and server.connections == 2


def test_a_refused_connection_is_a_connection_error():
    async def refused():
        pool = HTTPPool(limit=1, timeout_s=5)
        with pytest.raises(HTTPConnectionError, match="cannot connect"):
            await pool.post("http://127.0.0.1:9/v1/chat/completions", b"{}", {})

    asyncio.run(refused())


def test_a_timed_out_call_does_not_leave_its_connection_in_the_pool():
    async def scenario():
        never = asyncio.Event()

        async def handle(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            if handle.calls == 0:
                handle.calls += 1
                await never.wait()
            writer.write(ok(b"{}"))
            await writer.drain()

        handle.calls = 0
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
        pool = HTTPPool(limit=2, timeout_s=0.2)
        with pytest.raises(TimeoutError):
            await pool.post(url, b"", {})
        assert not any(pool._idle.values())
        answer = await pool.post(url, b"", {})
        await pool.close()
        server.close()
        return answer

    assert asyncio.run(scenario())[2] == b"{}"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "http:///x", "http://127.0.0.1:notaport/x"])
def test_a_url_it_cannot_post_to_is_refused_without_connecting(url):
    async def post():
        with pytest.raises(InvalidURL):
            await HTTPPool(limit=1, timeout_s=5).post(url, b"{}", {})

    asyncio.run(post())
