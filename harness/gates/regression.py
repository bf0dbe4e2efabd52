"""``max_regression`` gates: each gated candidate against its own replies in the baseline run, by ``harness diff``.

A baseline that cannot be compared at all fails the ``baseline usable`` gate
(exit 2): the comparability guard refuses it (another dataset, rubric, judge
or check version), or no gated candidate has a case graded on both sides on
a gated measure (a nightly that compares nothing is broken, not passing). A
gate is built for every measure of this run a ``max_regression`` holds: one
whose measure no shared case was graded on, or the baseline lacks (a check
added since it was accepted), is not measured (a warning); a gated candidate
the baseline lacks is named in a note.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import UserError
from harness.gates.outcome import BASELINE_GATE, GateResult
from harness.gates.spec import GatesSpec, Threshold

Measure = tuple[str, str]  # (kind, name): ("check", "no_contradiction"), ("criterion", "empathy")
EPSILON = 1e-9  # so a drop of exactly the largest allowed passes despite float rounding
NOT_EVALUATED = ("max_regression gates were not evaluated: the baseline could not be used "
                 "(see the gate 'baseline usable')")


def regression_gates(spec: GatesSpec, baseline: Path, run_dir: Path, candidates: list[str],
                     measures: list[Measure]) -> tuple[list[GateResult], list[str]]:
    """One gate per gated candidate × criterion or check of this run (``measures``) with a ``max_regression``,
    from the paired diff; and the notes on what could not be compared.

    A gated measure the baseline lacks (a check added since it was accepted) is not measured; a baseline
    sharing no gated measure graded on both sides fails the ``baseline usable`` gate.
    """
    from harness.compare import build_diff

    try:
        report = build_diff(baseline, run_dir)
    except UserError as exc:
        return [baseline_failed(baseline, exc.problem)], [NOT_EVALUATED]
    compared = [c for c in report.comparisons if c.candidate_b in candidates]
    names = {c.candidate_b for c in compared}
    notes = [f"max_regression gates of candidate {name} were not evaluated: the baseline {baseline} has no "
             f"replies from it" for name in candidates if name not in names]
    gated = gated_measures(spec, measures)
    if not any(graded_on_both_sides(c, gated) for c in compared):
        return [baseline_failed(baseline, _nothing_compared(compared, gated))], notes + [NOT_EVALUATED]
    gates = [_gate(c, measure, spec) for c in compared for measure in gated]
    return gates, notes


def gated_measures(spec: GatesSpec, measures: list[Measure]) -> list[Measure]:
    """The ``(kind, name)`` of ``measures`` a ``max_regression`` holds (named, or covered by ``*``)."""
    return [(kind, name) for kind, name in measures
            if (threshold := spec.threshold(kind, name)) is not None and threshold.max_regression is not None]


def _gate(comparison, measure: Measure, spec: GatesSpec) -> GateResult:
    """The regression gate of ``measure`` for ``comparison``'s candidate; not measured when the baseline lacks it."""
    kind, name = measure
    row = next((r for r in comparison.rows if (r.kind, r.name) == measure), None)
    if row is None:
        return GateResult(f"max regression {kind} {name}", comparison.candidate_b, True,
                          f"not measured: the baseline has no {kind} {name} (added since it was run?): nothing "
                          f"to compare with", measured=False)
    threshold = spec.threshold(kind, name)
    return _regression(comparison.candidate_b, row, threshold, spec.significant_only, comparison.holm_family)


def baseline_failed(baseline: Path | str, problem: str) -> GateResult:
    """The failed ``baseline usable`` gate (exit code 2): ``problem`` says why the baseline could not be used."""
    return GateResult(BASELINE_GATE, None, False, f"{baseline}: {problem}")


def graded_on_both_sides(comparison, gated: list[Measure]) -> int:
    """How many cases some ``gated`` criterion or check of ``comparison`` was graded on in both runs (n/a
    included); a measure no gate holds does not make the baseline usable."""
    return max((row.n_cases + row.left_out.not_applicable for row in comparison.rows
                if (row.kind, row.name) in gated), default=0)


def _shared(comparison) -> int:
    """How many cases both runs hold for ``comparison``, graded or not."""
    return max((row.n_cases + row.left_out.errors + row.left_out.not_applicable for row in comparison.rows),
               default=0)


def _nothing_compared(compared: list, gated: list[Measure]) -> str:
    held = {(row.kind, row.name) for c in compared for row in c.rows}
    if compared and not held.intersection(gated):
        return (f"has none of the measures the max_regression gates hold ({_listed(gated)}; it has: "
                f"{_listed(sorted(held)) or 'none'}): nothing was compared")
    shared = max((_shared(c) for c in compared), default=0)
    if not shared:
        return "shares no case with this run (of the candidates gated): nothing was compared"
    return (f"no case was graded on both sides (the {shared} cases shared ended in an error on one side or the "
            f"other): nothing was compared")


def _listed(measures: list[Measure], shown: int = 4) -> str:
    more = ", …" if len(measures) > shown else ""
    return ", ".join(f"{kind} {name}" for kind, name in measures[:shown]) + more


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
    def unit(value: float) -> str:
        text = f"{value * 100:+.1f}" if rate else f"{value:+.2f}"
        text = "+" + text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.0"
        return f"{text} pp" if rate else text

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
