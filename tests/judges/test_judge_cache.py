"""A judge answer that fails validation never stays in the response cache; a valid one does.

Each ask of a criterion is the same call: a refused answer is dropped from the cache,
so the next ask, a ``--retry-errors`` rerun or a fresh run reaches the provider again,
while an accepted answer is served to every rerun without a call.
"""

import asyncio

import pytest

from harness.checks.base import CheckContext
from harness.judges.judge import Judge, _judge_config, judge_salt
from harness.judges.prompt import build_judge_messages
from harness.judges.rubric import Rubric
from harness.models import ModelResponse, ResponseCache
from harness.models.fake import fake_model
from harness.models.logprobs import LogprobModel
from harness.records.schema import CallStats
from tests.judges.test_judge import CASE, TONE

RUBRIC = Rubric(id="r", version="1", criteria=[TONE])
VALID = '{"reason": "calm", "score": 4}'
REPLY = "Sorry for the wait."
JUNK = ["not json at all", '{"reason": "x", "score": 9}', '{"reason": "r", "score": 1, "score": 5}']


def grade(model, max_attempts: int = 2):
    judge = Judge(model=model, rubric=RUBRIC, max_attempts=max_attempts)
    return asyncio.run(judge.grade(CheckContext(case=CASE, reply=REPLY), CallStats()))["tone"]


@pytest.mark.parametrize("junk", JUNK)
def test_a_refused_answer_is_asked_again_by_a_rerun_not_served_from_the_cache(tmp_path, junk):
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = fake_model([junk, junk], cache=cache)
    assert grade(first).error.kind == "judge_output" and first.provider.calls == 2
    assert len(cache) == 0
    rerun = fake_model([VALID], cache=cache)
    assert grade(rerun).score == 4 and rerun.provider.calls == 1
    again = fake_model([], cache=cache)  # the accepted answer is cached: no call
    result = grade(again)
    assert result.score == 4 and result.cache_hit and again.provider.calls == 0


def test_an_answer_accepted_on_the_second_ask_is_what_a_rerun_is_served(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = fake_model([JUNK[1], VALID], cache=cache)
    assert grade(first).score == 4 and first.provider.calls == 2
    rerun = fake_model([], cache=cache)
    assert grade(rerun).score == 4 and rerun.provider.calls == 0


def test_junk_left_in_the_cache_by_an_older_run_is_dropped_when_served(tmp_path):
    # Older runs cached every answer, the first ask's under the salt the judge still uses.
    cache = ResponseCache(tmp_path / "c.sqlite")
    served = fake_model([VALID], cache=cache)
    messages = build_judge_messages(CASE, REPLY, TONE)
    key = served.cache_key(messages, _judge_config(TONE.scale), cache_salt=judge_salt("tone"))
    cache.put(key, ModelResponse(text=JUNK[1]))
    result = grade(served)
    assert result.score == 4 and served.provider.calls == 1
    assert cache.get(key).text == VALID


def test_a_refused_answer_is_dropped_under_the_key_a_wrapped_model_stored_it(tmp_path):
    # LogprobModel changes the config, so the key is not the one the judge's own arguments would give.
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = fake_model([JUNK[0], JUNK[1]], cache=cache)
    assert grade(LogprobModel(first)).error.kind == "judge_output"
    assert len(cache) == 0
    rerun = fake_model([VALID], cache=cache)
    assert grade(LogprobModel(rerun)).score == 4 and rerun.provider.calls == 1


def test_another_selection_of_the_rubric_reuses_the_answers_it_shares(tmp_path):
    # The key covers the messages (the criterion's text among them), not the rubric's selected criteria:
    # judging a subset, a superset or a rubric with one criterion edited re-asks only what changed.
    other = TONE.model_copy(update={"id": "clarity", "question": "Is the reply clear?"})
    cache = ResponseCache(tmp_path / "c.sqlite")
    both = fake_model([VALID, VALID], cache=cache)
    ctx = CheckContext(case=CASE, reply=REPLY)
    asyncio.run(Judge(model=both, rubric=Rubric(id="r", version="1", criteria=[TONE, other])).grade(ctx, CallStats()))
    assert both.provider.calls == 2
    subset = fake_model([], cache=cache)
    result = asyncio.run(Judge(model=subset, rubric=RUBRIC).grade(ctx, CallStats()))["tone"]
    assert result.score == 4 and result.cache_hit and subset.provider.calls == 0
    edited = other.model_copy(update={"question": "Is the reply clear and short?"})
    mixed = fake_model([VALID], cache=cache)
    asyncio.run(Judge(model=mixed, rubric=Rubric(id="r", version="2", criteria=[TONE, edited])).grade(ctx, CallStats()))
    assert mixed.provider.calls == 1  # only the edited criterion is asked again
