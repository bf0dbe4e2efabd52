"""A model's own `price:` prices its calls: fresh ones, ones from the cache, and over what the provider reports."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from harness.models.base import Message, ModelResponse, Price, Usage
from harness.models.cache import ResponseCache
from harness.models.fake import fake_model

PRICE = Price(input_per_mtok=0.15, output_per_mtok=0.60)
ASK = [Message(role="user", content="hi")]


def _listed(messages, config):
    # As litellm reports a list price for a model it knows.
    return ModelResponse(text="hello there", usage=Usage(prompt_tokens=1000, completion_tokens=200, cost_usd=9.0))


def test_the_explicit_price_wins_over_the_providers_cost():
    model = fake_model(_listed, price=PRICE)
    answer = asyncio.run(model.generate(ASK))
    assert answer.usage.cost_usd == pytest.approx((1000 * 0.15 + 200 * 0.60) / 1e6)
    assert model.stats.usage.cost_usd == pytest.approx(answer.usage.cost_usd)


def test_an_unpriced_model_keeps_the_providers_cost():
    assert asyncio.run(fake_model(_listed).generate(ASK)).usage.cost_usd == 9.0


def test_a_cached_answer_is_priced_at_the_price_given_now(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    asyncio.run(fake_model(["hello there"], cache=cache).generate(ASK))  # stored without a price
    hit = asyncio.run(fake_model(["unused"], cache=cache, price=PRICE).generate(ASK))
    assert hit.cache_hit and hit.usage.cost_usd == pytest.approx(
        (hit.usage.prompt_tokens * 0.15 + hit.usage.completion_tokens * 0.60) / 1e6)
    assert hit.usage.cost_usd > 0


def test_the_price_is_not_part_of_the_cache_key():
    assert fake_model(["x"]).cache_key(ASK) == fake_model(["x"], price=PRICE).cache_key(ASK)


@pytest.mark.parametrize("bad", [{"input_per_mtok": -1, "output_per_mtok": 0}, {"input_per_mtok": 1},
                                 {"input_per_mtok": 1, "output_per_mtok": 1, "currency": "EUR"},
                                 {"input_per_mtok": float("nan"), "output_per_mtok": 1}])
def test_a_bad_price_is_refused(bad):
    with pytest.raises(ValidationError):
        Price(**bad)
