"""The few HTTP calls a batch API needs, over one aiohttp session, with bounded retries.

Submitting, polling and downloading are not model calls: a 429, a 5xx or a
dropped connection is retried here with backoff (a poll that fails must not
lose a paid batch); any other error status stops the run with
:class:`~harness.batch.requests.BatchAPIError`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from harness.batch.requests import BatchAPIError

ATTEMPTS = 6
TRANSIENT = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


class BatchHTTP:
    """``request`` returning the body of a 2xx answer; retries transient failures."""

    def __init__(self, base_url: str, headers: dict[str, str], *, backoff_s: float = 1.0, what: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        self.backoff_s = backoff_s
        self.what = what
        self._session: Any = None

    async def __aenter__(self) -> "BatchHTTP":
        import aiohttp

        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        raw = await self.request(method, path, **kwargs)
        try:
            return json.loads(raw)
        except ValueError:
            raise BatchAPIError(f"{self.what}: {method} {path} answered with something that is not JSON") from None

    async def request(self, method: str, path: str, *, json_body: Any = None, data: Any = None) -> bytes:
        """The body of a 2xx answer to ``method`` ``path`` (a path, or a full URL)."""
        import aiohttp

        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        problem = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                await asyncio.sleep(min(self.backoff_s * 2 ** (attempt - 1), 60))
            try:
                body = data() if callable(data) else data  # a form is rebuilt for every attempt
                async with self._session.request(method, url, json=json_body, data=body,
                                                 headers=self.headers) as answer:
                    raw = await answer.read()
                    if 200 <= answer.status < 300:
                        return raw
                    problem = f"HTTP {answer.status}: {_detail(raw)}"
                    if answer.status not in TRANSIENT:
                        break
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
        raise BatchAPIError(f"{self.what}: {method} {_path_only(url)} failed: {problem}")


def _detail(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        inner = error.get("error") if isinstance(error.get("error"), dict) else error
        text = str(inner.get("message", text))
    text = " ".join(text.split())
    return text[:300]


def _path_only(url: str) -> str:
    # Never echo query strings (some services sign download URLs).
    return url.split("?", 1)[0]
