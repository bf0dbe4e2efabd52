"""A judge's own `params` reach its calls: the judge's defaults (temperature 0, a short answer) sit under them.

The config the fake provider receives is the config a real provider would be sent, after the Model has
overlaid the call's config on the spec's params.
"""

from __future__ import annotations

import asyncio
import json

from harness.checks.base import CheckContext
from harness.datasets.schema import Case
from harness.judges.judge import Judge, judge_config
from harness.judges.panel import PanelJudge, Panellist
from harness.judges.rubric import Criterion, Rubric
from harness.models.base import GenerateConfig
from harness.models.fake import fake_model
from harness.models.logprobs import LogprobModel
from harness.pairwise.judge import PairwiseJudge, pairwise_config
from harness.records.schema import CallStats
from harness.sampling.judge_epochs import EpochJudge

TONE = Criterion(id="tone", question="Is the tone positive?", scale="1-5",
                 levels={str(i): f"level {i}" for i in range(1, 6)})
RUBRIC = Rubric(id="r", version="1", criteria=[TONE])
CASE = Case(id="c1", turns=[{"role": "customer", "content": "my parcel is late!!"}])
ANSWER = json.dumps({"reason": "calm", "score": 4})
USER = dict(temperature=0.7, max_tokens=400, top_p=0.9, seed=7, stop=["\n\n"], extra={"think": False})


def _sent(model) -> GenerateConfig:
    return model.provider.history[-1][1]


def _grade(judge) -> None:
    asyncio.run(judge.grade(CheckContext(case=CASE, reply="Sorry about that."), CallStats()))


def test_every_param_the_user_gave_the_judge_is_sent_as_written():
    model = fake_model(lambda m, c: ANSWER, params=GenerateConfig(**USER))
    _grade(Judge(model=model, rubric=RUBRIC))
    sent = _sent(model)
    assert sent.model_dump(include=set(USER)) == USER
    assert sent.response_schema == judge_config("1-5").response_schema  # the answer schema stays the judge's


def test_without_params_the_judge_keeps_its_defaults():
    model = fake_model(lambda m, c: ANSWER)
    _grade(Judge(model=model, rubric=RUBRIC))
    assert (_sent(model).temperature, _sent(model).max_tokens) == (0.0, 160)


def test_a_default_the_params_leave_open_is_still_sent():
    model = fake_model(lambda m, c: ANSWER, params=GenerateConfig(temperature=0.5))
    _grade(Judge(model=model, rubric=RUBRIC))
    assert (_sent(model).temperature, _sent(model).max_tokens) == (0.5, 160)


def test_an_explicit_temperature_0_is_the_users_and_stays():
    model = fake_model(lambda m, c: ANSWER, params=GenerateConfig(temperature=0.0, max_tokens=64))
    _grade(Judge(model=model, rubric=RUBRIC))
    assert (_sent(model).temperature, _sent(model).max_tokens) == (0.0, 64)


def test_wrapped_models_epochs_and_panellists_each_send_their_own_params():
    first = fake_model(lambda m, c: ANSWER, name="fake/a", params=GenerateConfig(temperature=0.9, seed=3))
    second = fake_model(lambda m, c: ANSWER, name="fake/b", params=GenerateConfig(max_tokens=50))
    panel = PanelJudge([Panellist("a", EpochJudge(Judge(model=LogprobModel(first), rubric=RUBRIC), epochs=2)),
                        Panellist("b", Judge(model=second, rubric=RUBRIC))], RUBRIC)
    _grade(panel)
    assert [(c.temperature, c.seed, c.max_tokens, c.logprobs) for _, c in first.provider.history] \
        == [(0.9, 3, 160, True)] * 2
    assert (_sent(second).temperature, _sent(second).max_tokens) == (0.0, 50)


def test_the_pairwise_judge_sends_the_users_params_over_its_defaults():
    model = fake_model(lambda m, c: json.dumps({"reason": "clearer", "winner": "1"}),
                       params=GenerateConfig(**USER))
    verdict = asyncio.run(PairwiseJudge(model=model, rubric=RUBRIC).judge_order(CASE, "a", "b", TONE, "AB"))
    assert verdict.winner == "A"
    sent = _sent(model)
    assert sent.model_dump(include=set(USER)) == USER
    assert sent.response_schema == pairwise_config().response_schema
    plain = fake_model(lambda m, c: json.dumps({"reason": "clearer", "winner": "1"}))
    asyncio.run(PairwiseJudge(model=plain, rubric=RUBRIC).judge_order(CASE, "a", "b", TONE, "AB"))
    assert (_sent(plain).temperature, _sent(plain).max_tokens) == (0.0, 200)
