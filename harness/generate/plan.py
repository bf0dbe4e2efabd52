"""Which generations to ask, in order: from the seed cases, or a grid of personas x categories (x products x
policies) with a seed case of the same kind for style, all chosen from ``--seed`` alone.

The plan is the same on every run with the same options, so its calls hit the response cache on a rerun,
and a larger ``--count`` keeps the earlier asks (and their ids) and adds new ones after them.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from harness.datasets.loader import load_dataset
from harness.datasets.personas import normalize_persona
from harness.datasets.schema import Case
from harness.errors import ConfigError
from harness.generate.prompt import ANGLES
from harness.generate.spec import ID_PREFIX, Ask, GenerateOptions, SeedCase


def load_seeds(path: Path | None) -> list[SeedCase]:
    """The seed cases of ``path`` (any dataset the loader reads; bad rows are its one-line errors)."""
    if path is None:
        return []
    return [seed_of(case) for case in load_dataset(path).cases]


def seed_of(case: Case) -> SeedCase:
    text = "\n\n".join(turn.content for turn in case.turns if turn.role == "customer")
    return SeedCase(id=case.id, persona=normalize_persona(case.persona), category=case.category,
                    channel=case.channel, text=text,
                    context=case.context.model_dump(mode="json", exclude_defaults=True),
                    locale=case.metadata.get("locale") if isinstance(case.metadata.get("locale"), str) else None)


def plan_asks(options: GenerateOptions, seeds: list[SeedCase], start: int, how_many: int) -> list[Ask]:
    """Asks ``start`` .. ``start + how_many - 1`` of the plan (each one's choices depend on its index alone)."""
    grid = _grid(options)
    if not seeds and grid == [(None, None, None, None)]:
        raise ConfigError("nothing to generate from: give seed cases (--seeds FILE) or a grid (--personas, "
                          "--categories)", field="--seeds")
    order = _seed_order(seeds, options.seed)
    prefix = id_prefix(options.seed, {seed.id for seed in seeds})
    return [_ask(index, grid, order, options.seed, prefix) for index in range(start, start + how_many)]


def id_prefix(seed: int, taken: set[str]) -> str:
    """``gen-s<seed>``, lengthened until no seed case's id starts with it (ids never clash with the seeds')."""
    prefix = f"{ID_PREFIX}-s{seed}"
    while any(taken_id.startswith(prefix + "-") for taken_id in taken):
        prefix += "x"
    return prefix


def _grid(options: GenerateOptions) -> list[tuple[str | None, ...]]:
    """Every combination of the grid's axes; an axis not given is ``None`` (the seed's own value)."""
    axes = [options.personas or (None,), options.categories or (None,), options.products or (None,),
            options.policies or (None,)]
    return list(itertools.product(*axes))


def _seed_order(seeds: list[SeedCase], seed: int) -> list[SeedCase]:
    shuffled = list(seeds)
    random.Random(f"generate-seeds:{seed}").shuffle(shuffled)
    return shuffled


def _ask(index: int, grid: list[tuple[str | None, ...]], seeds: list[SeedCase], seed: int, prefix: str) -> Ask:
    persona, category, product, policy = grid[index % len(grid)]
    draw = random.Random(f"generate:{seed}:{index}")
    seed_case = _matching_seed(seeds, persona, category, index, draw)
    return Ask(index=index, id=f"{prefix}-{index + 1:04d}",
               persona=persona or (seed_case.persona if seed_case else None),
               category=category or (seed_case.category if seed_case else None),
               product=product, policy=policy, angle=draw.choice(ANGLES), seed_case=seed_case)


def _matching_seed(seeds: list[SeedCase], persona: str | None, category: str | None, index: int,
                   draw: random.Random) -> SeedCase | None:
    """A seed of the asked persona and category if there is one, else of the persona, of the category, any.
    Without a grid (both None), the seeds in turn, so every seed is used before any is used twice."""
    if not seeds:
        return None
    if persona is None and category is None:
        return seeds[index % len(seeds)]
    for fits in ((lambda s: s.persona == persona and s.category == category), (lambda s: s.persona == persona),
                 (lambda s: s.category == category), (lambda s: True)):
        found = [s for s in seeds if fits(s)]
        if found:
            return draw.choice(found)
    return None
