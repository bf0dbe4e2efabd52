"""A panel of judges: several judge models grade each criterion, and their verdicts are aggregated.

A panel of smaller, different models can match a single large judge at a
fraction of the cost and with less of any one model's bias (Verga et al. 2024,
"Replacing Judges with Juries", PoLL). Each panellist is an ordinary
:class:`~harness.judges.judge.Judge` (or a judge asked over several epochs);
they grade the same reply concurrently, and per criterion:

* every panellist's own verdict is kept on the aggregate result (``panel``),
  so nothing is lost and any one panellist can be calibrated on its own;
* the aggregate scores what the panellists who answered said: ``mean`` or
  ``median`` of their scores, or ``majority`` (the most common score, a tie
  going to the lower one, as the epoch reducer does); ``passed`` applies the
  criterion's threshold to that score, except that a pass/fail criterion
  under ``mean`` passes when more than half of the voters passed it;
* a panellist whose verdict is an error is left out, and ``n_votes`` says how
  many counted; when every panellist failed, the criterion is a judge error.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from harness.checks.base import CheckContext
from harness.datasets.case_criteria import criteria_of
from harness.errors import ConfigError
from harness.judges.rubric import Criterion, Rubric
from harness.records.schema import CallStats, CriterionResult, ErrorInfo, Record
from harness.sampling.reducers import reduce_scores

AGGREGATES = ("mean", "median", "majority")


@dataclass
class Panellist:
    """One judge of a panel, under the name its verdicts are kept by."""

    name: str
    judge: object  # a Judge or EpochJudge: anything with ``grade(ctx, stats)`` and ``model``

    @property
    def model(self):
        return self.judge.model


@dataclass
class PanelJudge:
    """Grades every criterion of ``rubric`` with each panellist and aggregates their verdicts."""

    panellists: list[Panellist]
    rubric: Rubric
    aggregate: str = "mean"

    def __post_init__(self) -> None:
        if self.aggregate not in AGGREGATES:
            raise ConfigError(f"unknown panel aggregate {self.aggregate!r} (use {', '.join(AGGREGATES)})",
                              field="judge.aggregate")
        if len(self.panellists) < 2:
            raise ConfigError("a judge panel needs at least two panellists", field="judge.panel")
        names = [p.name for p in self.panellists]
        if len(set(names)) != len(names):
            raise ConfigError(f"panellist names must be unique: {', '.join(names)}", field="judge.panel")

    @property
    def models(self) -> list:
        return [p.model for p in self.panellists]

    @property
    def max_attempts(self) -> int:
        return max(getattr(p.judge, "max_attempts", 1) for p in self.panellists)

    async def grade(self, ctx: CheckContext, stats: CallStats) -> dict[str, CriterionResult]:
        """One aggregate result per criterion, in rubric order, each holding every panellist's verdict."""
        rounds = await asyncio.gather(*(p.judge.grade(ctx, stats) for p in self.panellists))
        return {c.id: aggregate_verdicts(c, {p.name: own[c.id] for p, own in zip(self.panellists, rounds)},
                                         self.aggregate)
                for c in [*self.rubric.criteria, *criteria_of(ctx.case)]}


def aggregate_verdicts(criterion: Criterion, verdicts: dict[str, CriterionResult], method: str) -> CriterionResult:
    """The panel's verdict on one criterion from each panellist's (``name -> verdict``)."""
    if not any(v.applicable for v in verdicts.values()):
        return CriterionResult(applicable=False)  # the case decides applicability: every panellist agrees
    answered = {name: v for name, v in verdicts.items() if v.error is None and v.score is not None}
    if not answered:
        return CriterionResult(error=_all_failed(verdicts), panel=dict(verdicts), n_votes=0)
    scores = [v.score for v in answered.values()]
    score = aggregate_scores(scores, method)
    return CriterionResult(
        score=score, passed=panel_pass(criterion, [v.passed for v in answered.values()], score, method),
        weighted_score=_weighted(answered.values()), reason=_reason(answered, score, method),
        cache_hit=all(v.cache_hit for v in answered.values()),
        latency_s=sum(v.latency_s for v in verdicts.values()), panel=dict(verdicts), n_votes=len(answered))


def aggregate_scores(scores: list[float], method: str) -> float:
    """The panel's score: ``mean``, ``median`` or ``majority`` (most common; a tie goes to the lower)."""
    found = reduce_scores(scores, method)
    assert found is not None  # callers pass at least one score
    return found


def panel_pass(criterion: Criterion, passes: list[bool | None], score: float, method: str) -> bool:
    """Whether the panel passes the reply on ``criterion``.

    A pass/fail criterion's mean score is the share of voters who passed it; it
    passes when more than half did (a plain threshold of 1 would demand
    unanimity; a tie fails, as it does under ``majority``). Every other case
    applies the criterion's threshold to the aggregate score.
    """
    if criterion.scale == "pass_fail" and method == "mean":
        return sum(bool(p) for p in passes) * 2 > len(passes)
    return criterion.to_pass(score)


def _weighted(answered) -> float | None:
    # The probability-weighted score is a mean by nature; it is given only when every voter had one.
    weighted = [v.weighted_score for v in answered]
    if any(w is None for w in weighted):
        return None
    return statistics.fmean(weighted)


def _reason(answered: dict[str, CriterionResult], score: float, method: str) -> str:
    name, closest = min(answered.items(), key=lambda item: abs(item[1].score - score))
    votes = ", ".join(f"{n} {v.score:g}" for n, v in answered.items())
    return f"{name}: {closest.reason} [panel {votes} → {method} {score:g}]"


def _all_failed(verdicts: dict[str, CriterionResult]) -> ErrorInfo:
    failed = [(name, v.error) for name, v in verdicts.items() if v.error is not None]
    kind = failed[0][1].kind if failed else "judge_output"
    detail = "; ".join(f"{name}: {error.message}" for name, error in failed)
    return ErrorInfo(kind=kind, message=f"every panellist failed: {detail}"[:500],
                     attempts=sum(error.attempts or 0 for _, error in failed) or None)


def panellist_records(judge_record: dict | None, records: Iterable[Record], name: str) -> Iterator[Record]:
    """``records`` as if panellist ``name`` alone had judged them (for calibrating one panellist).

    ``judge_record`` is the manifest's ``judge``; a ConfigError names the
    panellists when ``name`` is not one of them (or the run had no panel). A
    verdict without this panellist's (a record judged before the panel) becomes
    a ``not_judged`` error, so it is never mistaken for the panellist's own.
    """
    members = [m.get("panellist") for m in (judge_record or {}).get("panel") or []]
    if name not in members:
        known = ", ".join(str(m) for m in members) if members else "none: this run had no judge panel"
        raise ConfigError(f"unknown panellist {name!r} (panellists: {known})", field="--panellist")
    missing = CriterionResult(error=ErrorInfo(kind="not_judged", message=f"panellist {name} gave no verdict"))
    for record in records:
        own = {criterion: _own_verdict(verdict, name, missing) for criterion, verdict in record.judge.items()}
        yield record.model_copy(update={"judge": own})


def _own_verdict(verdict: CriterionResult, name: str, missing: CriterionResult) -> CriterionResult:
    if not verdict.applicable:
        return verdict  # not applicable for every panellist alike
    return (verdict.panel or {}).get(name, missing)
