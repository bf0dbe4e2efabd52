"""One-pass accumulators that fold records into the numbers of a scorecard.

Each accumulator takes one observation at a time and keeps O(1) state, except
where the statistic needs the values themselves (latency percentiles; means
when the bootstrap interval is asked for), which are kept as compact
``array('d')`` buffers. That is what lets a 100,000-record run be scored while
streaming its file.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field

from harness.checks.base import CheckResult, is_crashed
from harness.records.schema import CallStats, CriterionResult, Record
from harness.scoring import schema as out
from harness.scoring.threads import ThreadAcc
from harness.scoring.stats import (Interval, IntervalMethod, Moments, bootstrap_mean_ci, bounded_mean_interval, hull,
                                   percentiles, t_interval, wilson_interval)

APOLOGY_CHECK = "apology_wording"
NO_GROUP = "(none)"


@dataclass(frozen=True)
class IntervalOptions:
    """How intervals are computed: confidence level, the mean's method, and each criterion's score range."""

    confidence: float = 0.95
    method: IntervalMethod = "t"
    seed: int = 20240607
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)


def _interval(found: Interval | None, bounds: tuple[float, float] | None = None) -> out.Interval | None:
    if found is None:
        return None
    if bounds is None:
        return out.Interval(lo=found.lo, hi=found.hi)
    # A t interval on few 1-5 scores can reach past the scale; no mean can, so clip to what is possible.
    low, high = bounds
    return out.Interval(lo=min(max(found.lo, low), high), hi=max(min(found.hi, high), low))


@dataclass
class MeanAcc:
    """A mean's running moments (and its values, only when the bootstrap needs them)."""

    keep_values: bool = False
    moments: Moments = field(default_factory=Moments)
    values: array = field(default_factory=lambda: array("d"))

    def add(self, value: float) -> None:
        self.moments.add(value)
        if self.keep_values:
            self.values.append(value)

    def result(self, options: IntervalOptions, bounds: tuple[float, float] | None = None) -> out.MeanStat:
        if self.moments.n == 0:
            return out.MeanStat()
        if options.method == "bootstrap":
            ci = bootstrap_mean_ci(self.values, options.confidence, seed=options.seed)
        else:
            ci = t_interval(self.moments, options.confidence)
        if bounds is not None:  # never narrower than a bounded score allows: equal scores still leave doubt
            ci = hull(ci, bounded_mean_interval(self.moments, *bounds, options.confidence))
        return out.MeanStat(mean=self.moments.mean, ci=_interval(ci, bounds), n=self.moments.n)


@dataclass
class RateAcc:
    """Passes out of applicable observations."""

    passed: int = 0
    n: int = 0

    def add(self, passed: bool) -> None:
        self.n += 1
        self.passed += bool(passed)

    def result(self, options: IntervalOptions) -> out.RateStat:
        rate = self.passed / self.n if self.n else None
        ci = wilson_interval(self.passed, self.n, options.confidence)
        return out.RateStat(passed=self.passed, n=self.n, rate=rate, ci=_interval(ci))


@dataclass
class CriterionAcc:
    score: MeanAcc
    rate: RateAcc = field(default_factory=RateAcc)
    n_not_applicable: int = 0
    errors: Counter = field(default_factory=Counter)
    weighted: MeanAcc | None = None

    def add(self, result: CriterionResult) -> float | None:
        """Fold one verdict in; return the score if it counted (so breakdowns reuse the decision)."""
        # Order matters: an error or "not applicable" never reaches the score.
        if result.error is not None:
            self.errors[result.error.kind] += 1
            return None
        if not result.applicable or result.score is None:
            self.n_not_applicable += 1
            return None
        self.score.add(result.score)
        if result.passed is not None:
            self.rate.add(result.passed)
        if result.weighted_score is not None:
            if self.weighted is None:
                self.weighted = MeanAcc(self.score.keep_values)
            self.weighted.add(result.weighted_score)
        return result.score

    def result(self, options: IntervalOptions, name: str) -> out.CriterionSummary:
        score = self.score.result(options, options.bounds.get(name))
        weighted = None if self.weighted is None else self.weighted.result(options, options.bounds.get(name))
        return out.CriterionSummary(score=score, pass_rate=self.rate.result(options),
                                    n_not_applicable=self.n_not_applicable, n_errors=sum(self.errors.values()),
                                    errors_by_kind=dict(sorted(self.errors.items())), weighted_score=weighted)


@dataclass
class CheckAcc:
    rate: RateAcc = field(default_factory=RateAcc)
    n_not_applicable: int = 0
    n_crashed: int = 0

    def add(self, result: CheckResult) -> bool | None:
        """Fold one check result in; return ``passed`` (``None`` when it did not apply)."""
        if result.passed is None:
            self.n_not_applicable += 1
            self.n_crashed += is_crashed(result)
        else:
            self.rate.add(result.passed)
        return result.passed

    def result(self, options: IntervalOptions) -> out.CheckSummary:
        return out.CheckSummary(pass_rate=self.rate.result(options), n_not_applicable=self.n_not_applicable,
                                n_crashed=self.n_crashed)


