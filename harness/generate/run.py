"""``harness generate``: ask a model for new complaint cases, keep those that pass the gates, write them.

Generations are asked in rounds: ``--count`` of them, then as many more as were dropped, until ``--count``
are kept or ``--max-asks`` were asked (default twice ``--count``). Within a round the calls run at the
model's concurrency, through the response cache, and the outcomes are judged in plan order, so the kept
cases (and which near-duplicate of two is dropped) do not depend on which answer came back first.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness.errors import DatasetError
from harness.datasets.loader import validate_row
from harness.generate.cases import Outcome, case_row, generate_one
from harness.generate.plan import plan_asks
from harness.generate.quality import Dedup, length_problem, shingles
from harness.generate.spec import ANSWER_SCHEMA, GenerateOptions, SeedCase
from harness.models.base import GenerateConfig
from harness.records.redaction import clip

# The summary's gates, in the order a complaint meets them.
GATES = ("junk", "empty", "too_short", "too_long", "repetitive", "seed_copy", "near_duplicate", "invalid_case")
_GATE_WORDS = {"junk": "junk JSON after a retry", "empty": "empty", "too_short": "too short",
               "too_long": "too long", "repetitive": "repeating themselves", "seed_copy": "copies of their seed",
               "near_duplicate": "near-duplicates", "invalid_case": "not a valid case"}

# The same, for one dropped generation's note line (the case it repeats, or the loader's error, follows).
_NOTE_WORDS = {**{gate: words.removesuffix("s") for gate, words in _GATE_WORDS.items()},
               "repetitive": "repeating itself", "seed_copy": "a copy of its seed",
               "near_duplicate": "a near-duplicate of", "invalid_case": "not a valid case:"}


@dataclass
class Summary:
    """What a generation run asked, kept and dropped, and what its calls cost."""

    wanted: int
    asked: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)
    retried: int = 0                          # kept after the retry that showed the model its mistake
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GATES, 0))
    errors: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # one line per dropped or failed generation
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    def line(self) -> str:
        """The summary line: every gate counted, zeros included, so a reader sees each one ran."""
        gates = ", ".join(f"{self.dropped[gate]} {_GATE_WORDS[gate]}" for gate in GATES)
        errors = sum(self.errors.values())
        kinds = f" ({', '.join(f'{n} {kind}' for kind, n in sorted(self.errors.items()))})" if errors else ""
        return (f"{self.asked} asked, {len(self.kept)} kept of {self.wanted} wanted ({self.retried} after a retry); "
                f"dropped: {gates}; {errors} failed call{'s' if errors != 1 else ''}{kinds}")

    def usage_line(self) -> str:
        cost = f", ${self.cost_usd:.4f}" if self.cost_usd else ""
        return (f"{self.calls} model call{'s' if self.calls != 1 else ''} ({self.cache_hits} from the cache), "
                f"{self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion tokens{cost}")


def call_config(options: GenerateOptions, ask_index: int) -> GenerateConfig:
    """A generation's parameters; the seed varies per ask so that a provider honouring it samples afresh."""
    return GenerateConfig(temperature=options.temperature, max_tokens=options.max_tokens,
                          seed=options.seed * 100_003 + ask_index, response_schema=ANSWER_SCHEMA)


def generate_cases(options: GenerateOptions, seeds: list[SeedCase], model: Any,
                   on_round: Callable[[int, int], None] | None = None) -> Summary:
    """Generate, gate and collect the cases (nothing is written here: :func:`write_cases`)."""
    return asyncio.run(_generate(options, seeds, model, on_round))


async def _generate(options: GenerateOptions, seeds: list[SeedCase], model: Any,
                    on_round: Callable[[int, int], None] | None) -> Summary:
    summary = Summary(wanted=options.count)
    dedup = Dedup(seeds={seed.id: shingles(seed.text) for seed in seeds})
    while len(summary.kept) < options.count and summary.asked < options.ask_limit:
        size = min(options.count - len(summary.kept), options.ask_limit - summary.asked)
        asks = plan_asks(options, seeds, summary.asked, size)
        if on_round is not None:
            on_round(summary.asked, size)
        outcomes = await asyncio.gather(*(generate_one(model, ask, call_config(options, ask.index))
                                          for ask in asks))
        for outcome in outcomes:
            _judge(outcome, summary, dedup, model.name, options.seed)
        summary.asked += size
    _account(summary, model)
    return summary


def _judge(outcome: Outcome, summary: Summary, dedup: Dedup, model_name: str, run_seed: int) -> None:
    """Keep ``outcome``'s complaint as a case, or count why not."""
    ask = outcome.ask
    if outcome.complaint is None:
        gate = "junk" if outcome.fault == "generated_answer" else None
        if gate is None:
            summary.errors[outcome.fault or "error"] = summary.errors.get(outcome.fault or "error", 0) + 1
        else:
            summary.dropped[gate] += 1
        summary.notes.append(f"{ask.id}: {outcome.fault}: {outcome.message}")
        return
    gate = length_problem(outcome.complaint)
    other = None
    if gate is None:
        gate, other = dedup.verdict(outcome.complaint, ask.seed_case.id if ask.seed_case else None)
    row = case_row(ask, outcome.complaint, model_name, run_seed) if gate is None else None
    if row is not None:
        try:
            validate_row(row, "generated", ask.index + 1)
        except DatasetError as exc:
            gate, other = "invalid_case", exc.one_line()
    if gate is not None:
        summary.dropped[gate] += 1
        summary.notes.append(f"{ask.id}: {_NOTE_WORDS[gate]}" + (f" {other}" if other else "")
                             + f": {clip(outcome.complaint, 80)!r}")
        return
    dedup.keep(ask.id, outcome.complaint)
    summary.kept.append(row)  # type: ignore[arg-type]
    summary.retried += outcome.retried


def _account(summary: Summary, model: Any) -> None:
    stats = getattr(model, "stats", None)
    if stats is None:
        return
    summary.calls, summary.cache_hits = stats.calls, stats.cache_hits
    summary.prompt_tokens, summary.completion_tokens = stats.usage.prompt_tokens, stats.usage.completion_tokens
    summary.cost_usd = stats.usage.cost_usd


def write_cases(path: Path, rows: list[dict[str, Any]]) -> None:
    """The cases as JSONL, one per line, written whole or not at all (a temporary file, then renamed), and
    read back by the dataset loader first: what is written is what ``harness validate`` and a run accept."""
    from harness.datasets.loader import load_dataset

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".jsonl", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if rows:
            load_dataset(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
