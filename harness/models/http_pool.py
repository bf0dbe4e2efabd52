"""A small HTTP/1.1 client for the thin OpenAI-compatible provider: keep-alive POSTs over asyncio.

Why not aiohttp here: against a loopback chat server (``benchmarks/bench_run.py``), aiohttp spends
~0.4 ms of CPU per request and ~0.3 s to import; this client ~0.15 ms and a few milliseconds. CPU
per call is what keeps a run on a 2-core machine from the provider's floor.

It speaks what a chat-completion call needs and no more: ``POST`` to ``http://`` or ``https://``
URLs; answers framed by ``Content-Length``, chunked transfer coding or the connection's end;
``gzip``/``deflate`` bodies; 307/308 redirects; 1xx answers skipped. Like aiohttp's defaults it
uses no proxy from the environment and keeps no cookies. Connections are reused while the server
keeps them open (idle ones for at most ``KEEPALIVE_S``) and dropped after any failure or
cancellation, so a half-read answer is never mistaken for the next one.

Errors: :class:`HTTPConnectionError` for everything that is the connection's fault (refused,
reset, closed before a whole answer, not HTTP); ``TimeoutError`` when ``timeout_s`` passes;
:class:`InvalidURL` for a URL it cannot POST to.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections import deque
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from harness.records.redaction import clip

KEEPALIVE_S = 30.0
MAX_REDIRECTS = 10
Answer = tuple[int, dict[str, str], bytes]  # status, headers (lower-case names), body


class HTTPConnectionError(Exception):
    """The connection failed or the server's answer was not (whole) HTTP."""


