"""Customer feedback in the scorecard: each key summarised, and every check and criterion set against it.

The question a support team asks of its graders: when a check fails, were the customers in fact less happy?
For each candidate whose replies the feedback rates (a recorded candidate: the customer scored the reply the
conversation recorded; a model candidate's own replies were never seen by a customer, so it is left out and
said), the graded replies are split by each check's and criterion's verdict, and the feedback of the two sides
is compared (:mod:`harness.scoring.feedback_stats`). Under :data:`MIN_PER_SIDE` replies on either side nothing
is compared and the scorecard says so: a difference of two means over four replies is noise.

With turn-level replay the feedback rates the whole conversation, not one turn: a thread is one unit, which
passes a check when every turn it applied to passed and fails it when any failed (so n counts conversations,
not the turns that share one survey answer).

Fed one record at a time by :class:`harness.scoring.scorecard.ScorecardBuilder`; it keeps per unit only the
verdicts of units with some feedback, one small dict each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.datasets.turns import thread_of
from harness.records.schema import Record
from harness.scoring.feedback_keys import (CATEGORY, FeedbackKey, as_number, counted_value, feedback_keys, key_kind,
                                           not_numbers)
from harness.scoring.feedback_schema import (CandidateFeedback, FeedbackAgreement, FeedbackKeyResult,
                                             FeedbackSection, FeedbackSummary)
from harness.scoring.feedback_stats import auc, newcombe_interval, welch_interval
from harness.scoring.feedback_values import folded, look_alikes
from harness.scoring.schema import Interval, MeanStat, RateStat
from harness.scoring.stats import mean_ci, wilson_interval

MIN_PER_SIDE = 10
MAX_SHOWN_VALUES = 20
MODEL_LEFT_OUT = ("a model's replies: the feedback rates the reply the conversation recorded, which this "
                  "candidate did not write")


@dataclass
class KeyPlan:
    """One key's values by case id, read from the manifest, and how they are read."""

    key: FeedbackKey
    kind: str
    value_of: dict[str, str]
    counted: str | None
    not_numeric: dict[str, list[str]]
    spellings: dict[str, dict[str, int]] = field(default_factory=dict)  # folded value -> the ways it was written
    look_alike: list[list[str]] = field(default_factory=list)


@dataclass
class Unit:
    """A case (a thread, with turn-level replay): its first case id and each measure's combined verdict."""

    case_id: str
    verdicts: dict[tuple[str, str], bool] = field(default_factory=dict)

    def add(self, measure: tuple[str, str], passed: bool) -> None:
        # A thread fails a measure when any turn failed it, passes when every turn it applied to passed.
        self.verdicts[measure] = self.verdicts.get(measure, True) and passed


class FeedbackAcc:
    def __init__(self, plans: list[KeyPlan], turns: bool) -> None:
        self.plans, self.turns = plans, turns
        self.units: dict[str, dict[str, Unit]] = {}
        self.left_out: dict[str, str] = {}

    @classmethod
    def from_manifest(cls, manifest: Any) -> FeedbackAcc | None:
        """None without ``feedback:`` keys (a run made before there were any reads as before)."""
        keys = feedback_keys((manifest.eval_spec or {}).get("feedback")) if manifest is not None else []
        if not keys:
            return None
        stored = (manifest.dataset or {}).get("feedback") or {}
        turns = (manifest.dataset or {}).get("replay") == "turns"
        return cls([_plan(key, stored.get(key.field) or {}) for key in keys], turns)

    def add(self, record: Record) -> None:
        if record.reply_source == "model":
            self.left_out.setdefault(record.candidate, MODEL_LEFT_OUT)
            return
        units = self.units.setdefault(record.candidate, {})
        unit_id = thread_of(record.case_id) if self.turns else record.case_id
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = Unit(record.case_id)
        if record.error is not None:
            return
        for name, result in record.checks.items():
            if result.passed is not None:
                unit.add(("check", name), result.passed)
        for name, verdict in record.judge.items():
            if verdict.error is None and verdict.applicable and verdict.score is not None and verdict.passed is not None:
                unit.add(("criterion", name), verdict.passed)

    def result(self, confidence: float, method: str, criteria: list[str]) -> FeedbackSection:
        section = FeedbackSection(keys=[plan.key.written for plan in self.plans], min_per_side=MIN_PER_SIDE)
        for name, units in self.units.items():
            section.candidates[name] = CandidateFeedback(
                unit="thread" if self.turns else "case", n_units=len(units),
                keys=[_key_result(plan, list(units.values()), confidence, method, criteria) for plan in self.plans])
        section.left_out = {name: why for name, why in self.left_out.items() if name not in section.candidates}
        return section


def _plan(key: FeedbackKey, raw: dict[str, list[str]]) -> KeyPlan:
    # The manifest keeps the values as written; 'Up' and 'up' are counted as one here (feedback_values).
    one = folded(raw)
    values = one.values
    kind = key_kind(key, values)
    value_of = {case_id: value for value, ids in values.items() for case_id in ids}
    if kind != CATEGORY:
        return KeyPlan(key, kind, value_of, None, not_numbers(values))
    return KeyPlan(key, kind, value_of, counted_value(key, values), {}, one.spellings, look_alikes(values))


