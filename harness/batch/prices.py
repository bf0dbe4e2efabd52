"""Batch prices from litellm's bundled price map, read as a file (importing litellm takes seconds).

The map is ``model_prices_and_context_window_backup.json`` inside the installed
litellm package (1.102.x here); it holds list prices per token and, for some
models, explicit batch prices (``*_cost_per_token_batches``). Where a model has
no batch price, half the list price is used: OpenAI Batch and Anthropic
Message Batches both bill at 50% of the standard rate.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from harness.models.base import Usage

BATCH_DISCOUNT = 0.5
# The providers whose batch APIs ``--batch`` uses (harness.batch.stages.batch_api_for); others run live.
BATCH_PROVIDERS = ("openai", "anthropic")


def runs_batched(model: str, has_deployments: bool) -> bool:
    """Whether ``--batch`` sends this model's calls to a batch API: an ``openai/`` or ``anthropic/`` model not
    spread over ``deployments`` (a routed model, Azure and the rest run live, at the live price)."""
    return not has_deployments and model.split("/", 1)[0] in BATCH_PROVIDERS
PRICE_MAP = "model_prices_and_context_window_backup.json"


@functools.lru_cache(maxsize=1)
def price_map() -> dict[str, Any]:
    """litellm's bundled price map, or ``{}`` when litellm is not installed."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / PRICE_MAP
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _entry(model: str) -> dict[str, Any] | None:
    """The price map's entry for ``model`` (``openai/gpt-4o-mini`` or the bare name), if it prices it."""
    bare = model.split("/", 1)[1] if model.split("/", 1)[0] in ("openai", "anthropic") else model
    entry = price_map().get(model) or price_map().get(bare)
    return entry if entry and entry.get("input_cost_per_token") is not None else None


def list_prices(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token at the list (live) price for ``model``."""
    entry = _entry(model)
    if entry is None:
        return None
    return float(entry["input_cost_per_token"]), float(entry.get("output_cost_per_token") or 0)


def batch_prices(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token in a batch for ``model`` (``openai/gpt-4o-mini`` or the bare name)."""
    entry = _entry(model)
    if entry is None:
        return None
    inp = entry.get("input_cost_per_token_batches") or entry["input_cost_per_token"] * BATCH_DISCOUNT
    out = entry.get("output_cost_per_token_batches") or (entry.get("output_cost_per_token") or 0) * BATCH_DISCOUNT
    return float(inp), float(out)


def batch_cost(model: str, usage: Usage) -> float | None:
    """What ``usage`` costs in a batch, or ``None`` for a model the map does not price."""
    prices = batch_prices(model)
    if prices is None:
        return None
    return usage.prompt_tokens * prices[0] + usage.completion_tokens * prices[1]
