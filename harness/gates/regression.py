"""``max_regression`` gates: each gated candidate against its own replies in the baseline run, by ``harness diff``.

A baseline that cannot be compared at all fails the ``baseline usable`` gate
(exit 2): the comparability guard refuses it (another dataset, rubric, judge
or check version), or no gated candidate has a case graded on both sides (a
nightly that compares nothing is broken, not passing). A gate whose measure
no shared case was graded on is not measured (a warning); a gated candidate
the baseline lacks is named in a note.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import UserError
from harness.gates.outcome import BASELINE_GATE, GateResult
from harness.gates.spec import GatesSpec, Threshold

EPSILON = 1e-9  # so a drop of exactly the largest allowed passes despite float rounding
NOT_EVALUATED = ("max_regression gates were not evaluated: the baseline could not be used "
                 "(see the gate 'baseline usable')")


def regression_gates(spec: GatesSpec, baseline: Path, run_dir: Path,
                     candidates: list[str]) -> tuple[list[GateResult], list[str]]:
    """One gate per gated candidate × criterion or check with a ``max_regression``, from the paired diff;
    and the notes on what could not be compared."""
    from harness.compare import build_diff

    try:
        report = build_diff(baseline, run_dir)
    except UserError as exc:
        return [baseline_failed(baseline, exc.problem)], [NOT_EVALUATED]
    compared = [c for c in report.comparisons if c.candidate_b in candidates]
    names = {c.candidate_b for c in compared}
    notes = [f"max_regression gates of candidate {name} were not evaluated: the baseline {baseline} has no "
             f"replies from it" for name in candidates if name not in names]
    if not any(graded_on_both_sides(c) for c in compared):
        return [baseline_failed(baseline, _nothing_compared(compared))], notes + [NOT_EVALUATED]
    gates = [_regression(c.candidate_b, row, threshold, spec.significant_only, c.holm_family)
             for c in compared for row in c.rows
             if (threshold := spec.threshold(row.kind, row.name)) is not None and threshold.max_regression is not None]
    return gates, notes


def baseline_failed(baseline: Path | str, problem: str) -> GateResult:
    """The failed ``baseline usable`` gate (exit code 2): ``problem`` says why the baseline could not be used."""
    return GateResult(BASELINE_GATE, None, False, f"{baseline}: {problem}")


def graded_on_both_sides(comparison) -> int:
    """How many cases some criterion or check of ``comparison`` was graded on in both runs (n/a included)."""
    return max((row.n_cases + row.left_out.not_applicable for row in comparison.rows), default=0)


def _shared(comparison) -> int:
    """How many cases both runs hold for ``comparison``, graded or not."""
    return max((row.n_cases + row.left_out.errors + row.left_out.not_applicable for row in comparison.rows),
               default=0)


def _nothing_compared(compared: list) -> str:
    shared = max((_shared(c) for c in compared), default=0)
    if not shared:
        return "shares no case with this run (of the candidates gated): nothing was compared"
    return (f"no case was graded on both sides (the {shared} cases shared ended in an error on one side or the "
            f"other): nothing was compared")


def _regression(candidate: str, row, threshold: Threshold, significant_only: bool, family: int = 0) -> GateResult:
    label = f"max regression {row.kind} {row.name}"
    rate = row.scale == "pass_fail"
    if row.difference is None:
        return GateResult(label, candidate, True, "not measured: no case was graded on both sides", measured=False)
    drop = -row.difference
    only_significant = threshold.significant_only if threshold.significant_only is not None else significant_only
    significant = row.verdict == "regressed"
    too_large = drop > threshold.max_regression + EPSILON
    passed = not too_large or (only_significant and not significant)
    detail = _regression_detail(row, drop, threshold.max_regression, rate, too_large, only_significant, family)
    cases = [c.case_id for c in row.changes if c.delta < 0] if not passed else []
    return GateResult(label, candidate, passed, detail, cases)


def _regression_detail(row, drop: float, allowed: float, rate: bool, too_large: bool, only_significant: bool,
                       family: int = 0) -> str:
    unit = (lambda v: f"{v * 100:+.1f} pp") if rate else (lambda v: f"{v:+.2f}")
    ci = f" [{unit(row.ci.lo)}, {unit(row.ci.hi)}]" if row.ci else ""
    across = f", across this pair's {family} rows" if family > 1 else ""
    p = f", p (Holm{across}) {row.p_holm:.3g}" if row.p_holm is not None else ""
    # The note says when the correction, not the data, is why a change is not called significant.
    verdict = row.verdict_note or row.verdict
    text = (f"{fmt_value(row.value_a, rate)} → {fmt_value(row.value_b, rate)}: {unit(row.difference)}{ci} over "
            f"{row.n_cases} cases{p}, {verdict}; largest drop allowed {unit(-allowed)}")
    if too_large and only_significant and row.verdict != "regressed":
        text += " (not significant, so allowed)"
    return text


def fmt_value(value: float, rate: bool) -> str:
    """A pass rate as ``87.5%``, a mean score as ``3.80``."""
    return f"{value:.1%}" if rate else f"{value:.2f}"
