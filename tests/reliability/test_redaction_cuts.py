"""A key quoted near the point where an error message is shortened is masked whole, never left in part.

Messages used to be cut first (the thin client's body at 300 characters, litellm's error text at
300, a case error at 1000, a criterion error at 500, a judge's junk answer at 120) and redacted
after, when the part of the key left at the end of the cut (``…xxxx key=zq7Canary…``) was no
longer the key. Each test moves the key across the cut and looks for any piece of it.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from harness.checks.base import CheckContext
from harness.errors import ModelCallError, ServerError
from harness.judges.judge import Judge
from harness.judges.rubric import Rubric
from harness.models import Message, ModelSpec, build_model
from harness.models.fake import fake_model
from harness.models.http_pool import HTTPConnectionError, _parse_head
from harness.records.redaction import clip, register_secret_env
from harness.records.schema import CallStats, ErrorInfo
from harness.runner.evaluate import evaluate_case
from tests.judges.test_judge import CASE, TONE
from tests.support.openai_server import OpenAIServer

KEY_ENV = "CANARY_KEY"
CANARY = "zq7CanaryValue9x8y7w6v5u"


@pytest.fixture(autouse=True)
def canary(monkeypatch):
    monkeypatch.setenv(KEY_ENV, CANARY)
    register_secret_env(KEY_ENV)


def pieces_of_the_key(text: str) -> list[str]:
    """Every piece of the canary of 5 characters or more found in ``text``."""
    return [CANARY[:n] for n in range(5, len(CANARY) + 1) if CANARY[:n] in text]


def padded(pad: int) -> str:
    return "x" * pad + " key=" + CANARY


def test_clip_redacts_before_it_cuts():
    for pad in range(270, 300):
        cut = clip(padded(pad), 300, "…")
        assert len(cut) <= 300 and pieces_of_the_key(cut) == [], pad
    assert clip(padded(3), 300) == "xxx key=[REDACTED]"


class QuotingServer(OpenAIServer):
    """Answers 500, its error message ``x`` * pad (the pad is the question) then the key."""

    async def _respond(self, request, body, fault):
        pad = int(body["messages"][-1]["content"])
        return web.json_response({"error": {"message": padded(pad), "type": "server_error"}}, status=500)


@pytest.mark.parametrize("name", ["openai/test-model", "litellm/openai/test-model"], ids=["thin", "litellm"])
def test_a_key_at_the_cut_of_a_provider_error_is_masked_whole(name):
    # The thin path cuts the body's message at 300 characters; litellm's text (a prefix, then the
    # message) at 300: pads from 200 to 300 put the key across both cuts.
    with QuotingServer() as server:
        model = build_model(ModelSpec(name=name, api_base=server.base_url, api_key_env=KEY_ENV, max_retries=0))

        async def messages() -> list[str]:
            found = []
            for pad in range(200, 300):
                try:
                    await model.generate([Message(role="user", content=str(pad))])
                except ServerError as error:
                    found.append(ErrorInfo(kind=error.kind, message=str(error)).message)  # as a record holds it
            return found

        found = asyncio.run(messages())
    assert len(found) == 100 and any("[REDACTED]" in m for m in found)
    assert [m for m in found if pieces_of_the_key(m)] == []


class FailingResponder:
    name = "bot"

    def __init__(self, message: str) -> None:
        self.message = message

    async def respond(self, case, sample=0):
        raise ModelCallError(self.message)


def test_a_key_at_the_cut_of_a_case_error_is_masked_whole():
    for pad in range(980, 1000):
        record = asyncio.run(evaluate_case(CASE, FailingResponder(padded(pad)), [], None))
        assert record.error.kind == "model_error" and pieces_of_the_key(record.error.message) == [], pad


def grade(model) -> str:
    judge = Judge(model=model, rubric=Rubric(id="r", version="1", criteria=[TONE]), max_attempts=1)
    result = asyncio.run(judge.grade(CheckContext(case=CASE, reply="Sorry."), CallStats()))["tone"]
    return result.error.message


def test_a_key_at_the_cut_of_a_criterion_error_is_masked_whole():
    for pad in range(480, 500):
        message = grade(fake_model([ServerError(padded(pad))]))
        assert pieces_of_the_key(message) == [], pad


def test_a_key_at_the_cut_of_a_junk_judge_answer_is_masked_whole():
    for pad in range(100, 120):
        message = grade(fake_model(["not json " + padded(pad)]))
        assert message.startswith("judge answer is not JSON") and pieces_of_the_key(message) == [], pad


def test_a_key_at_the_cut_of_a_malformed_http_head_is_masked_whole():
    for pad in range(60, 80):
        with pytest.raises(HTTPConnectionError) as caught:
            _parse_head(f"HTTP/1.1 200 OK\r\n{padded(pad)}", 0)
        assert pieces_of_the_key(str(caught.value)) == [], pad
