"""The pairwise judge's refused answers, error messages and error counts, as the rubric judge's.

* A pick that fails validation is dropped from the response cache, and every ask of one order is the
  same call (one cache key): the re-ask, a rerun and a fresh run reach the provider instead of being
  served the same junk; an accepted answer is served to every rerun.
* An error message is redacted before it is cut, so no part of a key survives the cut.
* ``error.attempts`` counts the provider calls made for the order, retries included; null when none.
"""

from __future__ import annotations

import asyncio

import pytest

from harness.errors import CallTimeoutError, JudgeOutputError, ModelCallError, RateLimitError
from harness.judges.rubric import Criterion, Rubric
from harness.models import ModelResponse, ResponseCache
from harness.models.base import GenerateConfig
from harness.models.fake import fake_model
from harness.pairwise.judge import PAIRWISE_DEFAULTS, PairwiseJudge, pairwise_salt, parse_pick
from harness.pairwise.prompt import answer_schema, build_pairwise_messages
from harness.records.redaction import register_secret_env
from tests.pairwise.judges import answer, case

POLICY = Criterion(id="policy", question="Does the reply keep to the policy?", scale="pass_fail",
                   levels={"pass": "Keeps to every policy fact.", "fail": "Promises what policy forbids."})
RUBRIC = Rubric(id="r", version="1", criteria=[POLICY])
CASE = case("c0")
FIRST, SECOND = "Reply A", "Reply B"
VALID = answer("1", "the first keeps to policy")
JUNK = ["not json at all", answer("3"), '{"reason": "r", "winner": "1", "winner": "2"}']

KEY_ENV = "PAIRWISE_CANARY_KEY"
CANARY = "zq7CanaryValue9x8y7w6v5u"


def pick(model, max_attempts: int = 2):
    """The AB order of FIRST / SECOND on POLICY, with ``model``; the judge for its tally."""
    judge = PairwiseJudge(model=model, rubric=RUBRIC, max_attempts=max_attempts)
    return asyncio.run(judge.judge_order(CASE, FIRST, SECOND, POLICY, "AB")), judge


def quick(script, **fields):
    model = fake_model(script, **fields)
    model.backoff_base_s = 0.0  # retries without waiting
    return model


# -- a refused pick never stays in the cache --------------------------------------------------------

@pytest.mark.parametrize("junk", JUNK)
def test_a_refused_pick_is_asked_again_by_a_rerun_not_served_from_the_cache(tmp_path, junk):
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = fake_model([junk, junk], cache=cache)
    verdict, _ = pick(first)
    assert verdict.error.kind == "judge_output" and first.provider.calls == 2
    assert len(cache) == 0
    rerun = fake_model([VALID], cache=cache)  # a healthy judge: the rerun asks it
    verdict, judge = pick(rerun)
    assert verdict.picked == "first" and verdict.winner == "A" and rerun.provider.calls == 1
    assert judge.tally.calls == 1 and judge.tally.cache_hits == 0
    again = fake_model([], cache=cache)  # the accepted answer is cached: no call
    verdict, judge = pick(again)
    assert verdict.winner == "A" and verdict.cache_hit and again.provider.calls == 0
    assert judge.tally.cache_hits == 1


def test_a_pick_accepted_on_the_second_ask_is_what_a_rerun_is_served(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = fake_model([JUNK[1], VALID], cache=cache)
    verdict, _ = pick(first)
    assert verdict.winner == "A" and first.provider.calls == 2 and len(cache) == 1
    rerun = fake_model([], cache=cache)
    verdict, judge = pick(rerun)
    # one ask, answered from the cache (the junk is gone, not served first)
    assert verdict.winner == "A" and rerun.provider.calls == 0
    assert judge.tally.calls == 1 and judge.tally.cache_hits == 1


def test_junk_left_in_the_cache_by_an_older_run_is_dropped_when_served(tmp_path):
    # Older runs cached every answer, the first ask's under the salt the judge still uses.
    cache = ResponseCache(tmp_path / "c.sqlite")
    served = fake_model([VALID], cache=cache)
    config = PAIRWISE_DEFAULTS.merged(GenerateConfig(response_schema=answer_schema()))
    messages = build_pairwise_messages(CASE, FIRST, SECOND, POLICY)
    key = served.cache_key(messages, config, cache_salt=pairwise_salt("policy", "AB"))
    cache.put(key, ModelResponse(text=JUNK[1]))
    verdict, _ = pick(served)
    assert verdict.winner == "A" and served.provider.calls == 1
    assert cache.get(key).text == VALID


def test_a_model_without_forget_is_asked_again_as_before():
    class Double:  # a test double: generate only
        def __init__(self):
            self.answers = [JUNK[0], VALID]

        async def generate(self, messages, config, *, cache_salt=""):
            return ModelResponse(text=self.answers.pop(0))

    verdict, _ = pick(Double())
    assert verdict.winner == "A"


# -- messages are redacted before they are cut ------------------------------------------------------

@pytest.fixture
def canary(monkeypatch):
    monkeypatch.setenv(KEY_ENV, CANARY)
    register_secret_env(KEY_ENV)


def pieces_of_the_key(text: str) -> list[str]:
    """Every piece of the canary of 5 characters or more found in ``text``."""
    return [CANARY[:n] for n in range(5, len(CANARY) + 1) if CANARY[:n] in text]


def padded(pad: int) -> str:
    return "x" * pad + " key=" + CANARY


def test_a_key_at_the_cut_of_a_schema_message_is_masked_whole(canary):
    # jsonschema's message quotes the bad winner ("'xxx key=...' is not one of [...]"), cut at 200
    seen = 0
    for pad in range(160, 200):
        with pytest.raises(JudgeOutputError) as raised:
            parse_pick(answer(padded(pad)))
        assert pieces_of_the_key(str(raised.value)) == [], pad
        seen += "[REDACTED]" in str(raised.value)
    assert seen  # the key was inside the cut for some pads, and masked there


def test_a_key_at_the_cut_of_an_order_error_is_masked_whole(canary):
    # a provider fault's message is cut at 500 in the order's error
    for pad in range(460, 500):
        verdict, _ = pick(fake_model([ModelCallError(padded(pad))]))
        assert verdict.error.kind == "model_error" and verdict.error.attempts == 1
        assert pieces_of_the_key(verdict.error.message) == [], pad
        assert len(verdict.error.message) <= 500


def test_a_key_at_the_cut_of_a_refused_pick_is_masked_whole(canary):
    for pad in range(160, 200):
        verdict, _ = pick(fake_model([answer(padded(pad))]), max_attempts=1)
        assert verdict.error.kind == "judge_output"
        assert pieces_of_the_key(verdict.error.message) == [], pad


# -- attempts: the provider calls made for the order --------------------------------------------------

def test_attempts_count_every_provider_call_retries_included():
    # junk (1 call), then a call that times out 3 times (max_retries=2): 4 provider calls
    timeout = CallTimeoutError("timed out", retryable=True)
    model = quick([JUNK[0], timeout, timeout, timeout], max_retries=2)
    verdict, _ = pick(model)
    assert verdict.error.kind == "timeout" and model.provider.calls == 4
    assert verdict.error.attempts == 4


def test_a_fault_after_retries_counts_its_tries():
    limited = RateLimitError("429 slow down", retryable=True)
    model = quick([limited, limited, limited], max_retries=2)
    verdict, _ = pick(model)
    assert verdict.error.kind == "rate_limit" and verdict.error.attempts == 3 == model.provider.calls


def test_junk_after_a_retried_call_counts_the_retry():
    limited = RateLimitError("429 slow down", retryable=True)
    model = quick([limited, JUNK[1], JUNK[2]], max_retries=2)
    verdict, _ = pick(model)
    assert verdict.error.kind == "judge_output" and verdict.error.attempts == 3 == model.provider.calls


def test_an_answer_from_the_cache_counts_no_call(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    config = PAIRWISE_DEFAULTS.merged(GenerateConfig(response_schema=answer_schema()))
    model = fake_model([JUNK[0]], cache=cache)
    key = model.cache_key(build_pairwise_messages(CASE, FIRST, SECOND, POLICY), config,
                          cache_salt=pairwise_salt("policy", "AB"))
    cache.put(key, ModelResponse(text=JUNK[1]))  # an older run's junk, served then dropped
    verdict, _ = pick(model)
    assert verdict.error.kind == "judge_output" and model.provider.calls == 1
    assert verdict.error.attempts == 1


def test_attempts_is_null_when_no_provider_call_was_made():
    class Failing:  # a fault that no provider call made (it carries no attempts)
        async def generate(self, messages, config, *, cache_salt=""):
            raise ModelCallError("no call made")

    verdict, _ = pick(Failing())
    assert verdict.error.kind == "model_error" and verdict.error.attempts is None
