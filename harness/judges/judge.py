"""Rubric-guided LLM judging of one reply, criterion by criterion.

The judge answers ``{"reason": ..., "score": ...}`` under a JSON Schema. An
answer that fails validation is dropped from the response cache and asked again
(the same call, which now reaches the provider), and after ``max_attempts`` it
is recorded as a judge error on that criterion: it never becomes a score, and
it is never served from the cache to a retry or a rerun. A valid answer is
cached as any other. A provider failure is recorded the same way.

When the model reports the probability of each allowed score
(``ModelResponse.field_probabilities["score"]``, as the embedded model does),
the result also carries ``weighted_score``: the probability-weighted mean of the
allowed values, as in G-Eval (Liu et al., 2023).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from harness.checks.base import CheckContext
from harness.datasets.case_criteria import criteria_of
from harness.errors import JudgeOutputError
from harness.judges.asking import ask_until_parsed
from harness.judges.prompt import answer_schema, build_judge_messages
from harness.judges.rubric import Criterion, Rubric
from harness.models.base import GenerateConfig, without_lone_surrogates
from harness.records.redaction import clip
from harness.records.schema import CallStats, CriterionResult

_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its ``pairs``; a key given twice (``{"score": 1, "score": 5}``) is refused.

    ``json`` would keep the last value silently: an answer naming two scores has no score. A string
    value may hold an escaped half of a surrogate pair (``"\\ud83e"``), which no record could hold:
    it becomes U+FFFD here, for every judge reading answers through :func:`load_answer`.
    """
    answer = {key: without_lone_surrogates(value) if type(value) is str else value for key, value in pairs}
    if len(answer) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {twice!r}")
    return answer


_ANSWER_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)
JUDGE_DEFAULTS = GenerateConfig(temperature=0.0, max_tokens=160)


@dataclass
class Judge:
    """Grades replies on every criterion of ``rubric`` with ``model`` (a harness Model)."""

    model: object
    rubric: Rubric
    max_attempts: int = 2

    async def grade(self, ctx: CheckContext, stats: CallStats) -> dict[str, CriterionResult]:
        """One result per criterion, in rubric order, then the case's own criteria; those that do not apply are
        marked so."""
        results: dict[str, CriterionResult] = {}
        for criterion in [*self.rubric.criteria, *criteria_of(ctx.case)]:
            if not criterion.applies_to(ctx.case) or (criterion.use_prompt and not ctx.system_prompt):
                # use_prompt grades a reply against its instructions: a recorded reply has none to show.
                results[criterion.id] = CriterionResult(applicable=False)
                continue
            results[criterion.id] = await self._grade_one(ctx, criterion, stats)
        return results

    async def _grade_one(self, ctx: CheckContext, criterion: Criterion, stats: CallStats) -> CriterionResult:
        messages = build_judge_messages(ctx.case, ctx.reply, criterion, ctx.system_prompt,
                                        tool_calls=ctx.extra.get("tool_calls"))
        config = judge_config(criterion.scale, model_params(self.model))
        salt = judge_salt(criterion.id)
        asked = await ask_until_parsed(
            self.model, messages, config, salt, self.max_attempts,
            lambda response: parse_answer(response.text, criterion, response.cache_hit, response.latency_s),
            lambda response: _account(stats, response))
        if asked.value is None:
            return CriterionResult(error=asked.error)
        asked.value.weighted_score = weighted_score(asked.response.field_probabilities, criterion)  # type: ignore[union-attr]
        return asked.value


def judge_salt(criterion_id: str) -> str:
    """The cache salt of a judge call on ``criterion_id``.

    The messages hold everything the answer depends on (the criterion's question, scale and levels, the
    conversation, the reply) and the cache key covers them, so the salt names only the use and the criterion:
    judging another selection of a rubric's criteria, or editing one criterion, re-asks only what changed.
    """
    return f"judge:{criterion_id}"


def _account(stats: CallStats, response) -> None:
    stats.calls += 1
    stats.cache_hits += int(response.cache_hit)
    stats.retries += max(response.attempts - 1, 0)
    stats.rate_limited += response.rate_limited
    stats.latency_s += response.latency_s
    stats.usage = stats.usage + response.usage
    if response.deployment:
        stats.deployments[response.deployment] = stats.deployments.get(response.deployment, 0) + 1


@lru_cache(maxsize=None)
def _schema(scale: str) -> dict:
    """The answer schema of every criterion on ``scale`` (it depends on the scale alone)."""
    probe = Criterion(id="probe", question="q", scale=scale,
                      levels={"pass": "", "fail": ""} if scale == "pass_fail" else {str(i): "" for i in range(1, 6)})
    return answer_schema(probe)


def model_params(model: object) -> GenerateConfig | None:
    """The ``params`` the eval file gave a judge's model (None for a test double without a spec)."""
    return getattr(getattr(model, "spec", None), "params", None)


def given_fields(params: GenerateConfig | None) -> frozenset[str]:
    """The fields ``params`` set (none when there are no params)."""
    return frozenset(params.model_fields_set) if params is not None else frozenset()


