"""``max_regression`` gates: each gated candidate against its own replies in the baseline run, by ``harness diff``.

A baseline that cannot be compared at all fails the ``baseline usable`` gate
(exit 2): the comparability guard refuses it (another rubric, judge or check
version), or no gated candidate has a case graded on both sides on a gated
measure (a nightly that compares nothing is broken, not passing). The runs are
compared on the cases both hold unchanged; a note names the cases of one run
only and those whose content changed. A gate is built for every measure of this
run a ``max_regression`` holds: one whose measure no shared case was graded on,
or the baseline lacks (a check added since it was accepted), is not measured (a
warning); so is, as not held, a ``significant_only`` gate over too few cases for
any drop to be significant, which could not have failed. A gated candidate the
baseline lacks is named in a note.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import UserError
from harness.gates.outcome import BASELINE_GATE, GateResult
from harness.gates.spec import GatesSpec, Threshold
from harness.records.store import read_manifest
from harness.scoring.notices import counted

if TYPE_CHECKING:
    from harness.compare.guard import CaseChanges

Measure = tuple[str, str]  # (kind, name): ("check", "no_contradiction"), ("criterion", "empathy")
EPSILON = 1e-9  # so a drop of exactly the largest allowed passes despite float rounding
ALPHA = 0.05  # the diff's default, which build_diff is called with here
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
    from harness.compare.guard import case_changes

    try:
        report = build_diff(baseline, run_dir)
        changes = case_changes(baseline, run_dir, read_manifest(baseline), read_manifest(run_dir))
    except UserError as exc:
        return [baseline_failed(baseline, exc.problem)], [NOT_EVALUATED]
    compared = [c for c in report.comparisons if c.candidate_b in candidates]
    names = {c.candidate_b for c in compared}
    notes = [f"max_regression gates of candidate {name} were not evaluated: the baseline {baseline} has no "
             f"replies from it" for name in candidates if name not in names]
    notice = changes.notice("the baseline", "this run")
    notes += [f"max_regression gates: {notice}"] if notice else []
    gated = gated_measures(spec, measures)
    if not any(graded_on_both_sides(c, gated) for c in compared):
        return [baseline_failed(baseline, _nothing_compared(compared, gated, changes))], notes + [NOT_EVALUATED]
    gates = [_gate(c, measure, spec, report.alpha) for c in compared for measure in gated]
    return gates, notes


def gated_measures(spec: GatesSpec, measures: list[Measure]) -> list[Measure]:
    """The ``(kind, name)`` of ``measures`` a ``max_regression`` holds (named, or covered by ``*``)."""
    return [(kind, name) for kind, name in measures
            if (threshold := spec.threshold(kind, name)) is not None and threshold.max_regression is not None]


def _gate(comparison, measure: Measure, spec: GatesSpec, alpha: float = ALPHA) -> GateResult:
    """The regression gate of ``measure`` for ``comparison``'s candidate; not measured when the baseline lacks it."""
    kind, name = measure
    row = next((r for r in comparison.rows if (r.kind, r.name) == measure), None)
    if row is None:
        return GateResult(f"max regression {kind} {name}", comparison.candidate_b, True,
                          f"not measured: the baseline has no {kind} {name} (added since it was run?): nothing "
                          f"to compare with", measured=False)
    threshold = spec.threshold(kind, name)
    return _regression(comparison.candidate_b, row, threshold, spec.significant_only, comparison.holm_family, alpha)


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


def _nothing_compared(compared: list, gated: list[Measure], changes: CaseChanges | None = None) -> str:
    held = {(row.kind, row.name) for c in compared for row in c.rows}
    if compared and not held.intersection(gated):
        return (f"has none of the measures the max_regression gates hold ({_listed(gated)}; it has: "
                f"{_listed(sorted(held)) or 'none'}): nothing was compared")
    shared = max((_shared(c) for c in compared), default=0)
    if not shared and changes is not None and changes.changed:
        return (f"every case it shares with this run changed since (same id, other content: "
                f"{_some_ids(changes.changed)}), and a changed case is not compared: nothing was compared")
    if not shared:
        return "shares no case with this run (of the candidates gated): nothing was compared"
    return (f"no case was graded on both sides (the {_count(shared, 'case')} shared ended in an error on one side or the "
            f"other): nothing was compared")


