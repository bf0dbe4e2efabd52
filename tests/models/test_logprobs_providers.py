"""Weighted judge scores from a real OpenAI-protocol server's logprobs, on both provider paths.

The loopback server answers ``logprobs: true`` as OpenAI does (``tests/support/logprob_server.py``);
every test runs through litellm (``litellm/openai/<name>``) and through the thin client.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from harness.checks.base import CheckContext
from harness.datasets.schema import Case
from harness.judges.judge import Judge
from harness.judges.rubric import Criterion, Rubric
from harness.models import ModelSpec, ResponseCache, build_model
from harness.models.logprobs import LogprobModel, can_return_logprobs
from harness.records.schema import CallStats
from tests.support.logprob_server import LogprobServer

FIVE = Criterion(id="empathy", question="Is it kind?", levels={str(i): "" for i in range(1, 6)})
PASS_FAIL = Criterion(id="policy", question="Within policy?", scale="pass_fail", levels={"pass": "", "fail": ""})
RUBRIC = Rubric(id="r", version="1", criteria=[FIVE, PASS_FAIL])
CASE = Case(id="c1", turns=[{"role": "customer", "content": "where is my refund"}])
PROBABILITIES = {"4": 0.5, "5": 0.3, "3": 0.1, "pass": 0.5, "fail": 0.3, " ": 0.1}


def answer(body) -> str:
    user = body["messages"][-1]["content"]
    if '"pass" or "fail"' in user:
        return json.dumps({"reason": "Within the refund window.", "score": "pass"})
    return json.dumps({"reason": "Kind, and names the next step.", "score": 4})


@pytest.fixture(params=["litellm/openai/judge", "openai/judge"], ids=["litellm", "thin"])
def model_name(request):
    return request.param


def grade(model) -> dict:
    judge = Judge(model=model, rubric=RUBRIC)
    return asyncio.run(judge.grade(CheckContext(case=CASE, reply="Sorry! Refund sent today."), CallStats()))


def test_judge_scores_are_weighted_by_the_servers_logprobs(model_name, tmp_path):
    with LogprobServer(answer, score_probabilities=PROBABILITIES) as server:
        model = build_model(ModelSpec(name=model_name, api_base=server.base_url), ResponseCache(tmp_path / "c.sqlite"))
        assert can_return_logprobs(model)
        results = grade(LogprobModel(model))
        assert all(r.body["logprobs"] is True and r.body["top_logprobs"] == 5 for r in server.requests)
        again = grade(LogprobModel(model))  # from the cache, probabilities and all
        assert len(server.requests) == 2
    assert results["empathy"].score == 4
    assert results["empathy"].weighted_score == pytest.approx((4 * 0.5 + 5 * 0.3 + 3 * 0.1) / 0.9)
    assert results["policy"].passed is True
    assert results["policy"].weighted_score == pytest.approx(0.5 / 0.8)
    assert again["empathy"].weighted_score == results["empathy"].weighted_score


def test_without_a_logprob_request_there_is_no_weighted_score(model_name):
    with LogprobServer(answer, score_probabilities=PROBABILITIES) as server:
        results = grade(build_model(ModelSpec(name=model_name, api_base=server.base_url)))
        assert not any(r.body.get("logprobs") for r in server.requests)
    assert results["empathy"].score == 4 and results["empathy"].weighted_score is None


def test_an_endpoint_refusing_logprobs_is_asked_again_without_and_remembered(model_name):
    with LogprobServer(answer, reject_logprobs=True) as server:
        model = build_model(ModelSpec(name=model_name, api_base=server.base_url, max_retries=0))
        results = grade(LogprobModel(model))
        asked = [bool(r.body.get("logprobs")) for r in server.requests]
    # The first call is refused and asked again without; the provider then stops asking.
    assert asked == [True, False, False]
    assert not can_return_logprobs(model)
    assert results["empathy"].score == 4 and results["empathy"].error is None
    assert results["empathy"].weighted_score is None and results["policy"].passed is True


def test_a_run_asks_its_real_provider_judge_for_logprobs_and_scores_them(tmp_path, monkeypatch):
    from harness.runner.engine import RunOptions, run_eval

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cases.jsonl").write_text(json.dumps({
        "id": "c1", "turns": [{"role": "customer", "content": "where is my refund"}],
        "recorded_replies": {"v1": "Sorry! Refund sent today."}}) + "\n")
    (tmp_path / "rubric.yaml").write_text(
        'id: r\nversion: "1"\ncriteria:\n  - id: empathy\n    question: Is it kind?\n'
        '    levels: {"1": a, "2": b, "3": c, "4": d, "5": e}\n')
    with LogprobServer(answer, score_probabilities=PROBABILITIES) as server:
        (tmp_path / "eval.yaml").write_text(
            "dataset: cases.jsonl\ncandidates:\n  - name: v1\n    recorded: v1\nchecks: none\n"
            f"judge:\n  model: openai/judge\n  api_base: {server.base_url}\n  rubric: rubric.yaml\n")
        run_dir = run_eval("eval.yaml", RunOptions(out=tmp_path / "out")).run_dir
    record = json.loads((run_dir / "records.jsonl").read_text())
    assert record["judge"]["empathy"]["weighted_score"] == pytest.approx(3.8 / 0.9)
    assert json.loads((run_dir / "manifest.json").read_text())["judge"]["logprobs"] is True
    card = json.loads((run_dir / "scorecard.json").read_text())
    assert card["candidates"]["v1"]["criteria"]["empathy"]["weighted_score"]["mean"] == pytest.approx(3.8 / 0.9)


def test_litellm_refusing_logprobs_for_a_provider_without_them_is_remembered():
    # litellm itself refuses logprobs for Anthropic, before any request; the retry without them then
    # reaches the (closed) endpoint, so the error the caller sees is about the connection, not logprobs.
    from harness.errors import ModelCallError
    from harness.models.base import GenerateConfig, Message
    from harness.models.litellm_provider import LiteLLMProvider

    provider = LiteLLMProvider(ModelSpec(name="anthropic/claude-3-5-haiku-latest", api_base="http://127.0.0.1:9",
                                         timeout_s=5))
    config = GenerateConfig(logprobs=True, max_tokens=5)
    with pytest.raises(ModelCallError) as info:
        asyncio.run(provider.generate([Message(role="user", content="hi")], config))
    assert provider.logprobs_supported is False
    assert "logprobs" not in str(info.value)