def defaults_under(defaults: GenerateConfig, given: frozenset[str]) -> dict[str, Any]:
    """The fields of ``defaults`` not in ``given``, the fields a judge model's ``params`` set.

    A Model overlays a call's config on its spec's params, so a judge default sent with the call would
    override what the user wrote (``temperature: 0.7`` sent at 0): a judge sends only the defaults the
    params leave open, and the user's values reach the provider.
    """
    return {name: getattr(defaults, name) for name in defaults.model_fields_set if name not in given}


def judge_config(scale: str, params: GenerateConfig | None = None) -> GenerateConfig:
    """What a judge asks with on ``scale``: :data:`JUDGE_DEFAULTS` under its model's ``params``, and the
    answer schema (the judge's own, whatever the params say: its answers are parsed against it)."""
    return _judge_config(scale, given_fields(params))


@lru_cache(maxsize=None)
def _judge_config(scale: str, given: frozenset[str] = frozenset()) -> GenerateConfig:
    # Built once per scale and set of params given, shared by every call: nothing downstream mutates a config.
    return GenerateConfig(**defaults_under(JUDGE_DEFAULTS, given), response_schema=_schema(scale))


@lru_cache(maxsize=None)
def _validator(scale: str):
    from jsonschema import Draft202012Validator  # only for answers the quick check does not accept

    return Draft202012Validator(_schema(scale))


@lru_cache(maxsize=None)
def _quick_rule(scale: str) -> tuple[frozenset, int, tuple] | None:
    """(keys, reason maxLength, allowed scores) when the schema has the expected shape, else None."""
    schema = _schema(scale)
    properties = schema.get("properties", {})
    keys = frozenset(properties)
    shape = {"type", "properties", "required", "additionalProperties"}
    if (set(schema) != shape or schema["type"] != "object" or schema["additionalProperties"] is not False
            or set(schema["required"]) != keys or keys != {"reason", "score"}
            or set(properties["reason"]) != {"type", "maxLength"} or properties["reason"]["type"] != "string"
            or set(properties["score"]) != {"type", "enum"}):
        return None
    return keys, properties["reason"]["maxLength"], tuple(properties["score"]["enum"])


def _quickly_valid(answer: Any, scale: str) -> bool:
    """True only for answers the schema certainly accepts; anything else goes to jsonschema."""
    rule = _quick_rule(scale)
    if rule is None or type(answer) is not dict or answer.keys() != rule[0]:
        return False
    reason, score = answer["reason"], answer["score"]
    return (type(reason) is str and len(reason) <= rule[1]
            and any(type(score) is type(allowed) and score == allowed for allowed in rule[2]))


def load_answer(text: str) -> Any:
    """The JSON value of a judge's raw answer (a ```json fence around it is allowed); JudgeOutputError if none."""
    try:
        return _ANSWER_DECODER.decode(_FENCE.sub("", text.strip()))
    except json.JSONDecodeError as exc:
        raise JudgeOutputError(f"judge answer is not JSON ({exc.msg}): {clip(text, 120)!r}") from None
    except (ValueError, RecursionError) as exc:
        # JSON the decoder still refuses: an integer of more than 4300 digits, arrays nested
        # thousands deep, a key given twice. Junk like any other, never a crashed run.
        raise JudgeOutputError(f"judge answer is not usable JSON ({clip(str(exc), 80)}): {clip(text, 120)!r}") from None


def parse_answer(text: str, criterion: Criterion, cache_hit: bool = False, latency_s: float = 0.0) -> CriterionResult:
    """Validate the judge's raw answer against the criterion's schema and turn it into a result."""
    answer = load_answer(text)
    if _quickly_valid(answer, criterion.scale):
        errors = []
    else:
        errors = sorted(_validator(criterion.scale).iter_errors(answer), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "answer"
        raise JudgeOutputError(f"judge answer invalid at {where}: {clip(errors[0].message, 200)}")
    raw = answer["score"]
    score = float(raw == "pass") if criterion.scale == "pass_fail" else float(raw)
    return CriterionResult(score=score, passed=criterion.to_pass(score), reason=answer["reason"],
                           cache_hit=cache_hit, latency_s=latency_s)


def weighted_score(field_probabilities: dict[str, dict[str, float]] | None, criterion: Criterion) -> float | None:
    """Sum of value x probability over the criterion's allowed scores, renormalised to their total mass.

    Keys are JSON-encoded answer values (``'4'``, ``'"pass"'``); a key that is not
    an allowed score is ignored. ``None`` when no probabilities were reported or
    none of them falls on an allowed score.
    """
    probabilities = (field_probabilities or {}).get("score")
    if not probabilities:
        return None
    total = weighted = 0.0
    for key, probability in probabilities.items():
        value = _allowed_value(key, criterion)
        if value is None or not 0 < probability < math.inf:
            continue  # also skips NaN, and infinity, which would make the mean NaN
        total += probability
        weighted += value * probability
    mean = weighted / total if total > 0 else None
    return mean if mean is None or math.isfinite(mean) else None  # masses too large to add: no score

def _allowed_value(key: str, criterion: Criterion) -> float | None:
    try:
        raw = json.loads(key)
    except (json.JSONDecodeError, TypeError):
        return None
    if criterion.scale == "pass_fail":
        return {"pass": 1.0, "fail": 0.0}.get(raw) if isinstance(raw, str) else None
    if isinstance(raw, bool) or not isinstance(raw, int) or str(raw) not in criterion.levels:
        return None
    return float(raw)
