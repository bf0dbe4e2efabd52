"""The gates a generated complaint passes before it is kept: its answer's JSON, its length, not a copy of its
seed, not a near-duplicate of a seed or of a complaint already kept.

Similarity is over word 3-grams (lower-cased runs of letters and digits): Jaccard of two complaints' sets
at or above :data:`~harness.generate.spec.NEAR_DUPLICATE` (0.5) is a near-duplicate; :data:`SEED_COPY` (0.6)
or more of a complaint's 3-grams found in its own seed is a copy of it with edits. Both thresholds were set
on the shipped complaints: no two of them reach 0.1, and a seed with a sentence or two changed stays above.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from harness.errors import GeneratedAnswerError
from harness.generate.spec import (ANSWER_SCHEMA, MAX_WORDS, MIN_WORDS, NEAR_DUPLICATE, REPETITIVE, REPETITIVE_MIN,
                                   SEED_COPY, SHINGLE)
from harness.judges.judge import load_answer
from harness.errors import JudgeOutputError
from harness.records.redaction import clip

_WORD = re.compile(r"[^\W_]+")


def parse_complaint(text: str) -> str:
    """The ``complaint`` of a model's answer, valid under :data:`ANSWER_SCHEMA`; GeneratedAnswerError saying
    what is wrong (the retry shows it to the model)."""
    try:
        answer = load_answer(text)  # the judge's reader: a ```json fence is allowed, a key given twice is not
    except JudgeOutputError:
        raise GeneratedAnswerError(f"not JSON: {clip(text, 120)!r}") from None
    errors = sorted(_validator().iter_errors(answer), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "the answer"
        raise GeneratedAnswerError(f"{where}: {clip(errors[0].message, 200)}")
    return answer["complaint"].strip()


def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(ANSWER_SCHEMA)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The word 3-grams of ``text`` (its words, for a text shorter than three)."""
    found = words(text)
    if len(found) < SHINGLE:
        return frozenset((word,) for word in found)
    return frozenset(tuple(found[i:i + SHINGLE]) for i in range(len(found) - SHINGLE + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def containment(part: frozenset, whole: frozenset) -> float:
    """The share of ``part``'s 3-grams that ``whole`` holds."""
    return len(part & whole) / len(part) if part else 1.0


def length_problem(text: str) -> str | None:
    """``empty``, ``too_short``, ``too_long`` or ``repetitive`` (a sentence said over and over), or None for a
    complaint of a usable length."""
    found = words(text)
    if not text.strip() or not found:
        return "empty"
    if len(found) < MIN_WORDS:
        return "too_short"
    if len(found) > MAX_WORDS:
        return "too_long"
    grams = [tuple(found[i:i + SHINGLE]) for i in range(len(found) - SHINGLE + 1)]
    return "repetitive" if len(grams) >= REPETITIVE_MIN and len(set(grams)) < REPETITIVE * len(grams) else None


@dataclass
class Dedup:
    """The 3-gram sets of the seeds and of the complaints kept so far, to drop what repeats them."""

    seeds: dict[str, frozenset] = field(default_factory=dict)
    kept: dict[str, frozenset] = field(default_factory=dict)

    def verdict(self, text: str, seed_id: str | None) -> tuple[str | None, str | None]:
        """(``seed_copy`` or ``near_duplicate`` or None, the id of the case it repeats)."""
        mine = shingles(text)
        own = self.seeds.get(seed_id) if seed_id is not None else None
        if own is not None and (containment(mine, own) >= SEED_COPY or jaccard(mine, own) >= NEAR_DUPLICATE):
            return "seed_copy", seed_id
        for pool in (self.seeds, self.kept):
            for other_id, other in pool.items():
                if jaccard(mine, other) >= NEAR_DUPLICATE:
                    return "near_duplicate", other_id
        return None, None

    def keep(self, case_id: str, text: str) -> None:
        self.kept[case_id] = shingles(text)


def answer_json(complaint: str) -> str:
    """An answer the schema accepts (tests and the docs' example use it)."""
    return json.dumps({"complaint": complaint})