def _numeric(plan: KeyPlan, unit: Unit) -> float | None:
    value = plan.value_of.get(unit.case_id)
    if value is None:
        return None
    if plan.kind == CATEGORY:
        return 1.0 if value == plan.counted else 0.0
    return as_number(value)


def _key_result(plan: KeyPlan, units: list[Unit], confidence: float, method: str,
                criteria: list[str]) -> FeedbackKeyResult:
    scored = [(unit, value) for unit in units if (value := _numeric(plan, unit)) is not None]
    summary = _summary(plan, units, [value for _, value in scored], confidence, method)
    measures = sorted({m for unit, _ in scored for m in unit.verdicts}, key=lambda m: _order(m, criteria))
    agreement = [_agreement(m, scored, plan.kind, confidence) for m in measures]
    agreement.sort(key=lambda a: (a.too_few is not None, -abs((a.auc if a.auc is not None else 0.5) - 0.5)))
    return FeedbackKeyResult(key=plan.key.written, field=plan.key.field, summary=summary, agreement=agreement)


def _order(measure: tuple[str, str], criteria: list[str]) -> tuple:
    kind, name = measure
    return (0, criteria.index(name), name) if kind == "criterion" and name in criteria else (
        (0 if kind == "criterion" else 1), len(criteria), name)


def _summary(plan: KeyPlan, units: list[Unit], values: list[float], confidence: float,
             method: str) -> FeedbackSummary:
    own = [plan.value_of[unit.case_id] for unit in units if unit.case_id in plan.value_of]
    if plan.kind == CATEGORY:
        counts: dict[str, int] = {}
        for value in own:
            counts[value] = counts.get(value, 0) + 1
        shown = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_SHOWN_VALUES]
        return FeedbackSummary(kind="category", n=len(own), n_missing=len(units) - len(own),
                               counted_value=plan.counted,
                               shares={value: _rate(k, len(own), confidence) for value, k in shown},
                               folded={value: list(ways) for value, ways in plan.spellings.items() if value in counts},
                               look_alike=[group for group in plan.look_alike
                                           if sum(value in counts for value in group) > 1])
    estimate = mean_ci(values, confidence, "bootstrap" if method == "bootstrap" else "t")
    distribution: dict[str, int] = {}
    for value in sorted(values):
        key = _label(value)
        distribution[key] = distribution.get(key, 0) + 1
    ids = {unit.case_id for unit in units}
    odd = {value: [i for i in case_ids if i in ids] for value, case_ids in plan.not_numeric.items()}
    return FeedbackSummary(
        kind="number", n=len(values), n_missing=len(units) - len(values),
        mean=MeanStat(mean=estimate.mean, ci=_interval(estimate.ci), n=estimate.n),
        distribution=distribution if len(distribution) <= MAX_SHOWN_VALUES else None,
        not_numeric={value: case_ids for value, case_ids in odd.items() if case_ids})


def _label(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _rate(passed: int, n: int, confidence: float) -> RateStat:
    return RateStat(passed=passed, n=n, rate=passed / n if n else None,
                    ci=_interval(wilson_interval(passed, n, confidence)))


def _interval(ci: Any) -> Interval | None:
    return Interval(lo=ci.lo, hi=ci.hi) if ci is not None else None


def _agreement(measure: tuple[str, str], scored: list[tuple[Unit, float]], kind: str,
               confidence: float) -> FeedbackAgreement:
    passed = [value for unit, value in scored if unit.verdicts.get(measure) is True]
    failed = [value for unit, value in scored if unit.verdicts.get(measure) is False]
    out = FeedbackAgreement(measure=measure[1], kind=measure[0], n_passed=len(passed), n_failed=len(failed),
                            passed=_mean(passed), failed=_mean(failed))
    if min(len(passed), len(failed)) < MIN_PER_SIDE:
        out.too_few = _too_few(len(passed), len(failed))
        return out
    out.difference = out.passed - out.failed
    if kind == CATEGORY:
        ci = newcombe_interval(int(sum(passed)), len(passed), int(sum(failed)), len(failed), confidence)
    else:
        ci = welch_interval(passed, failed, confidence)
    out.difference_ci = _interval(ci)
    area = auc(passed, failed, confidence)
    if area is not None:
        out.auc, out.auc_ci = area[0], _interval(area[1])
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _too_few(n_passed: int, n_failed: int) -> str:
    if not n_failed:
        return f"never failed ({n_passed} passed): nothing to compare"
    if not n_passed:
        return f"never passed ({n_failed} failed): nothing to compare"
    return (f"too few to say: {n_passed} passed, {n_failed} failed (at least {MIN_PER_SIDE} on each side before a "
            f"difference means anything)")
