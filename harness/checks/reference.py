"""Checks that compare the reply with a reference reply: ``rouge_l``, ``levenshtein``, ``bleu`` and ``similar``.

A support team often holds a reference ("golden") reply a senior agent wrote for a complaint: the case's
``reference_reply``. These checks score how close the reply comes to it (or to the check's own ``value``,
which may name a case field, ``{{ metadata.golden }}``, or list several references: the best score counts, as
promptfoo's ``similar`` does), pass at or above ``min`` (``levenshtein``: also, or instead, at most
``max_distance`` edits) and keep the score in the result's ``data``. A case with no reference does not get
the check (``passed`` null, the detail says why).

``similar`` embeds both texts (:mod:`harness.models.embeddings`) and compares them by cosine; the run gives
the check its embedder (:func:`attach_embedder`). A failed embedding call is recorded as that check's error
on its case (a crashed check, which ``--retry-errors`` runs again), and the run goes on.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from harness.checks import custom_refs
from harness.checks.base import CHECK_CRASHED, CheckContext, CheckResult
from harness.checks.custom_refs import Unfilled
from harness.checks.reference_metrics import bleu, cosine, levenshtein_similarity, rouge_l
from harness.checks.results import result
from harness.datasets.conditions import applies
from harness.errors import CaseFault
from harness.hashing import hash_value
from harness.records.redaction import clip

REFERENCE_TYPES = ("rouge_l", "levenshtein", "bleu", "similar")
# promptfoo's defaults, so a file moved from there passes and fails as it did: similar 0.8 (its docs' example;
# cosine), rouge-n 0.75, bleu 0.5, levenshtein at most 5 edits.
DEFAULT_MIN = {"rouge_l": 0.75, "bleu": 0.5, "similar": 0.8}
DEFAULT_MAX_DISTANCE = 5
_SCORES: dict[str, Callable[[str, str], float]] = {"rouge_l": rouge_l, "bleu": bleu}
_LABEL = {"rouge_l": "ROUGE-L F", "bleu": "BLEU", "levenshtein": "Levenshtein similarity", "similar": "cosine"}


def check_value(kind: str, value: Any) -> None:
    """Refuse a ``value`` a reference check cannot compare against (ValueError, one line naming what is wrong)."""
    if value is None:
        return
    texts = [value] if isinstance(value, str) else value
    problem = _value_problem(value, texts)
    if problem:
        raise ValueError(f"type {kind} compares the reply with the case's reference_reply, or with `value`: a "
                         f"reference text (or a list of them), not {problem}")
    for text in texts:
        if custom_refs.has_references(text):
            custom_refs.parse(text)


def _value_problem(value: Any, texts: Any) -> str:
    """What is wrong with a reference check's ``value`` (``"an empty list"``, ``"an empty text at [1]"``), or ""."""
    if not isinstance(texts, list):
        return type(value).__name__
    if not texts:
        return "an empty list (leave value out to compare with the case's reference_reply)"
    for at, text in enumerate(texts):
        where = f" at [{at}]" if isinstance(value, list) else ""
        if not isinstance(text, str):
            return f"{type(text).__name__}{where}"
        if not text.strip():
            return f"an empty text{where}"
    return ""


def check_limits(kind: str, field: str, value: Any) -> Any:
    """``min`` (0 to 1) and ``max_distance`` (a whole number) where the type takes them; ValueError else."""
    if kind not in REFERENCE_TYPES:
        raise ValueError(f"applies to {', '.join(REFERENCE_TYPES)} checks only, not to type {kind}")
    if field == "max_distance" and kind != "levenshtein":
        raise ValueError(f"applies to levenshtein checks only (a {kind} check passes at `min`, 0 to 1)")
    return value


