"""One :class:`DiffRow` per criterion and check: values, paired difference, test, verdict.

Rows are built before Holm correction: :func:`apply_holm` adjusts the rows of
one candidate pair together and sets their verdicts. The family is one pair's
rows (its criteria and checks), never the whole diff, so a candidate's verdicts
do not depend on how many other candidates were compared beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import TypeAdapter

from harness.compare.paired import (Clusters, cluster_bootstrap_diff, holm, mcnemar_exact, minimum_detectable_effect,
                                    pooled_means, wilcoxon_signed_rank)
from harness.compare.schema import CaseChange, DiffRow, LeftOut, largest_difference
from harness.scoring.schema import Interval
from harness.scoring.stats import Interval as StatInterval
from harness.scoring.stats import Moments, bounded_mean_interval, hull


@dataclass(frozen=True)
class StatOptions:
    """How intervals and tests are computed for every row of one diff."""

    confidence: float = 0.95
    alpha: float = 0.05
    n_resamples: int = 4000
    seed: int = 20240607


def _is_single_binary(c: Clusters) -> bool:
    # McNemar needs one pass/fail pair per case; several samples make a case a rate, not a pair.
    return bool(np.all(c.n_a == 1) and np.all(c.n_b == 1) and np.all(np.isin(c.sum_a, (0.0, 1.0)))
                and np.all(np.isin(c.sum_b, (0.0, 1.0))))


_CHANGES = TypeAdapter(list[CaseChange])


def _changes(c: Clusters) -> list[CaseChange]:
    """Every case whose value moved, largest drop first (ties by case id)."""
    delta = c.delta
    moved = np.flatnonzero(delta != 0).tolist()
    deltas, ids = delta.tolist(), c.case_ids
    moved.sort(key=lambda i: (deltas[i], ids[i]))
    means_a, means_b = (c.sum_a / c.n_a).tolist(), (c.sum_b / c.n_b).tolist()
    # One validation call for the whole list: a large diff has tens of thousands of changes.
    return _CHANGES.validate_python([{"case_id": ids[i], "a": means_a[i], "b": means_b[i], "delta": deltas[i]}
                                     for i in moved])


def _discordant(c: Clusters, binary: bool) -> tuple[int, int] | None:
    """(pass → fail, fail → pass) counts when every unit is one pass/fail pair, else None."""
    if not (binary and len(c) and _is_single_binary(c)):
        return None
    return (int(np.count_nonzero((c.sum_a == 1.0) & (c.sum_b == 0.0))),
            int(np.count_nonzero((c.sum_a == 0.0) & (c.sum_b == 1.0))))


def _test(c: Clusters, binary: bool) -> tuple[str, float | None]:
    if not len(c):
        return "none", None
    pairs = _discordant(c, binary)
    if pairs is not None:
        return "mcnemar_exact", mcnemar_exact(*pairs)
    return "wilcoxon_signed_rank", wilcoxon_signed_rank(c.delta)


def bounded_difference_interval(deltas: np.ndarray, scale: str, confidence: float) -> StatInterval | None:
    """The Jeffreys-type interval of the mean paired difference, each in ``[-R, R]`` (R: 1 on pass/fail, 4 on
    1-5; see :func:`harness.scoring.stats.bounded_mean_interval`). With no case changed, every resample of the
    bootstrap is 0 and its interval is ``[0, 0]`` at any n; this one keeps a width that narrows as n grows."""
    if scale not in ("pass_fail", "1-5") or deltas.size < 2:
        return None
    bound = largest_difference(scale)
    mean = float(deltas.mean())
    moments = Moments(n=int(deltas.size), mean=mean, m2=float(np.square(deltas - mean).sum()))
    return bounded_mean_interval(moments, -bound, bound, confidence)


def build_row(kind: str, name: str, scale: str, clusters: Clusters, left_out: LeftOut,
              options: StatOptions, units: dict[str, str] | None = None) -> DiffRow:
    """The row for one measure from its paired clusters (verdict still unset: see :func:`apply_holm`).

    With ``units`` (case id → thread, for replayed turns) the interval, the test
    and the detectable effect resample and count those units, so the dependent
    turn cases of one thread never pass for independent evidence; values,
    discordant counts and changed cases stay per case.
    """
    binary = scale == "pass_fail"
    stat = clusters.grouped(units) if units else clusters
    value_a, value_b = pooled_means(clusters)
    difference, ci = cluster_bootstrap_diff(stat, options.confidence, options.n_resamples, options.seed)
    ci = hull(ci, bounded_difference_interval(stat.delta, scale, options.confidence))
    test, p_value = _test(stat, binary)
    down, up = _discordant(clusters, binary) or (0, 0)
    return DiffRow(kind=kind, name=name, scale=scale, n_cases=len(clusters), n_units=len(stat) if units else None,
                   n_samples_a=int(clusters.n_a.sum()), n_samples_b=int(clusters.n_b.sum()),
                   value_a=value_a, value_b=value_b, difference=difference,
                   ci=Interval(lo=ci.lo, hi=ci.hi) if ci else None, test=test, p_value=p_value,
                   mde=minimum_detectable_effect(stat.delta, alpha=options.alpha),
                   pass_to_fail=down, fail_to_pass=up, left_out=left_out, changes=_changes(clusters))


def apply_holm(rows: list[DiffRow], alpha: float) -> int:
    """Holm-adjust the p-values of one pair's ``rows`` as one family, set each row's verdict in place, and
    return the family's size (the rows with a p-value).

    A row is improved (regressed) when its adjusted p-value is below ``alpha``
    and the difference is positive (negative); otherwise no detectable change,
    with a :func:`verdict_note` when the evidence looked like a change before
    the correction.
    """
    family = sum(row.p_value is not None for row in rows)
    for row, adjusted in zip(rows, holm([row.p_value for row in rows])):
        row.p_holm = adjusted
        row.verdict = _verdict(row.difference, adjusted, alpha)
        row.verdict_note = verdict_note(row, family, alpha)
    return family


def _verdict(difference: float | None, adjusted: float | None, alpha: float) -> str:
    if adjusted is None or difference is None or adjusted >= alpha or difference == 0:
        return "no detectable change"
    return "improved" if difference > 0 else "regressed"


NOT_MEASURED = "not measured: no case was graded on both sides"


def _p_text(p: float) -> str:
    return "<0.0001" if p < 1e-4 else f"{p:.2g}"  # as the tables print p (harness.report.tables.fmt_p)


def verdict_note(row: DiffRow, family: int, alpha: float) -> str | None:
    """Why a row that looks changed (interval off zero, or p below ``alpha`` before correction) has no verdict.

    ``"not significant after correcting for 16 comparisons (p 0.012 before)"``, or, when even the p before
    correction does not pass (the bootstrap interval alone excludes 0), ``"not significant, even before
    correcting for 16 comparisons (p 0.07)"``. ``None`` for a row with a verdict or no sign of change;
    :data:`NOT_MEASURED` for a row without a case.
    """
    if row.n_cases == 0:
        return NOT_MEASURED
    if row.verdict != "no detectable change" or row.p_value is None or not row.difference:
        return None
    off_zero = row.ci is not None and (row.ci.lo > 0 or row.ci.hi < 0)
    if row.p_value >= alpha and not off_zero:
        return None
    comparisons = f"{family} comparison{'s' if family != 1 else ''}"
    if row.p_value < alpha:
        return f"not significant after correcting for {comparisons} (p {_p_text(row.p_value)} before)"
    return f"not significant, even before correcting for {comparisons} (p {_p_text(row.p_value)})"
