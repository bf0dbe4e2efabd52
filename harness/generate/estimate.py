"""The line ``harness generate`` prints before its first call (and ``--dry-run`` stops after): how many calls,
about how many tokens, and how many of the first round's calls the response cache already answers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.generate.cases import salt
from harness.generate.plan import plan_asks
from harness.generate.prompt import build_messages
from harness.generate.run import call_config
from harness.generate.spec import Ask, GenerateOptions, SeedCase


@dataclass(frozen=True)
class Estimate:
    first_round: list[Ask]
    prompt_tokens: int           # of the first round's calls
    cached: int                  # of the first round's calls
    cache_where: str

    def line(self, options: GenerateOptions, model_name: str, seeds: int) -> str:
        calls = len(self.first_round)
        source = f"{seeds} seed case{'s' if seeds != 1 else ''}" if seeds else "the grid alone"
        return (f"{options.count} case{'s' if options.count != 1 else ''} wanted from {source} with {model_name}: "
                f"{calls} call{'s' if calls != 1 else ''} to start ({self.cached} answered by the cache), at most "
                f"{2 * options.ask_limit} with retries and refills; ~{self.prompt_tokens:,} prompt tokens and at "
                f"most {calls * options.max_tokens:,} completion tokens for the first {calls}")


def estimate(options: GenerateOptions, seeds: list[SeedCase], model: Any) -> Estimate:
    """The first round's asks, their prompt tokens, and how many the cache holds (read-only: never created)."""
    from harness.runner.estimate_cache import CacheView
    from harness.runner.estimate_tokens import token_counter

    asks = plan_asks(options, seeds, 0, min(options.count, options.ask_limit))
    count = token_counter()
    tokens = sum(count(message.content) + 4 for ask in asks for message in build_messages(ask))
    if not options.use_cache:
        return Estimate(asks, tokens, 0, "no cache")
    with CacheView.at(options.cache_path) as view:
        cached = sum(view.holds(model.cache_key(build_messages(ask), call_config(options, ask.index),
                                                cache_salt=salt(ask))) for ask in asks)
        return Estimate(asks, tokens, cached, view.where)


def plan_lines(asks: list[Ask]) -> list[str]:
    """``--dry-run``: one line per ask of the first round (id, persona/category asked, seed, angle)."""
    lines = []
    for ask in asks:
        asked = "/".join(value or "-" for value in (ask.persona, ask.category))
        extra = "".join(f" [{label}: {value}]" for label, value in (("product", ask.product), ("policy", ask.policy))
                        if value)
        seed = f"from {ask.seed_case.id}" if ask.seed_case else "no seed"
        lines.append(f"{ask.id}  {asked}  {seed}{extra}  ({ask.angle})")
    return lines


def cache_path_of(options: GenerateOptions) -> Path | None:
    from harness.models.cache import default_cache_path

    return None if not options.use_cache else (options.cache_path or default_cache_path())
