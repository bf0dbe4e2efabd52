"""One :class:`DiffRow` per criterion and check: values, paired difference, test, verdict.

Rows are built before Holm correction: :func:`apply_holm` adjusts the rows of
one candidate pair together and sets their verdicts. The family is one pair's
rows (its criteria and checks), never the whole diff, so a candidate's verdicts
do not depend on how many other candidates were compared beside it; of those,
the rows that could reach significance (Tarone's refinement: a row where no
case changed cannot, and does not count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import TypeAdapter

from harness.compare.paired import (Clusters, cluster_bootstrap_diff, mcnemar_exact, mcnemar_exact_interval,
                                    minimum_detectable_effect, pooled_means, smallest_attainable_p,
                                    smallest_significant_count, tarone_holm, wilcoxon_signed_rank)
# Re-exported: the pairwise rows, the tables and tests import these from here.
from harness.compare.intervals import (INTERVAL_MARKS, TEST_REJECTS, UNRELIABLE, ZERO_WIDTH,  # noqa: F401
                                       interval_note, no_change_interval, uniform_change_interval)
from harness.compare.schema import CaseChange, DiffRow, LeftOut, largest_difference
from harness.errors import ConfigError
from harness.scoring.schema import Interval
from harness.scoring.stats import Interval as StatInterval


@dataclass(frozen=True)
class StatOptions:
    """How intervals and tests are computed for every row of one diff."""

    confidence: float = 0.95
    alpha: float = 0.05
    n_resamples: int = 4000
    seed: int = 20240607
    min_effect: MinEffect | None = None  # practical significance: see apply_holm


@dataclass(frozen=True)
class MinEffect:
    """The smallest |difference| that counts as a change (``--min-effect``): ``rate`` for pass-rate rows (a
    fraction: 0.01 is 1 pp), ``points`` for score rows (points on the criterion's scale). ``None``: no minimum
    on that kind of row."""

    rate: float | None = None
    points: float | None = None

    def of(self, scale: str) -> float | None:
        """The minimum for a row on ``scale``."""
        return self.rate if scale == "pass_fail" else self.points

    def as_dict(self) -> dict[str, float]:
        """``{"pass_fail": 0.01, "1-5": 0.2}``, the minima given (``DiffReport.min_effect``)."""
        return {scale: value for scale, value in (("pass_fail", self.rate), ("1-5", self.points))
                if value is not None}


def parse_min_effect(text: str) -> MinEffect:
    """``"1pp"``, ``"0.2pt"`` or both, comma-separated (``"1pp,0.2pt"``) → :class:`MinEffect`.

    A figure needs its unit: ``pp`` (percentage points, for pass rates: checks and pass/fail criteria) or
    ``pt`` (points, for 1-5 means); a bare number would mean 1 pp on one row and 1 point (25% of the
    scale) on the next. Anything else is a :class:`ConfigError` naming ``--min-effect``.
    """
    rate = points = None
    for part in (p.strip().lower() for p in text.split(",")):
        number, unit = _split_unit(part)
        if unit == "pp":
            if rate is not None:
                raise ConfigError(f"pp given twice in {text!r}", field="--min-effect")
            rate = _bounded(number, 100.0, part) / 100.0
        else:
            if points is not None:
                raise ConfigError(f"pt given twice in {text!r}", field="--min-effect")
            points = _bounded(number, 4.0, part)
    return MinEffect(rate, points)


_UNITS = {"pp": "pp", "pt": "pt", "pts": "pt", "points": "pt", "point": "pt"}


def _split_unit(part: str) -> tuple[str, str]:
    number = part.rstrip("abcdefghijklmnopqrstuvwxyz ")
    unit = part[len(number):].strip()
    if unit not in _UNITS or not number:
        raise ConfigError(f"expected a figure with its unit, e.g. 1pp (pass rates, percentage points) or 0.2pt "
                          f"(1-5 means, points), or both as 1pp,0.2pt; got {part!r}", field="--min-effect")
    return number.strip(), _UNITS[unit]


def _bounded(number: str, top: float, part: str) -> float:
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not 0 <= value <= top:  # NaN fails too
        raise ConfigError(f"{part!r}: a minimum effect is a number from 0 to {top:g} in its unit",
                          field="--min-effect")
    return value


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
    test, p_value = _test(stat, binary)
    difference, ci, ci_method = row_interval(stat, scale, binary, options)
    down, up = _discordant(clusters, binary) or (0, 0)
    # The smallest change one case can make: a whole step of the scale over the most samples a case has.
    step = 1.0 / max(1, int(stat.n_a.max(initial=1)), int(stat.n_b.max(initial=1)))
    row = DiffRow(kind=kind, name=name, scale=scale, n_cases=len(clusters), n_units=len(stat) if units else None,
                   n_samples_a=int(clusters.n_a.sum()) - left_out.samples_a,
                   n_samples_b=int(clusters.n_b.sum()) - left_out.samples_b,
                   value_a=value_a, value_b=value_b, difference=difference,
                   ci=Interval(lo=ci.lo, hi=ci.hi) if ci else None, ci_method=ci_method,
                   ci_note=interval_note(ci, ci_method, p_value, options.alpha), test=test, p_value=p_value,
                   mde=detectable_effect(stat.delta, step, options.alpha, scale),
                   pass_to_fail=down, fail_to_pass=up, left_out=left_out, changes=_changes(clusters))
    # Kept for apply_holm, which sets the detectable effect at the level the row's family is tested at.
    row._deltas, row._step = stat.delta, step
    return row


def row_interval(stat: Clusters, scale: str, binary: bool,
                 options: StatOptions) -> tuple[float | None, StatInterval | None, str | None]:
    """The row's difference, its interval and how the interval was computed (``DiffRow.ci_method``).

    - ``"mcnemar_exact"``: a pass/fail row where cases changed with one sample per case, tested by the exact McNemar test, gets Fay
      & Lumbard's melded interval (:func:`~harness.compare.paired.mcnemar_exact_interval`), which excludes 0
      exactly when that test rejects; a percentile bootstrap read ``-100 pp [-100, -100]`` for 3 cases that
      all failed (p 0.25), and ``+44 pp [+6, +75]`` beside p 0.065.
    - ``"no_change"``: no case changed (:func:`no_change_interval`; on a McNemar row the melded interval
      would give the same bound).
    - ``"uniform_change"``: every case (or thread) moved by the same non-zero amount, where every bootstrap
      resample is that amount (:func:`uniform_change_interval`).
    - ``"bootstrap"``: otherwise (1-5 scores, several samples per case, threads) the percentile case
      bootstrap, which with few changed cases can be narrower than the test warrants: see
      :func:`interval_note`.
    """
    difference, ci = cluster_bootstrap_diff(stat, options.confidence, options.n_resamples, options.seed)
    unchanged = no_change_interval(stat.delta, scale, options.confidence)
    if unchanged is not None:
        return difference, unchanged, "no_change"
    pairs = _discordant(stat, binary)
    if pairs is not None:
        return difference, mcnemar_exact_interval(*pairs, len(stat), options.confidence), "mcnemar_exact"
    uniform = uniform_change_interval(stat.delta, scale, options.confidence)
    if uniform is not None:
        return difference, uniform, "uniform_change"
    return difference, ci, "bootstrap" if ci is not None else None


def detectable_effect(deltas: np.ndarray, step: float, alpha: float, scale: str) -> float | None:
    """:func:`minimum_detectable_effect` at ``alpha``, for cases of ``round(1 / step)`` samples each (``step``
    is the smallest move of one case: one step of the scale over its samples); twice the scale's largest
    difference (printed "none at this n") when there are fewer units than the fewest an exact test at
    ``alpha`` can call significant."""
    if 0 < deltas.size < smallest_significant_count(alpha):
        return 2.0 * largest_difference(scale)
    return minimum_detectable_effect(deltas, 1.0, alpha=alpha, samples=max(1, round(1.0 / step)))


def _smallest_p(row: DiffRow) -> float | None:
    """The smallest p-value the row's exact test could have given, from how many cases (or threads) changed;
    ``None`` for a row without a p-value, 0 (always in the family) when the row does not say what changed."""
    if row.p_value is None:
        return None
    if row._deltas is not None:
        return smallest_attainable_p(int(np.count_nonzero(np.asarray(row._deltas) != 0)))
    return smallest_attainable_p(len(row.changes)) if row.changes else 0.0


@dataclass(frozen=True)
class HolmFamily:
    """One pair's Holm family: its ``size`` (Tarone's, the multiplier of its smallest p) and how many rows it
    ``tested`` (those that could be significant at its level; at most ``size``)."""

    size: int
    tested: int


def apply_family(rows: list[DiffRow], alpha: float, min_effect: MinEffect | None = None,
                 primary: frozenset[str] | None = None) -> HolmFamily:
    """:func:`apply_holm` over the rows named in ``primary`` (every row when ``None``); the others are
    exploratory: out of the family, their p unadjusted (``p_holm`` None) and their verdict read from it at
    ``alpha``, flagged ``exploratory`` so no output reads them as findings.

    With several measures, correcting for all of them costs the ones a team decided on beforehand their
    power; naming those (``--primary``) keeps the family to them, and the rest stay visible as leads.
    """
    in_family = [row for row in rows if primary is None or row.name in primary]
    family = _holm(in_family, alpha, min_effect)
    for row in rows:
        if primary is not None and row.name not in primary:
            _exploratory(row, alpha, min_effect)
    return family


def _exploratory(row: DiffRow, alpha: float, min_effect: MinEffect | None) -> None:
    """Set an exploratory row's verdict from its unadjusted p (its MDE stays at ``alpha`` itself)."""
    row.exploratory = True
    row.p_holm = None
    row._deltas = None
    row.verdict = _verdict(row.n_cases, row.difference, row.p_value, alpha)
    _set_note(row, 1, alpha, min_effect)