@dataclass
class AllPassAcc:
    """Cases where everything passed: promptfoo's "N passed / M failed" per test, with an interval.

    A case passes when every check that applied passed and every judged criterion passed by the scorecard's own
    pass definition (``CriterionResult.passed``: a 1-5 score at the rubric's ``pass_threshold``, the pass_fail
    verdict). A case with an error (the case's own, a judge's, a crashed check) is counted apart, neither passed
    nor failed: an outage is not a bad reply. A case with no verdict at all (nothing applied) counts in neither.
    """

    rate: RateAcc = field(default_factory=RateAcc)
    n_errors: int = 0

    def add(self, record: Record, check_verdicts: list[tuple[str, bool | None]]) -> None:
        if record.error is not None or any(v.error is not None for v in record.judge.values()) \
                or any(is_crashed(r) for r in record.checks.values()):
            self.n_errors += 1
            return
        verdicts = [passed for _, passed in check_verdicts if passed is not None]
        verdicts += [v.passed for v in record.judge.values()
                     if v.applicable and v.score is not None and v.passed is not None]
        if verdicts:
            self.rate.add(all(verdicts))


@dataclass
class GroupAcc:
    """One persona's or category's records: criterion means and check pass rates."""

    keep_values: bool = False
    n_records: int = 0
    criteria: dict[str, MeanAcc] = field(default_factory=dict)
    checks: dict[str, RateAcc] = field(default_factory=dict)

    def add_score(self, criterion: str, score: float | None) -> None:
        acc = self.criteria.get(criterion)
        if acc is None:
            acc = self.criteria[criterion] = MeanAcc(self.keep_values)
        if score is not None:
            acc.add(score)

    def add_checks(self, verdicts: list[tuple[str, bool | None]]) -> None:
        """Fold in one record's ``(check, passed)`` pairs (``None``: did not apply, but the check is listed),
        in one call per breakdown and record rather than one per check."""
        checks = self.checks
        for check, passed in verdicts:
            acc = checks.get(check)
            if acc is None:
                acc = checks[check] = RateAcc()
            if passed is not None:
                acc.add(passed)

    def result(self, options: IntervalOptions) -> out.GroupBreakdown:
        return out.GroupBreakdown(n_records=self.n_records,
                                  criteria={k: v.result(options, options.bounds.get(k))
                                            for k, v in self.criteria.items()},
                                  checks={k: v.result(options) for k, v in self.checks.items()})


@dataclass
class CallAcc:
    """Tokens, cost, cache hits, retries, deployments and live-call latencies of one role."""

    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    deployments: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    n_unpriced: int = 0
    latencies: array = field(default_factory=lambda: array("d"))

    def add(self, stats: CallStats) -> None:
        self.calls += stats.calls
        self.cache_hits += stats.cache_hits
        self.retries += stats.retries
        self.rate_limited += stats.rate_limited
        if stats.deployments:
            self.deployments.update(stats.deployments)
        self.prompt_tokens += stats.usage.prompt_tokens
        self.completion_tokens += stats.usage.completion_tokens
        if stats.usage.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + stats.usage.cost_usd
        elif stats.calls:  # calls at no known price: the sum cannot include them
            self.n_unpriced += 1
        # A record served wholly from cache has no real latency; counting its ~0 would flatter p50.
        if stats.calls > stats.cache_hits:
            self.latencies.append(stats.latency_s)

    def result(self) -> out.CallSummary:
        found = percentiles(self.latencies)
        latency = None if found is None else out.Latency(n=len(self.latencies), **found)
        return out.CallSummary(calls=self.calls, cache_hits=self.cache_hits, retries=self.retries,
                               rate_limited=self.rate_limited, deployments=dict(sorted(self.deployments.items())),
                               prompt_tokens=self.prompt_tokens,
                               completion_tokens=self.completion_tokens, cost_usd=self.cost_usd,
                               n_unpriced=self.n_unpriced, latency=latency)