class InvalidURL(ValueError):
    """Not an ``http://`` or ``https://`` URL with a host: no retry will help."""


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection reading one answer at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Answer] | None = None
        self._ended = False  # the server closed its side (or the connection is gone)
        self._head: _Head | None = None
        self._chunks: list[bytes] = []
        self._chunk_pos = 0
        self.reusable = False

    @property
    def usable(self) -> bool:
        return not self._ended and self.transport is not None and not self.transport.is_closing()

    def request(self, data: bytes) -> asyncio.Future[Answer]:
        assert self.transport is not None
        self._buffer.clear()
        self._head, self._chunks, self._chunk_pos, self.reusable = None, [], 0, False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self._waiter

    def close(self) -> None:
        self._ended = True
        if self.transport is not None:
            self.transport.close()

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None or self._waiter.done():
            self.reusable = False
            self.close()  # bytes nobody asked for: the connection's state is unknown
            return
        try:
            answer = self._parse()
        except HTTPConnectionError as exc:
            self._fail(exc)
            return
        if answer is not None:
            self._waiter.set_result(answer)

    def eof_received(self) -> bool:
        self._ended = True
        self._finish_at_end()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self._finish_at_end()

    # -- parsing -----------------------------------------------------------------

    def _finish_at_end(self) -> None:
        if self._waiter is None or self._waiter.done():
            return
        if self._head is not None and self._head.framing == "close":
            head = self._head
            self._waiter.set_result((head.status, head.headers, bytes(self._buffer[head.start:])))
            return
        self._fail(HTTPConnectionError("the server closed the connection before a whole answer"))

    def _fail(self, exc: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)
        self.close()

    def _parse(self) -> Answer | None:
        while self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return None
            head = _parse_head(bytes(self._buffer[:end]).decode("latin-1"), end + 4)
            if 100 <= head.status < 200:
                del self._buffer[: end + 4]  # an interim answer (100 Continue): the real one follows
                continue
            self._head = head
        head = self._head
        if head.framing == "length":
            length = int(head.headers["content-length"])
            if len(self._buffer) - head.start < length:
                return None
            body = bytes(self._buffer[head.start: head.start + length])
            self.reusable = head.keep_alive and len(self._buffer) == head.start + length
        elif head.framing == "chunked":
            body = self._dechunk(head)
            if body is None:
                return None
        elif head.framing == "none":
            body = b""
            self.reusable = head.keep_alive and len(self._buffer) == head.start
        else:
            return None  # read to the end of the connection: eof_received finishes it
        return head.status, head.headers, body

    def _dechunk(self, head: _Head) -> bytes | None:
        buffer, pos = self._buffer, max(self._chunk_pos, head.start)
        while True:
            line_end = buffer.find(b"\r\n", pos)
            if line_end < 0:
                break
            try:
                size = int(bytes(buffer[pos:line_end]).split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise HTTPConnectionError("malformed chunked answer") from None
            if size == 0:
                end = buffer.find(b"\r\n\r\n", line_end)  # after the trailer fields, if any
                if end < 0:
                    break
                self.reusable = head.keep_alive and len(buffer) == end + 4
                return b"".join(self._chunks)
            if len(buffer) < line_end + 2 + size + 2:
                break
            self._chunks.append(bytes(buffer[line_end + 2: line_end + 2 + size]))
            pos = line_end + 2 + size + 2
        self._chunk_pos = pos
        return None


class _Head(NamedTuple):
    status: int
    headers: dict[str, str]  # lower-case names; repeated fields joined with ", "
    framing: str  # length, chunked, none (no body) or close (the body ends with the connection)
    start: int  # where the body starts in the buffer
    keep_alive: bool


def _parse_head(text: str, body_start: int) -> _Head:
    status_line, _, rest = text.partition("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise HTTPConnectionError(f"not an HTTP answer: {clip(status_line, 80)!r}")
    headers: dict[str, str] = {}
    for line in rest.split("\r\n") if rest else ():
        name, colon, value = line.partition(":")
        if not colon:
            raise HTTPConnectionError(f"malformed header line: {clip(line, 80)!r}")
        name = name.strip().lower()
        headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
    status = int(parts[1])
    if "chunked" in headers.get("transfer-encoding", "").lower():
        framing = "chunked"
    elif status in (204, 304) or 100 <= status < 200:
        framing = "none"
    elif "content-length" in headers:
        if not headers["content-length"].isdigit():
            raise HTTPConnectionError(f"bad Content-Length: {clip(headers['content-length'], 40)!r}")
        framing = "length"
    else:
        framing = "close"
    connection = headers.get("connection", "").lower()
    keep_alive = "keep-alive" in connection if parts[0] == "HTTP/1.0" else "close" not in connection
    return _Head(status, headers, framing, body_start, keep_alive)


def _decoded(headers: dict[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "").lower().strip()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    except zlib.error as exc:
        raise HTTPConnectionError(f"cannot decode the {encoding} body: {exc}") from None
    return body


class HTTPPool:
    """Keep-alive connections of one event loop, at most ``limit`` in use at once."""

    def __init__(self, limit: int, timeout_s: float) -> None:
        self.limit = limit
        self.timeout_s = timeout_s
        self.closed = False
        self._idle: dict[tuple[str, str, int], deque[_Connection]] = {}
        self._slots = asyncio.Semaphore(limit)
        self._ssl: ssl.SSLContext | None = None
        self._targets: dict[str, tuple[tuple[str, str, int], str, str]] = {}  # url -> origin, path, Host

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST ``body`` to ``url``; the answer's status, headers (lower-case names) and decoded body."""
        if self.closed:
            raise HTTPConnectionError("the connection pool is closed")
        async with asyncio.timeout(self.timeout_s):
            for _ in range(MAX_REDIRECTS + 1):
                status, answer_headers, raw = await self._post_once(url, body, headers)
                location = answer_headers.get("location")
                if status not in (307, 308) or not location:
                    return status, answer_headers, _decoded(answer_headers, raw)
                url = urljoin(url, location)  # 307/308 repeat the same POST elsewhere
        raise HTTPConnectionError(f"more than {MAX_REDIRECTS} redirects")

    async def close(self) -> None:
        self.closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def _post_once(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        origin, target, host = self._targets.get(url) or self._target(url)
        lines = [f"POST {target} HTTP/1.1", f"Host: {host}", "Accept: */*", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        async with self._slots:
            connection = await self._connection(origin)
            try:
                answer = await connection.request(request)
            except BaseException:
                connection.close()  # cancelled or failed half-way: its state is unknown
                raise
            self._release(origin, connection)
            return answer

    def _target(self, url: str) -> tuple[tuple[str, str, int], str, str]:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
            raise InvalidURL(f"cannot POST to {url!r}: not an http:// or https:// URL with a host and port")
        origin = (parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._targets[url] = parsed = (origin, target, parts.netloc.rpartition("@")[2])
        return parsed

    async def _connection(self, origin: tuple[str, str, int]) -> _Connection:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable and now - connection.idle_since < KEEPALIVE_S:
                return connection
            connection.close()
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls = self._tls() if scheme == "https" else None
        try:
            _, connection = await loop.create_connection(_Connection, host, port, ssl=tls,
                                                         server_hostname=host if tls else None)
        except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise HTTPConnectionError(f"cannot connect to {host}:{port}: {exc}") from exc
        return connection

    def _release(self, origin: tuple[str, str, int], connection: _Connection) -> None:
        if self.closed or not connection.reusable or not connection.usable:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(origin, deque()).append(connection)

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl
