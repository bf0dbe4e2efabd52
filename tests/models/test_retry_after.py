"""Retry-After is honoured on every retryable status, on both paths, and a wait too long ends the call.

Both paths (``litellm/openai/...`` and the thin client for ``openai/...``) against the loopback server
of ``tests/support/openai_server.py``: 429, 503, 500 and 408 answers carrying ``Retry-After`` or
``retry-after-ms``. A 503's Retry-After used to be ignored (retried after the exponential backoff).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from harness.errors import CallTimeoutError, RateLimitError, ServerError
from harness.models import Message, ModelSpec, build_model

QUESTION = [Message(role="user", content="where is my parcel")]
KIND = {"rate_limit_retry_after": RateLimitError, "unavailable_retry_after": ServerError,
        "unavailable_retry_after_ms": ServerError, "server_error_retry_after": ServerError,
        "request_timeout_retry_after": CallTimeoutError}


@pytest.fixture(params=["litellm/openai/test-model", "openai/test-model"], ids=["litellm", "thin"])
def model_name(request):
    return request.param


def make_model(server, name, sleeps=None, **spec_fields):
    model = build_model(ModelSpec(name=name, api_base=server.base_url, **spec_fields))
    model.backoff_base_s = 0.001
    if sleeps is not None:
        async def record(seconds):
            sleeps.append(seconds)

        model.sleep = record
    return model


@pytest.mark.parametrize("fault", list(KIND))
def test_the_wait_asked_for_is_the_wait_before_the_retry(openai_server, model_name, fault):
    openai_server.retry_after_s = 7
    openai_server.queue(fault)
    sleeps: list[float] = []
    response = asyncio.run(make_model(openai_server, model_name, sleeps).generate(QUESTION))
    assert response.attempts == 2 and sleeps == [7]


def test_a_503_is_asked_again_only_after_its_retry_after(openai_server, model_name):
    openai_server.retry_after_s = 0.4
    openai_server.queue("unavailable_retry_after", "unavailable_retry_after")
    assert asyncio.run(make_model(openai_server, model_name).generate(QUESTION)).attempts == 3
    times = [r.received_at for r in openai_server.requests]
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.4 - 0.02, times


@pytest.mark.parametrize("fault", ["rate_limit_retry_after", "unavailable_retry_after", "unavailable_retry_after_ms"])
def test_a_wait_longer_than_a_call_waits_ends_the_retries_and_says_so(openai_server, model_name, fault):
    openai_server.retry_after_s = 120
    openai_server.queue(fault)
    sleeps: list[float] = []
    model = make_model(openai_server, model_name, sleeps)
    started = time.monotonic()
    with pytest.raises(KIND[fault], match="the provider asked to wait 120 s before a retry .*: not retried$") as caught:
        asyncio.run(model.generate(QUESTION))
    assert time.monotonic() - started < 30 and sleeps == []
    assert len(openai_server.requests) == 1 and caught.value.attempts == 1