class ReferenceCheck:
    """A reference check built from its spec (a :class:`~harness.checks.custom.CustomCheckSpec`)."""

    def __init__(self, spec: Any, version: str, description: str) -> None:
        self.spec, self.name, self.version, self.description = spec, spec.name, version, description
        self.base_version = version  # the spec's; a similar check's version adds the embedder (attach_embedder)
        self.kind: str = spec.type
        self.embedder: Any = None  # set by the run for `similar` (attach_embedder); else the default on first use
        written = [spec.value] if isinstance(spec.value, str) else list(spec.value or [])
        self._written = [custom_refs.parse(text) for text in written]

    @property
    def needs_embeddings(self) -> bool:
        return self.kind == "similar"

    def run(self, ctx: CheckContext) -> CheckResult:
        skip, references = self._references(ctx)
        if skip is not None:
            return skip
        if self.kind == "similar":
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(self.arun(ctx))
            raise RuntimeError("a similar check embeds texts: await its arun() inside an event loop")
        return self._textual(ctx.reply, references)

    async def arun(self, ctx: CheckContext) -> CheckResult:
        skip, references = self._references(ctx)
        if skip is not None or self.kind != "similar":
            return skip or self._textual(ctx.reply, references)
        try:
            scores = await self._similarities(ctx.reply, references)
        except CaseFault as fault:  # the embedding call's error, after its retries: this case's, not the run's
            return result(None, detail=clip(f"embedding call failed: {type(fault).__name__}: {fault}", 1000),
                          data={"error": CHECK_CRASHED, "error_kind": fault.kind})
        return self._scored(max(scores), {})

    def _references(self, ctx: CheckContext) -> tuple[CheckResult | None, list[str]]:
        """The texts to compare with, or the result saying why the check does not apply to this case."""
        if not applies(self.spec.applies_when, ctx.case):
            return result(None, detail=f"does not apply: {self.spec.applies_when} is false for this case"), []
        if self._written:
            try:
                texts = [custom_refs.fill(parts, ctx.case) for parts in self._written]
            except Unfilled as missing:
                return result(None, detail=f"does not apply: {missing}"), []
            return None, texts
        reference = ctx.case.reference_reply
        if reference is None or not reference.strip():
            return result(None, detail="does not apply: the case has no reference_reply (and the check gives no "
                                       "value)", data={"reason": "no_reference"}), []
        return None, [reference]

    def _textual(self, reply: str, references: list[str]) -> CheckResult:
        if self.kind != "levenshtein":
            return self._scored(max(_SCORES[self.kind](reply, ref) for ref in references), {})
        score, distance = self._closest([levenshtein_similarity(reply, ref) for ref in references])
        if self.spec.min is None:  # promptfoo's levenshtein: at most this many edits
            limit = DEFAULT_MAX_DISTANCE if self.spec.max_distance is None else self.spec.max_distance
            passed = distance <= limit
            detail = f"edit distance {distance} (at most {limit}); similarity {score:.3f}"
            return result(passed, detail=detail, data={"score": round(score, 4), "distance": distance,
                                                       "max_distance": limit})
        extra = {"distance": distance}
        if self.spec.max_distance is not None:  # both given: both must hold
            extra["max_distance"] = self.spec.max_distance
        return self._scored(score, extra)

    def _closest(self, measured: list[tuple[float, int]]) -> tuple[float, int]:
        """The reference the threshold reads best: the fewest edits under ``max_distance`` alone, the highest
        similarity under ``min`` alone; with both, the most similar one that meets both, else the most similar."""
        if self.spec.min is None:
            return min(measured, key=lambda pair: (pair[1], -pair[0]))
        if self.spec.max_distance is not None:
            meeting = [pair for pair in measured
                       if pair[0] >= self.spec.min and pair[1] <= self.spec.max_distance]
            measured = meeting or measured
        return max(measured, key=lambda pair: (pair[0], -pair[1]))

    def _scored(self, score: float, extra: dict[str, Any]) -> CheckResult:
        threshold = self.spec.min if self.spec.min is not None else DEFAULT_MIN.get(self.kind, 0.0)
        passed = score >= threshold and ("max_distance" not in extra or extra["distance"] <= extra["max_distance"])
        detail = f"{_LABEL[self.kind]} {score:.3f} (min {threshold:g})"
        if "max_distance" in extra:
            detail += f", edit distance {extra['distance']} (at most {extra['max_distance']})"
        return result(passed, detail=detail, data={"score": round(score, 4), "min": threshold, **extra})

    async def _similarities(self, reply: str, references: list[str]) -> list[float]:
        embedder = self.embedder or _default_embedder()
        mine = await embedder.embed(reply)
        return [cosine(mine, await embedder.embed(ref)) for ref in references]


# Said apart from the embedded-judge notice (harness.runner.plan): a judge's kappa says nothing of an embedder.
# No backticks: the scorecard's Markdown escapes them, so they would show as written. The cosines are those
# the default gave unrelated sentences in a QA review of the similar check.
EMBEDDER_NOTICE = (
    "The embedded model (Gemma 3 270M, a tiny base model run offline) embedded the texts of this run's "
    "similar checks. A base model's embeddings are no embedding model's: even unrelated sentences score a "
    "cosine of about 0.65-0.75, so a similar check's score and pass/fail show the pipeline working, not how "
    "close a reply came to its reference. Set the eval file's embedding: block to a real embedding model "
    "(see 'Checks of your own' in the README)."
)

_default: list[Any] = []


def _default_embedder() -> Any:
    """The embedded model's embedder, uncached: for a check run outside ``harness run`` (harness.testing)."""
    if not _default:
        from harness.config.embedding_spec import DEFAULT_EMBEDDING
        from harness.models.embeddings import build_embedder

        _default.append(build_embedder(DEFAULT_EMBEDDING.model_spec()))
    return _default[0]


def attach_embedder(checks: list[Any], embedder: Any) -> bool:
    """Give every ``similar`` check among ``checks`` the run's ``embedder``; True when one needs it.

    The embedding model becomes part of the check's version: cosines from another embedder are another
    measure, so ``harness diff`` shows the check's version changed rather than comparing them silently.
    """
    needing = [check for check in checks if getattr(check, "needs_embeddings", False)]
    for check in needing:
        check.embedder = embedder
        check.version = embedded_version(check.base_version, embedder.model.spec)
    return bool(needing)


def embedded_version(version: str, model: Any) -> str:
    """``version`` with the embedding model (name, and api_base if set) hashed in. The embedded default keeps
    the version as it was, so runs made before the model counted still compare with new ones."""
    from harness.models.base import EMBEDDED_MODEL

    if model.name == EMBEDDED_MODEL and not model.api_base:
        return version
    return "custom-" + hash_value({"check": version, "embedding": {"model": model.name,
                                                                   "api_base": model.api_base}})[:12]


def describe(spec: Any) -> str:
    """What the check does, for its description (when the entry has none)."""
    against = "its value" if spec.value is not None else "the case's reference_reply"
    if spec.type == "levenshtein" and spec.min is None:
        limit = DEFAULT_MAX_DISTANCE if spec.max_distance is None else spec.max_distance
        return f"levenshtein: at most {limit} edits from {against}"
    threshold = spec.min if spec.min is not None else DEFAULT_MIN.get(spec.type, 0.0)
    return f"{spec.type} against {against}, min {threshold:g}"