def _some_ids(ids: list[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f", … ({len(ids)} in all)" if len(ids) > shown else "")


def _listed(measures: list[Measure], shown: int = 4) -> str:
    more = ", …" if len(measures) > shown else ""
    return ", ".join(f"{kind} {name}" for kind, name in measures[:shown]) + more


def _regression(candidate: str, row, threshold: Threshold, significant_only: bool, family: int = 0,
                alpha: float = ALPHA) -> GateResult:
    label = f"max regression {row.kind} {row.name}"
    rate = row.scale == "pass_fail"
    if row.difference is None:
        return GateResult(label, candidate, True, "not measured: no case was graded on both sides", measured=False)
    drop = -row.difference
    only_significant = _significant_only(threshold, significant_only)
    if only_significant and row.verdict != "regressed" and cannot_be_significant(row, alpha):
        # Passing a gate that no outcome at this n could fail would read as evidence of no regression.
        return GateResult(label, candidate, True, _not_held_detail(row, threshold.max_regression, rate, family, alpha),
                          measured=False)
    too_large = drop > threshold.max_regression + EPSILON
    passed = not too_large or (only_significant and row.verdict != "regressed")
    detail = _regression_detail(row, drop, threshold.max_regression, rate, too_large, only_significant, family)
    cases = [c.case_id for c in row.changes if c.delta < 0] if not passed else []
    return GateResult(label, candidate, passed, detail, cases)


def fewest_significant(family: int = 1, alpha: float = ALPHA) -> int:
    """The fewest cases that, all dropping, a two-sided exact test calls significant at ``alpha / family``
    (6 at 0.05; 10 at 0.05/16, the level Holm holds the clearest of 16 rows to)."""
    from harness.compare.paired import smallest_significant_count

    return smallest_significant_count(alpha / max(family, 1))


def cannot_be_significant(row, alpha: float = ALPHA) -> bool:
    """True when the row has too few cases (threads, on replayed turns) for any drop to be called significant,
    even if every one of them dropped: a ``significant_only`` gate on it could not have failed.

    The bound is ``alpha`` itself, whatever the pair's other rows: Holm's step-down tests the row it reaches
    last at plain ``alpha``, so a row over a few cases can still be significant when every clearer row was
    (a bound at ``alpha / rows`` called gates "could not fail" that did fail)."""
    n = row.n_units or row.n_cases
    return 0 < n < fewest_significant(1, alpha)


def significance_warnings(spec: GatesSpec, n_cases: int, measures: list[Measure], alpha: float = ALPHA) -> list[str]:
    """Before a run: a line when the ``significant_only`` max_regression gates cannot fail over ``n_cases`` even
    if every case applies to every measure; empty otherwise. A measure that applies to fewer cases can be
    unholdable at a larger n: the run says so per gate."""
    held = [(kind, name) for kind, name in gated_measures(spec, measures)
            if _significant_only(spec.threshold(kind, name), spec.significant_only)]
    needed = fewest_significant(1, alpha)
    if not held or not 0 < n_cases < needed:
        return []
    over = _count(n_cases, "case")
    return [f"significant_only: no max_regression gate it covers ({_listed(held)}) can fail over {over}: a drop "
            f"is significant only with at least {needed} cases, all dropping (across {len(measures)} criteria and "
            f"checks, Holm may ask for more); add cases or set significant_only: false"]


def _significant_only(threshold: Threshold, default: bool) -> bool:
    return threshold.significant_only if threshold.significant_only is not None else default


def _not_held_detail(row, allowed: float, rate: bool, family: int, alpha: float) -> str:
    n = row.n_units or row.n_cases
    unit = "thread" if row.n_units else "case"
    holm = (f", and across the {family} rows of this pair that could reach significance Holm may ask for more"
            if family > 1 else "")
    return (f"not held: {_measured(row, rate, n, unit)}; this gate could not fail: significant_only fails only a "
            f"significant drop, and none over {_count(n, unit)} can be significant (it takes "
            f"{fewest_significant(1, alpha)} {unit}s, all dropping{holm}); to hold it, add cases or set "
            f"significant_only: false on it (largest drop allowed {_magnitude(allowed, rate)})")


def _regression_detail(row, drop: float, allowed: float, rate: bool, too_large: bool, only_significant: bool,
                       family: int = 0) -> str:
    """What was measured, then why the gate passed or failed, in words that agree with its verdict."""
    measured = _measured(row, rate, row.n_cases, "case")
    test = _test_words(row, family)
    limit = _magnitude(allowed, rate)
    if not too_large:
        within = "no drop" if drop <= EPSILON else f"a drop within the {limit} allowed"
        return f"{measured}: {within} ({test})"
    if row.verdict == "regressed":  # the test's words open with "a significant drop": said once, then its p
        p = test.removeprefix("a significant drop").removeprefix(", ")
        return f"{measured}: a significant drop, more than the {limit} allowed" + (f" ({p})" if p else "")
    if only_significant:
        return (f"{measured}: a drop of more than the {limit} allowed, but {test}; significant_only fails only a "
                f"significant drop, so it passes")
    return (f"{measured}: a drop of more than the {limit} allowed, which fails whether significant or not "
            f"(significant_only is off; {test})")


def _measured(row, rate: bool, n: int, unit: str) -> str:
    """``100.0% → 90.0%: -10.0 pp [-44.5 pp, +25.9 pp] over 10 cases``."""
    ci = f" [{_signed(row.ci.lo, rate)}, {_signed(row.ci.hi, rate)}]" if row.ci else ""
    return (f"{fmt_value(row.value_a, rate)} → {fmt_value(row.value_b, rate)}: {_signed(row.difference, rate)}{ci} "
            f"over {_count(n, unit)}")


def _test_words(row, family: int) -> str:
    """The paired test's reading of the row: ``significant, p (Holm, …) 0.001``, ``not significant, p …``,
    or the row's note (``not significant after correcting for 16 comparisons (p 0.012 before)``, the
    correction, not the data, being why), never a verdict word that could contradict the gate's."""
    across = f", across the {family} rows that could reach significance" if family > 1 else ""
    p = f", p (Holm{across}) {row.p_holm:.3g}" if row.p_holm is not None else ""
    if row.verdict in ("regressed", "improved"):
        return f"{'a significant drop' if row.verdict == 'regressed' else 'a significant rise'}{p}"
    note = row.verdict_note
    if note and note.startswith("not significant"):
        return f"{note}{p}"
    return f"not significant: {note}{p}" if note else f"not significant{p}"


def _signed(value: float, rate: bool) -> str:
    """``-10.0 pp`` on a pass rate, ``-0.40`` on a mean score; never ``-0.0``."""
    text = f"{value * 100:+.1f}" if rate else f"{value:+.2f}"
    text = "+" + text[1:] if text.startswith("-") and not text.strip("-0.") else text
    return f"{text} pp" if rate else text


def _magnitude(value: float, rate: bool) -> str:
    """A largest drop allowed, unsigned: ``5.0 pp``, ``0.30``."""
    return _signed(abs(value), rate).lstrip("+")


def _count(n: int, unit: str) -> str:
    return counted(n, unit)


def fmt_value(value: float, rate: bool) -> str:
    """A pass rate as ``87.5%``, a mean score as ``3.80``."""
    return f"{value:.1%}" if rate else f"{value:.2f}"