def _set_note(row: DiffRow, family: int, alpha: float, min_effect: MinEffect | None, outside: bool = False) -> None:
    """Turn a significant change smaller than ``min_effect`` into "below minimum effect", and set the note."""
    minimum = min_effect.of(row.scale) if min_effect else None
    if row.verdict in ("improved", "regressed") and minimum is not None and abs(row.difference) < minimum - 1e-12:
        row.verdict = BELOW_MIN_EFFECT
        row.verdict_note = below_min_effect_note(row, minimum)
        return
    row.verdict_note = verdict_note(row, family, alpha, outside)


def apply_holm(rows: list[DiffRow], alpha: float, min_effect: MinEffect | None = None) -> int:
    """Holm-adjust the p-values of one pair's ``rows`` as one family, set each row's verdict in place, and
    return the family's size (:func:`apply_family`'s, with every row in the family)."""
    return _holm(rows, alpha, min_effect).size


def _holm(rows: list[DiffRow], alpha: float, min_effect: MinEffect | None = None) -> HolmFamily:
    """Holm-adjust the p-values of ``rows`` as one family and set each row's verdict in place.

    The family is Tarone's (:func:`~harness.compare.paired.tarone_holm`): a row whose exact test could not
    reach significance at the family's level whichever way its changed cases went (no case changed: its p
    can only be 1) neither counts nor is tested (``p_holm`` 1), so 20 rows where nothing moved no longer
    hold a changed row to ``alpha / 24``. A row is improved (regressed) when its adjusted p-value is below
    ``alpha`` and the difference is positive (negative); below minimum effect when it is
    significant but its |difference| is smaller than ``min_effect`` for its scale
    (practical significance: the point estimate is compared); not measured when
    no case was graded on both sides; otherwise no detectable change, with a
    :func:`verdict_note` when the evidence looked like a change before the
    correction.
    """
    pvalues, smallest = [row.p_value for row in rows], [_smallest_p(row) for row in rows]
    adjusted_all, family = tarone_holm(pvalues, smallest, alpha)
    level = alpha / max(family, 1)
    for row, adjusted, least in zip(rows, adjusted_all, smallest):
        row.p_holm = adjusted
        if row._deltas is not None and family > 1:
            # Holm tests the family's smallest p at alpha / family: a change must be that clear to be called.
            row.mde = detectable_effect(row._deltas, row._step, alpha / family, row.scale)
        row._deltas = None  # done with: a row compares equal to itself read back from diff.json
        row.verdict = _verdict(row.n_cases, row.difference, adjusted, alpha)
        _set_note(row, family, alpha, min_effect, outside=least is None or least > level)
    tested = sum(p is not None and m is not None and m <= alpha / max(family, 1) for p, m in zip(pvalues, smallest))
    return HolmFamily(family, tested)


