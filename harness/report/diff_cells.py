"""The cells ``diff.md`` and ``diff.html`` share: one diff row as plain text, and the sentences under a pair's table.

As :mod:`harness.report.tables` does for a scorecard's summary, so both renderers show the same numbers
formatted the same way; each escapes the cells for its own medium.
"""

from __future__ import annotations

from harness.report.tables import DASH
from harness.scoring.notices import counted

DIFF_HEADER = ["measure", "A", "B", "B − A [95% CI]", "p (Holm)", "verdict", "MDE", "n", "left out"]
VERDICT_MARK = {"improved": "▲ improved", "regressed": "▼ regressed", "no detectable change": "no detectable change",
                "not measured": "not measured", "below minimum effect": "below minimum effect"}


def _is_rate(row) -> bool:
    return row.scale == "pass_fail"


PRECISE_N = 1000  # from this many cases a diff's percentages and percentage points get one decimal


def _pp_decimals(row, value: float) -> int:
    """Decimals of a percentage-point figure: one when it is below 1 pp (but not 0) or the row has
    :data:`PRECISE_N` cases or more, else none, so a non-zero interval never reads ``[+0, +0]``."""
    if getattr(row, "n_cases", 0) >= PRECISE_N or 0 < abs(value * 100) < 0.995:
        return 1
    return 0


def fmt_diff_value(row, value: float | None) -> str:
    """A side's value: a percentage for pass/fail rows (one decimal from :data:`PRECISE_N` cases), a
    2-decimal mean for scores."""
    if value is None:
        return DASH
    if _is_rate(row):
        return f"{value * 100:.{1 if getattr(row, 'n_cases', 0) >= PRECISE_N else 0}f}%"
    return f"{value:.2f}"


def fmt_signed(row, value: float) -> str:
    """A signed difference: percentage points for pass/fail rows (one decimal below 1 pp or from
    :data:`PRECISE_N` cases), score points otherwise. A value that rounds to zero reads ``+0`` (``+0.0``,
    ``+0.00``) whatever its sign: ``-0`` looked like an interval off zero."""
    text = f"{value * 100:+.{_pp_decimals(row, value)}f}" if _is_rate(row) else f"{value:+.2f}"
    return "+" + text[1:] if text.startswith("-") and not text.strip("-0.") else text


def fmt_difference(row) -> str:
    """``"-44 pp [-59, -30]"`` or ``"+0.40 [+0.10, +0.70]"``; a bootstrap interval that disagrees with the
    row's test says so (``"+0.08 [+0.02, +0.15] (interval unreliable)"``; ``DiffRow.ci_note``)."""
    from harness.compare.rows import INTERVAL_MARKS

    if row.difference is None:
        return DASH
    unit = " pp" if _is_rate(row) else ""
    ci = f" [{fmt_signed(row, row.ci.lo)}, {fmt_signed(row, row.ci.hi)}]" if row.ci else ""
    note = getattr(row, "ci_note", None)
    mark = f" ({INTERVAL_MARKS.get(note, note)})" if note and row.ci else ""
    return f"{fmt_signed(row, row.difference)}{unit}{ci}{mark}"


def fmt_p(value: float | None) -> str:
    """A p-value to two significant figures, ``<0.0001`` below that."""
    if value is None:
        return DASH
    return "<0.0001" if value < 1e-4 else f"{value:.2g}"


def fmt_p_pair(row) -> str:
    """``0.012 (0.048)``: p, then Holm-adjusted; ``0.012 (exploratory)`` on a row outside ``--primary``."""
    if row.p_value is None:
        return DASH
    return f"{fmt_p(row.p_value)} ({'exploratory' if getattr(row, 'exploratory', False) else fmt_p(row.p_holm)})"


def fmt_mde(row) -> str:
    """The minimum detectable effect, in the row's unit; ``none at this n`` when not even the largest
    difference the scale allows would be (few cases: ±600 pp is no figure to print)."""
    from harness.compare.rows import undetectable

    if row.mde is None:
        return DASH
    if undetectable(row):  # equal to the largest difference: only that one is detectable, and it prints
        return "none at this n"
    return f"±{row.mde * 100:.{_pp_decimals(row, row.mde)}f} pp" if _is_rate(row) else f"±{row.mde:.2f}"


def fmt_n(row) -> str:
    """Cases in the paired test; ``"29 / 10 threads"`` when threads are the unit (turn-level replay)."""
    units = getattr(row, "n_units", None)
    return f"{row.n_cases} / {counted(units, 'thread')}" if units is not None else str(row.n_cases)


def fmt_left_out(left_out) -> str:
    """``"2 (judge error 2)"``: cases left out of the test, by reason; n/a and unmatched apart. With several
    samples per case, the ungraded samples of cases still compared follow: ``"0; 3 samples of compared cases"``."""
    parts = [(left_out.case_error, "case error"), (left_out.judge_error, "judge error"),
             (left_out.not_applicable, "n/a"), (left_out.unmatched, "one side only"),
             (getattr(left_out, "changed", 0), "changed")]
    shown = [f"{label} {n}" for n, label in parts if n]
    total = sum(n for n, _ in parts)
    cases = f"{total} ({', '.join(shown)})" if total else "0"
    samples = getattr(left_out, "samples_a", 0) + getattr(left_out, "samples_b", 0)
    return f"{cases}; {samples} sample{'s' if samples != 1 else ''} of compared cases" if samples else cases


def fmt_verdict(row) -> str:
    """The verdict, or for a row that looked changed before the Holm correction, why it has none
    (``"not significant after correcting for 16 comparisons (p 0.012 before)"``)."""
    note = getattr(row, "verdict_note", None)
    text = note if note else VERDICT_MARK[row.verdict]
    # An exploratory row's verdict is read from its unadjusted p: a lead, never a finding.
    return f"{text} (exploratory)" if getattr(row, "exploratory", False) and row.verdict != "not measured" else text


def _rows(n: int, what: str = "row") -> str:
    return f"the 1 {what}" if n == 1 else f"the {n} {what}s"


def fmt_holm_family(comparison) -> str:
    """The sentence under a pair's table: which rows the p-values in parentheses were adjusted across (the
    rows that could be significant, Tarone's family), and, with ``--primary``, which rows are exploratory."""
    with_p = [r for r in comparison.rows if r.p_value is not None]
    if not with_p or not comparison.holm_family:
        return "No row has a p-value: no case was graded on both sides."
    exploratory = [r for r in with_p if getattr(r, "exploratory", False)]
    in_family = len(with_p) - len(exploratory)
    return _family_sentence(comparison, in_family, "primary row" if exploratory else "row") + _exploratory_sentence(
        len(exploratory))


def _family_sentence(comparison, in_family: int, what: str) -> str:
    family, tested = comparison.holm_family, getattr(comparison, "holm_tested", None)
    if tested is None:  # a diff written before the family was Tarone's: every row with a p-value
        return f"p in parentheses: Holm-adjusted across {_rows(family, what)} of this pair with a p-value."
    if not in_family:
        return "p in parentheses: no primary row of this pair has a p-value."
    if not tested:
        return (f"p in parentheses: Holm-adjusted; no {what} of this pair could be significant at this n (too few "
                f"cases changed on each, whichever way they went), so each reads 1.")
    size = (f", counted as a family of {family} (Tarone's size: the smallest K at which no more than K rows could "
            f"be significant at α/K)") if tested < family else ""
    others = in_family - tested
    other = f"the other {what} could not be, whichever way its changed cases went, and reads 1" if others == 1 else \
        f"the other {others} {what}s could not be, whichever way their changed cases went, and read 1"
    rest = f"; {other}" if others else ""
    return (f"p in parentheses: Holm-adjusted across {_rows(tested, what)} of this pair that could be "
            f"significant{size}{rest}.")


def _exploratory_sentence(count: int) -> str:
    if not count:
        return ""
    rows = "1 exploratory row" if count == 1 else f"{count} exploratory rows"
    its = "its" if count == 1 else "their"
    return (f" {rows} (not named by --primary): {its} p unadjusted and in no family, {its} verdict marked "
            f"(exploratory): a lead to check, not a finding.")


def row_label(row) -> str:
    """A diff row's name, ``"(check)"`` after a check's: a check may share its name with a criterion."""
    return row.name if row.kind == "criterion" else f"{row.name} (check)"


def diff_row_cells(row) -> list[str]:
    """One diff row as plain-text cells in :data:`DIFF_HEADER` order."""
    return [row_label(row), fmt_diff_value(row, row.value_a), fmt_diff_value(row, row.value_b), fmt_difference(row),
            fmt_p_pair(row), fmt_verdict(row), fmt_mde(row), fmt_n(row), fmt_left_out(row.left_out)]


def fmt_change(row, change) -> str:
    """A changed case: ``"c017 pass→fail"`` for pass/fail rows, ``"c017 4→2"`` for scores."""
    if _is_rate(row) and change.a in (0.0, 1.0) and change.b in (0.0, 1.0):
        return f"{change.case_id} {'pass' if change.a else 'fail'}→{'pass' if change.b else 'fail'}"
    return f"{change.case_id} {change.a:g}→{change.b:g}"
