"""What ``harness generate`` is asked for (:class:`GenerateOptions`), what one generation asks the model
(:class:`Ask`), and the JSON Schema its answer must follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.models.base import EMBEDDED_MODEL

# Written into every generated case's provenance: bump it when the prompt, the schema or a gate changes, so
# cases written by an older generator can be told apart (and the response cache is not reused across them).
GENERATOR_VERSION = "harness-generate/1"
DEFAULT_SEEDS = Path("datasets/complaints.jsonl")
ID_PREFIX = "gen"

# The model writes the customer's message only: policy, persona and category come from the seed or the grid,
# where they are known to be right. A flat object of one string field, so that the embedded model decodes it
# quickly (harness.models.embedded_structured) and any provider's JSON mode can follow it.
MAX_COMPLAINT_CHARS = 2000
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"complaint": {"type": "string", "minLength": 1, "maxLength": MAX_COMPLAINT_CHARS}},
    "required": ["complaint"],
    "additionalProperties": False,
}

# Quality gates (harness.generate.quality). Words are runs of letters and digits, lower-cased.
MIN_WORDS = 6            # fewer is no complaint a reply could be graded on ("I want refund now")
MAX_WORDS = 400          # more is a model rambling past one message (the schema caps characters too)
SHINGLE = 3              # word 3-grams
# A complaint whose 3-grams are under 60% distinct (at 12 or more) is a model looping on a sentence: the shipped
# customer turns are all 93% or more distinct, and an angry repeat ("I want my money back I want my money back
# now") is 69%.
REPETITIVE = 0.6
REPETITIVE_MIN = 12
NEAR_DUPLICATE = 0.5     # Jaccard of 3-gram sets at or above this: the same complaint reworded slightly
SEED_COPY = 0.6          # share of the generated text's 3-grams found in its own seed: a copy with edits


@dataclass(frozen=True)
class GenerateOptions:
    """``harness generate``'s options, checked by the CLI."""

    count: int
    out: Path | None
    seeds: Path | None = DEFAULT_SEEDS          # None: from the grid alone
    personas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    model: str = EMBEDDED_MODEL
    api_base: str | None = None
    api_key_env: str | None = None
    seed: int = 0
    temperature: float = 0.9
    max_tokens: int = 400
    concurrency: int = 8
    max_retries: int = 4                        # a provider's 429/5xx/timeout, as a candidate's max_retries
    max_asks: int | None = None                 # None: twice --count
    use_cache: bool = True
    cache_path: Path | None = None
    dry_run: bool = False
    force: bool = False

    @property
    def ask_limit(self) -> int:
        """At most this many generations are asked, refills included."""
        return self.max_asks if self.max_asks is not None else 2 * self.count


@dataclass(frozen=True)
class SeedCase:
    """What a generation takes from a seed case: its id, labels, the customer's words and the policy."""

    id: str
    persona: str | None
    category: str | None
    channel: str | None
    text: str                                   # the customer turns, one paragraph each
    context: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None


@dataclass(frozen=True)
class Ask:
    """One generation: which persona and category are asked for, from which seed, with which angle."""

    index: int
    id: str                                     # the generated case's id (harness.generate.plan.case_id)
    persona: str | None
    category: str | None
    product: str | None
    policy: str | None
    angle: str
    seed_case: SeedCase | None