BELOW_MIN_EFFECT = "below minimum effect"


def _effect_text(value: float, scale: str) -> str:
    """``-0.4 pp`` on a pass-rate row, ``+0.05`` points on a score row (as precise as the figure needs)."""
    if scale == "pass_fail":
        text = f"{value * 100:+.2g}" if abs(value) < 0.01 else f"{value * 100:+.1f}"
        return f"{text} pp"
    return f"{value:+.2g}" if abs(value) < 0.1 else f"{value:+.2f}"


def below_min_effect_note(row: DiffRow, minimum: float) -> str:
    """``"significant but below the minimum effect (-0.4 pp; minimum 1 pp)"``: the row's verdict note."""
    floor = f"{minimum * 100:g} pp" if row.scale == "pass_fail" else f"{minimum:g} points"
    return f"significant but below the minimum effect ({_effect_text(row.difference, row.scale)}; minimum {floor})"


def _verdict(n_cases: int, difference: float | None, adjusted: float | None, alpha: float) -> str:
    if not n_cases:
        return "not measured"  # nothing was tested: never read as "no change"
    if adjusted is None or difference is None or adjusted >= alpha or difference == 0:
        return "no detectable change"
    return "improved" if difference > 0 else "regressed"


NOT_MEASURED = "not measured: no case was graded on both sides"
TOO_FEW = "too few cases to detect any change"


