"""``max_latency_ms`` and ``max_cost_usd``: checks of the call that produced the reply, not of its text.

They read what the record keeps of the responder call (``ctx.responder``, the record's ``responder``:
latency, tokens and cost, cache hits), so they cost nothing beside the built-in checks. Where there is
nothing honest to measure, the check does not apply to that case (``passed`` null) and says why:

* a recorded or replayed reply (``recorded:``, ``replies_from:``): no call was made;
* latency of an answer served from the cache (a rerun, an identical call of the same run, batch mode):
  the lookup's time is not the model's; ``--no-cache`` measures it again;
* cost where the provider's price is unknown (a model missing from litellm's price list, a custom
  ``api_base``) and the eval file gives the model no ``price:``; the detail says to give one.

An answer from the cache keeps the cost of the call that produced it (at batch prices when it was
batched): what the reply cost, as the scorecard counts it. Latency is the call's wall time, retries and
their waits included: what a customer would have waited.
"""

from __future__ import annotations

import math
from typing import Callable

from harness.checks.base import CheckContext
from harness.checks.custom import Outcome

_NO_CONTEXT = "no account of the responder call reached the check (a context built outside a run)"
_RECORDED = "the reply was recorded, not produced by a model call in this run"


def check_limit(kind: str, value: object) -> None:
    """Raise ValueError unless ``value`` is a limit ``kind`` takes (a number; milliseconds above 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        unit = "milliseconds, e.g. 2000" if kind == "max_latency_ms" else "US dollars per reply, e.g. 0.002"
        raise ValueError(f"type {kind} needs `value`: a number of {unit}")
    if kind == "max_latency_ms" and value <= 0:
        raise ValueError("type max_latency_ms needs `value` above 0 (milliseconds)")
    if value < 0:
        raise ValueError("type max_cost_usd needs `value`: 0 or more (US dollars per reply)")


def call_decider(kind: str, limit: float) -> Callable[[CheckContext], Outcome]:
    return _latency(float(limit)) if kind == "max_latency_ms" else _cost(float(limit))


def _latency(limit_ms: float) -> Callable[[CheckContext], Outcome]:
    def decide(ctx: CheckContext) -> Outcome:
        stats = ctx.responder
        if stats is None or stats.calls == 0:
            return None, [], f"does not apply: {_NO_CONTEXT if stats is None else _RECORDED}", {}
        if stats.cache_hits >= stats.calls:
            return None, [], ("does not apply: the answer came from the cache, so there is no fresh latency "
                              "(run with --no-cache to measure it)"), {}
        latency_ms = round(stats.latency_s * 1000, 1)
        return (latency_ms <= limit_ms, [], f"{latency_ms:g} ms (at most {limit_ms:g})",
                {"latency_ms": latency_ms, "limit_ms": limit_ms})

    return decide


def _cost(limit_usd: float) -> Callable[[CheckContext], Outcome]:
    def decide(ctx: CheckContext) -> Outcome:
        stats = ctx.responder
        if stats is None or stats.calls == 0:
            return None, [], f"does not apply: {_NO_CONTEXT if stats is None else _RECORDED}", {}
        cost = stats.usage.cost_usd
        if cost is None:
            return None, [], ("does not apply: the call's price is unknown (a model missing from litellm's price "
                              "list, or a custom api_base): give the model a `price:` to check it"), {}
        cached = " (from the cache: what the call that produced it cost)" if stats.cache_hits >= stats.calls else ""
        return (cost <= limit_usd, [], f"${cost:.6g} (at most ${limit_usd:g}){cached}",
                {"cost_usd": cost, "limit_usd": limit_usd})

    return decide
