"""The statistics of a pairwise comparison: wins, ties, losses, consistency and position bias.

Per criterion, each case gives one pair (judged in both orders):

- its *outcome* is the winner both orders agree on, or a tie when they do not
  (an inconsistent pair counts as a tie, as in MT-Bench); a pair where either
  order failed is an error, left out of every share and counted by kind;
- the shares of B wins, ties and A wins (B's losses) get Wilson intervals;
- the *win-rate difference* (share of B wins minus share of A wins) gets an
  exact two-sided sign test of B wins against A wins (ties carry no
  direction), Holm-adjusted over the criterion rows of one comparison that
  could reach significance (Tarone's family), and the interval that agrees
  with that test (:func:`criterion_interval`);
- the *consistency rate* is the share of pairs whose winner survived the swap;
- the *first-position rate* is the share of decisive answers (not "tie") that
  picked the reply shown first: 0.5 is an unbiased judge, 1.0 one that always
  picks the first;
- the *longer-preferred rate* is the share of decided pairs won by the longer reply.

The ``overall`` row pools every criterion. Its units are not independent (the
criteria of one case move together), so all its intervals come from a
bootstrap that resamples whole cases (where every case shows the same
difference, every resample is that difference, and the interval is the bound
``harness diff`` gives such rows instead of a point: :func:`difference_interval`),
and its preference from an exact sign test over cases: the cases whose
criteria B won more of against those A won more of, cases level either way
carrying no direction (:func:`case_leads`). A bootstrap interval that excludes
0 while that test does not reject is marked unreliable (``ci_note``), as
``harness diff`` marks its rows; the test decides.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.compare.paired import (CaseCluster, cluster_bootstrap_diff, mcnemar_exact, mcnemar_exact_interval,
                                    smallest_attainable_p, tarone_holm)
from harness.compare.rows import interval_note, no_change_interval, uniform_change_interval
from harness.pairwise.schema import PairLeftOut, PairVerdict, PairwiseRow, Preference, Share
from harness.scoring.schema import Interval
from harness.scoring.stats import DEFAULT_SEED, wilson_interval

DEFAULT_RESAMPLES = 4000


@dataclass(frozen=True)
class StatsOptions:
    confidence: float = 0.95
    alpha: float = 0.05
    n_resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Judged:
    """One criterion's pair verdict on one case, with the replies' lengths (characters)."""

    case_id: str
    verdict: PairVerdict
    len_a: int = 0
    len_b: int = 0


# A unit of a share: the case it belongs to, and whether it counts.
Unit = tuple[str, bool]


def wilson_share(units: Sequence[Unit], confidence: float) -> Share:
    """``units`` as a share with a Wilson interval (units independent)."""
    count, n = sum(hit for _, hit in units), len(units)
    ci = wilson_interval(count, n, confidence)
    return Share(count=count, n=n, rate=count / n if n else None, ci=Interval(lo=ci.lo, hi=ci.hi) if ci else None)


def cluster_share(units: Sequence[Unit], options: StatsOptions) -> Share:
    """``units`` as a share with a percentile bootstrap interval that resamples whole cases.

    Each resample draws as many cases as there are (with replacement,
    multinomial weights) and recomputes the pooled share, so a case's units
    always move together. Seeded: the same input always gives the same interval.
    Where every case has the same share (all consistent, say, or none) the
    resamples have no spread and the percentile interval would be a point;
    the interval is then Wilson's with the number of cases as ``n``, as if each
    case were a single observation, which is what its units' agreement suggests.
    """
    by_case: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case_id, hit in units:
        by_case[case_id][0] += int(hit)
        by_case[case_id][1] += 1
    count, n = sum(hit for _, hit in units), len(units)
    if n == 0:
        return Share()
    sums = np.array(list(by_case.values()), dtype=float)
    ci = None
    if len(sums) >= 2:
        rng = np.random.default_rng(options.seed)
        weights = rng.multinomial(len(sums), np.full(len(sums), 1 / len(sums)), size=options.n_resamples)
        totals = weights @ sums
        rates = totals[:, 0] / totals[:, 1]
        tail = (1 - options.confidence) / 2 * 100
        lo, hi = np.percentile(rates, [tail, 100 - tail])
        ci = Interval(lo=float(lo), hi=float(hi))
        if np.all(sums[:, 0] * sums[0, 1] == sums[0, 0] * sums[:, 1]):  # every case at the same share
            cases = len(sums)
            point = wilson_interval(cases * count / n, cases, options.confidence)
            ci = Interval(lo=point.lo, hi=point.hi)
    return Share(count=count, n=n, rate=count / n, ci=ci)


def _valid(judged: Iterable[Judged]) -> list[Judged]:
    return [j for j in judged if j.verdict.outcome != "error"]


def error_kinds(judged: Iterable[Judged]) -> dict[str, int]:
    """Failed judge calls (orders) by kind."""
    kinds = Counter(o.error.kind for j in judged for o in (j.verdict.ab, j.verdict.ba) if o.error is not None)
    return dict(sorted(kinds.items()))


def outcome_units(valid: Sequence[Judged], outcome: str) -> list[Unit]:
    return [(j.case_id, j.verdict.outcome == outcome) for j in valid]


def first_position_units(valid: Sequence[Judged]) -> list[Unit]:
    """One unit per decisive answer (either order): did it pick the reply shown first?"""
    return [(j.case_id, o.picked == "first") for j in valid for o in (j.verdict.ab, j.verdict.ba)
            if o.picked in ("first", "second")]


def longer_units(valid: Sequence[Judged]) -> list[Unit]:
    """One unit per decided pair whose replies differ in length: did the longer one win?"""
    units = []
    for j in valid:
        if j.verdict.outcome in ("A", "B") and j.len_a != j.len_b:
            longer = "A" if j.len_a > j.len_b else "B"
            units.append((j.case_id, j.verdict.outcome == longer))
    return units


def win_clusters(valid: Sequence[Judged]) -> list[CaseCluster]:
    """Per case, 1/0 for "A won" and for "B won" on each pair: mean(B) − mean(A) is the win-rate difference."""
    by_case: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for j in valid:
        by_case[j.case_id][0].append(float(j.verdict.outcome == "A"))
        by_case[j.case_id][1].append(float(j.verdict.outcome == "B"))
    return [CaseCluster(case_id, tuple(a), tuple(b)) for case_id, (a, b) in sorted(by_case.items())]


def difference_interval(clusters: Sequence[CaseCluster], bootstrap: Interval | None,
                        confidence: float) -> tuple[Interval | None, str | None]:
    """The win-rate difference's interval and how it was computed (``PairwiseRow.ci_method``).

    A case's difference (its share of B wins minus its share of A wins) lies in ``[-1, +1]``, as a
    pass/fail row's does in ``harness diff``. Where every case shows the same difference (every pair a
    tie, or every pair won by B) every bootstrap resample is that difference and the percentile interval
    is a point (``+0 pp [+0, +0]``) at any n; such rows get ``harness diff``'s bounds instead:
    :func:`~harness.compare.rows.no_change_interval` when every case reads 0 (5 ties: ±52 pp), else
    :func:`~harness.compare.rows.uniform_change_interval`. Otherwise ``bootstrap`` (``None`` below two cases).
    """
    deltas = np.array([c.delta for c in clusters], dtype=float)
    for method, bound in (("no_change", no_change_interval), ("uniform_change", uniform_change_interval)):
        interval = bound(deltas, "pass_fail", confidence)
        if interval is not None:
            return Interval(lo=interval.lo, hi=interval.hi), method
    return bootstrap, "bootstrap" if bootstrap is not None else None


def build_row(kind: str, name: str, judged: Sequence[Judged], left_out: PairLeftOut,
              options: StatsOptions) -> PairwiseRow:
    """One row from the pairs of one criterion (or, for ``overall``, of every criterion)."""
    valid = _valid(judged)
    pooled = kind == "overall"

    def share(units: list[Unit]) -> Share:
        return cluster_share(units, options) if pooled else wilson_share(units, options.confidence)

    clusters = win_clusters(valid)
    difference, bootstrap = cluster_bootstrap_diff(clusters, options.confidence, options.n_resamples, options.seed)
    b_wins, a_wins = share(outcome_units(valid, "B")), share(outcome_units(valid, "A"))
    if pooled:
        cases_b, cases_a = case_leads(clusters)
        p_value = mcnemar_exact(cases_a, cases_b) if valid else None
        ci, ci_method = difference_interval(clusters, Interval(lo=bootstrap.lo, hi=bootstrap.hi) if bootstrap else None,
                                            options.confidence)
    else:
        cases_b = cases_a = None
        p_value = mcnemar_exact(a_wins.count, b_wins.count) if valid else None
        ci, ci_method = criterion_interval(a_wins.count, b_wins.count, len(valid), options.confidence)
    left = left_out.model_copy(update={"judge_error": len(judged) - len(valid)})
    return PairwiseRow(
        kind=kind, name=name, interval_method="cluster_bootstrap" if pooled else "wilson",
        n_pairs=len(valid), n_cases=len({j.case_id for j in valid}), b_wins=b_wins,
        ties=share(outcome_units(valid, "tie")), a_wins=a_wins,
        inconsistent=sum(j.verdict.consistent is False for j in valid),
        win_rate_difference=difference, ci=ci, ci_method=ci_method,
        ci_note=interval_note(ci, ci_method, p_value, options.alpha), p_value=p_value,
        cases_b=cases_b, cases_a=cases_a,
        consistency=share([(j.case_id, bool(j.verdict.consistent)) for j in valid if not j.verdict.identical]),
        first_position=share(first_position_units(valid)), longer_preferred=share(longer_units(valid)),
        left_out=left, errors=error_kinds(judged))


def case_leads(clusters: Sequence[CaseCluster]) -> tuple[int, int]:
    """(cases whose criteria B won more of than A, cases A won more of): the overall sign test's counts.

    A case is the unit: its criteria are judged on the same two replies and move together, so counting
    criteria (pairs) as independent would read one case's agreement as several cases' evidence. A case
    where B and A won as many criteria (all ties, say) carries no direction and is left out of the test,
    as ties are from a sign test; it still counts in the shares and in ``n_cases``.
    """
    return sum(c.delta > 0 for c in clusters), sum(c.delta < 0 for c in clusters)


def criterion_interval(a_wins: int, b_wins: int, n: int, confidence: float) -> tuple[Interval | None, str | None]:
    """The win-rate difference's interval on a criterion row: one pair per case, each won by A, B or tied, is
    a paired pass/fail row of ``harness diff`` (A wins the pass → fail cases, B wins the fail → pass), so it
    gets the melded interval that excludes 0 exactly when the exact sign test rejects
    (:func:`~harness.compare.paired.mcnemar_exact_interval`); a percentile bootstrap read 4 B wins and a tie
    as ``+80 pp [+40, +100]`` beside p 0.125. All ties: :func:`~harness.compare.rows.no_change_interval`'s
    bound (the same figure), named ``no_change`` as before."""
    if n == 0:
        return None, None
    interval = mcnemar_exact_interval(a_wins, b_wins, n, confidence)
    if interval is None:
        return None, None
    return Interval(lo=interval.lo, hi=interval.hi), "no_change" if a_wins + b_wins == 0 else "sign_test_exact"


def apply_holm(rows: list[PairwiseRow], alpha: float) -> None:
    """Holm-adjust the criterion rows' p-values together and set every row's preference.

    The family is Tarone's (:func:`~harness.compare.paired.tarone_holm`): a criterion with too few decided
    pairs to be significant whichever way they went (all ties: its p can only be 1) neither counts nor is
    tested. The overall row is not in the family: it is the one headline test, at ``alpha``.
    """
    criteria = [r for r in rows if r.kind == "criterion"]
    minimum = [None if r.p_value is None else smallest_attainable_p(r.a_wins.count + r.b_wins.count)
               for r in criteria]
    adjusted, _ = tarone_holm([r.p_value for r in criteria], minimum, alpha)
    for row, value in zip(criteria, adjusted):
        row.p_holm = value
    for row in rows:
        row.preference = preference(row, alpha)


def preference(row: PairwiseRow, alpha: float) -> Preference:
    """B or A preferred when the exact test says so: the Holm p below ``alpha`` on a criterion, the sign test
    over cases below ``alpha`` overall (never the interval alone: a bootstrap over six cases called 5 of 20
    null comparisons a preference). The direction is the test's: more B wins (cases B led) than A's."""
    p = row.p_holm if row.kind == "criterion" else row.p_value
    if p is None or p >= alpha or not row.win_rate_difference:
        return "no detectable preference"
    ahead_b, ahead_a = ((row.b_wins.count, row.a_wins.count) if row.kind == "criterion"
                        else (row.cases_b or 0, row.cases_a or 0))
    if ahead_b == ahead_a:
        return "no detectable preference"
    return "B preferred" if ahead_b > ahead_a else "A preferred"
