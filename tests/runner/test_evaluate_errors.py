"""``error.attempts`` on a record and on a criterion: the provider calls made for that outcome.

It used to be ``null`` on every case error (evaluate_case dropped the count ``Model`` keeps on the
error) and the judge's own ask number on a criterion (a criterion whose call timed out three times
was recorded as 1). The end-to-end test checks the records against the loopback server's log.
"""

from __future__ import annotations

import asyncio

import jinja2
import pytest

from harness.candidates.responders import ModelResponder
from harness.checks.base import CheckContext
from harness.errors import CallTimeoutError, CaseFault, ModelCallError, RateLimitError
from harness.judges.judge import Judge, _judge_config, judge_salt
from harness.judges.prompt import build_judge_messages
from harness.judges.rubric import Rubric
from harness.models import ModelResponse, ResponseCache
from harness.models.fake import fake_model
from harness.records.schema import CallStats
from harness.records.store import iter_records
from harness.runner.evaluate import evaluate_case
from tests.cli.conftest import harness_cmd
from tests.judges.test_judge import CASE, TONE
from tests.reliability.conftest import request_key, requests_by_key, served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer

JUNK = '{"reason": "x", "score": 9}'
VALID = '{"reason": "calm", "score": 4}'


def respond(model):
    responder = ModelResponder(name="bot", model=model, template=jinja2.Template("You answer support mail."))
    return asyncio.run(evaluate_case(CASE, responder, [], None)).error


def test_a_case_error_counts_the_provider_calls_with_their_retries():
    model = fake_model([RateLimitError(f"429 #{i}", retryable=True) for i in range(3)], max_retries=2)
    model.backoff_base_s = 0.001
    error = respond(model)
    assert (error.kind, error.attempts, model.provider.calls) == ("rate_limit", 3, 3)


def test_a_case_error_not_retried_counts_one_call():
    error = respond(fake_model([ModelCallError("401 invalid key")]))
    assert (error.kind, error.attempts) == ("model_error", 1)


class Refusing:
    name = "bot"

    async def respond(self, case, sample=0):
        raise CaseFault("no recorded reply")  # no provider call made it


def test_a_case_error_no_provider_call_made_has_no_attempts():
    assert asyncio.run(evaluate_case(CASE, Refusing(), [], None)).error.attempts is None


def criterion_error(script, cache=None, max_attempts=2, **spec):
    model = fake_model(script, cache=cache, **spec)
    model.backoff_base_s = 0.001
    judge = Judge(model=model, rubric=Rubric(id="r", version="1", criteria=[TONE]), max_attempts=max_attempts)
    result = asyncio.run(judge.grade(CheckContext(case=CASE, reply="Sorry."), CallStats()))["tone"]
    return result.error, model.provider.calls


@pytest.mark.parametrize("script,kind,calls", [
    ([CallTimeoutError("slow", retryable=True)] * 3, "timeout", 3),  # one ask, three tries
    ([JUNK, JUNK], "judge_output", 2),  # two asks, one call each
    ([JUNK, *[RateLimitError("429", retryable=True)] * 3], "rate_limit", 4),  # the junk ask, then three tries
    ([CallTimeoutError("slow", retryable=True), JUNK, JUNK], "judge_output", 3),  # a retried ask, then one
])
def test_a_criterion_error_counts_the_provider_calls_of_all_its_asks(script, kind, calls):
    error, made = criterion_error(script, max_retries=2)
    assert (error.kind, error.attempts) == (kind, calls) and made == calls


def test_answers_from_the_cache_are_no_provider_calls(tmp_path):
    # Junk an older harness left in the cache is served (0 calls), refused, then asked again (1 call).
    cache = ResponseCache(tmp_path / "c.sqlite")
    rubric = Rubric(id="r", version="1", criteria=[TONE])
    key = fake_model([]).cache_key(build_judge_messages(CASE, "Sorry.", TONE), _judge_config(TONE.scale),
                                   cache_salt=judge_salt("tone"))
    cache.put(key, ModelResponse(text=JUNK))
    error, made = criterion_error([JUNK], cache=cache)
    assert (error.kind, error.attempts, made) == ("judge_output", 1, 1)


class FaultsByCall(OpenAIServer):
    """Meets the calls named in ``faults`` ((case, role, criterion) -> fault) with that fault every time."""

    def __init__(self, faults, **kwargs) -> None:
        super().__init__(**kwargs)
        self.faults = faults

    def _next_fault(self, body):
        return self.faults.get(request_key(body))


def test_records_count_the_requests_the_server_received(tmp_path):
    faults = {("r0000", "responder", None): "rate_limit", ("r0001", "judge", "acknowledgement"): "slow",
              ("r0002", "judge", "policy_compliance"): "malformed"}
    with FaultsByCall(faults, reply=served_reply, slow_s=2.0) as server:
        write_served_eval(tmp_path, server.base_url, 4, timeout_s=0.3, max_retries=2, max_attempts=2,
                          max_error_rate=None)
        done = harness_cmd("run", "eval.yaml", "--out", "runs/a", "--no-cache", "--quiet", cwd=tmp_path,
                           env={"HARNESS_RETRY_BACKOFF_S": "0.001"})
    # 3 of 4 records erred: above the default max_error_rate (5%), the run fails its tolerance (it passed before
    # there was a default); every record is still written and counted.
    assert done.returncode == 3, done.stderr
    assert "3 of 4 records (75.0%) with an error: 1 without a reply, 2 with a judge error, above the default " \
        "max_error_rate 5.0%" in done.stderr
    logged = {key: len(requests) for key, requests in requests_by_key(server.requests).items()}
    records = {r.case_id: r for r in iter_records(tmp_path / "runs/a")}
    assert (records["r0000"].error.kind, records["r0000"].error.attempts) == ("rate_limit", 3)
    assert logged[("r0000", "responder", None)] == 3
    timed_out = records["r0001"].judge["acknowledgement"].error
    assert (timed_out.kind, timed_out.attempts) == ("timeout", 3)
    assert logged[("r0001", "judge", "acknowledgement")] == 3
    junk = records["r0002"].judge["policy_compliance"].error
    assert (junk.kind, junk.attempts) == ("judge_output", 2)
    assert logged[("r0002", "judge", "policy_compliance")] == 2
    assert records["r0003"].error is None and all(v.error is None for v in records["r0003"].judge.values())