@dataclass
class CandidateAcc:
    """Everything folded from one candidate's records."""

    name: str
    keep_values: bool = False
    n_records: int = 0
    case_errors: Counter = field(default_factory=Counter)
    criteria: dict[str, CriterionAcc] = field(default_factory=dict)
    checks: dict[str, CheckAcc] = field(default_factory=dict)
    by_persona: dict[str, GroupAcc] = field(default_factory=dict)
    by_category: dict[str, GroupAcc] = field(default_factory=dict)
    by_turn: dict[int, GroupAcc] = field(default_factory=dict)
    # With an eval's `breakdowns`: (name, case id -> group) per field the records do not carry, and its groups.
    fields: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    by_field: dict[str, dict[str, GroupAcc]] = field(default_factory=dict)
    threads: ThreadAcc | None = None  # with turn-level replay
    by_perturbation: dict[str, GroupAcc] = field(default_factory=dict)  # with an eval's `perturb`
    responder: CallAcc = field(default_factory=CallAcc)
    judging: CallAcc = field(default_factory=CallAcc)
    apology_forms: Counter = field(default_factory=Counter)
    all_pass: AllPassAcc = field(default_factory=AllPassAcc)

    def add(self, record: Record) -> None:
        self.n_records += 1
        if record.error is not None:
            self.case_errors[record.error.kind] += 1
        groups = (self._group(self.by_persona, record.persona), self._group(self.by_category, record.category))
        if self.fields:
            groups += tuple(self._group(self.by_field.setdefault(name, {}), group_of.get(record.case_id))
                            for name, group_of in self.fields)
        if record.turn_index is not None:  # turn-level replay: the turn is one more breakdown, threads another
            groups += (self._group(self.by_turn, record.turn_index),)
            if self.threads is None:
                self.threads = ThreadAcc()
            self.threads.add(record)
        # One pass over the verdicts feeds the candidate and both breakdowns: the hot loop of a big run.
        for name, verdict in record.judge.items():
            score = self._criterion(name).add(verdict)
            for group in groups:
                group.add_score(name, score)
        verdicts: list[tuple[str, bool | None]] = []
        if record.checks:
            # The candidate's verdicts first, then each breakdown's, from one list: a dozen checks per record.
            checks, new_check = self.checks, self._check
            verdicts = [(name, (checks.get(name) or new_check(name)).add(result))
                        for name, result in record.checks.items()]
            for group in groups:
                group.add_checks(verdicts)
        self.all_pass.add(record, verdicts)
        self._add_apology_form(record)
        self.responder.add(record.responder)
        self.judging.add(record.judging)

    def add_variant(self, record: Record, kind: str) -> None:
        """Fold in a perturbed variant's record: its calls and errors count, its verdicts only in the "by
        perturbation" breakdown (the headline stays over the original cases)."""
        self.n_records += 1
        if record.error is not None:
            self.case_errors[record.error.kind] += 1
        group = self._group(self.by_perturbation, kind)
        for name, verdict in record.judge.items():
            counted = verdict.error is None and verdict.applicable and verdict.score is not None
            group.add_score(name, verdict.score if counted else None)
        group.add_checks([(name, result.passed) for name, result in record.checks.items()])
        self.responder.add(record.responder)
        self.judging.add(record.judging)

    def _group(self, groups: dict, value: str | int | None) -> GroupAcc:
        key = value if value else NO_GROUP
        group = groups.get(key)
        if group is None:
            group = groups[key] = GroupAcc(self.keep_values)
        group.n_records += 1
        return group

    def _criterion(self, name: str) -> CriterionAcc:
        acc = self.criteria.get(name)
        if acc is None:
            acc = self.criteria[name] = CriterionAcc(MeanAcc(self.keep_values))
        return acc

    def _check(self, name: str) -> CheckAcc:
        acc = self.checks.get(name)
        if acc is None:
            acc = self.checks[name] = CheckAcc()
        return acc

    def _add_apology_form(self, record: Record) -> None:
        apology = record.checks.get(APOLOGY_CHECK)
        form = apology.data.get("form") if apology is not None else None
        if isinstance(form, str):
            self.apology_forms[form] += 1

    def result(self, options: IntervalOptions, criteria_order: list[str]) -> out.CandidateScores:
        judge_errors = {name: sum(acc.errors.values()) for name, acc in self.criteria.items()}
        by_kind: Counter = sum((acc.errors for acc in self.criteria.values()), Counter())
        return out.CandidateScores(
            name=self.name, n_records=self.n_records, n_case_errors=sum(self.case_errors.values()),
            case_errors_by_kind=dict(sorted(self.case_errors.items())),
            criteria={k: self.criteria[k].result(options, k) for k in _ordered(self.criteria, criteria_order)},
            checks={k: v.result(options) for k, v in sorted(self.checks.items())},
            judge_errors_by_criterion={k: n for k, n in judge_errors.items() if n},
            judge_errors_by_kind=dict(sorted(by_kind.items())),
            by_persona={k: v.result(options) for k, v in sorted(self.by_persona.items())},
            by_category={k: v.result(options) for k, v in sorted(self.by_category.items())},
            by_field={name: {k: v.result(options) for k, v in groups.items()}
                      for name, groups in self.by_field.items()},
            by_turn={str(k): v.result(options) for k, v in sorted(self.by_turn.items())},
            threads=None if self.threads is None else self.threads.result(options.confidence),
            by_perturbation={k: v.result(options) for k, v in self.by_perturbation.items()},
            responder=self.responder.result(), judging=self.judging.result(),
            apology_forms=dict(sorted(self.apology_forms.items())),
            all_pass=self.all_pass.rate.result(options), n_all_pass_errors=self.all_pass.n_errors)


def _ordered(found: dict, order: list[str]) -> list[str]:
    """Keys of ``found`` in ``order`` first, then any others alphabetically."""
    return [k for k in order if k in found] + sorted(k for k in found if k not in order)