def _p_text(p: float) -> str:
    return "<0.0001" if p < 1e-4 else f"{p:.2g}"  # as the tables print p (harness.report.diff_cells.fmt_p)


def undetectable(row: DiffRow) -> bool:
    """True when not even the largest difference the scale allows is detectable at the row's n (the MDE
    prints "none at this n")."""
    return row.mde is not None and row.mde > largest_difference(row.scale) + 1e-9


def verdict_note(row: DiffRow, family: int, alpha: float, outside: bool = False) -> str | None:
    """Why a row without a verdict has none, when it looked changed or could not have shown a change.

    ``"not significant after correcting for 16 comparisons (p 0.012 before)"`` when p before correction is
    below ``alpha``; :data:`TOO_FEW` when the row has too few cases for any change to be called (its MDE is
    "none at this n"); ``"not significant, even before correcting for 16 comparisons (p 0.07)"`` when only
    the bootstrap interval excludes 0. ``None`` for a row with a verdict or no sign of change;
    :data:`NOT_MEASURED` for a row without a case.
    """
    if row.n_cases == 0:
        return NOT_MEASURED
    if row.verdict != "no detectable change":
        return None
    changed = row.p_value is not None and bool(row.difference)
    comparisons = f"{family} comparison{'s' if family != 1 else ''}"
    if changed and row.p_value < alpha and outside and family > 1:
        # Tarone: the row could not reach the family's level whichever way its cases went, so it is not in the
        # family and reads 1; "after correcting" would read as if it had been tested there and failed.
        return (f"not significant: p {_p_text(row.p_value)} before correcting, but too few changed cases to reach "
                f"α/{family} (reads 1)")
    if changed and row.p_value < alpha:
        return f"not significant after correcting for {comparisons} (p {_p_text(row.p_value)} before)"
    if undetectable(row):
        return TOO_FEW
    off_zero = row.ci is not None and (row.ci.lo > 0 or row.ci.hi < 0)
    if changed and off_zero and row.exploratory:  # no correction to speak of: its p is the unadjusted one
        return f"not significant (p {_p_text(row.p_value)}), though its interval excludes 0"
    if changed and off_zero:
        return f"not significant, even before correcting for {comparisons} (p {_p_text(row.p_value)})"
    return None
