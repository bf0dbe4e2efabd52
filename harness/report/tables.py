"""The summary of a scorecard as rows of plain text: one row per measure, one cell per candidate.

Markdown, terminal and HTML renderers all draw this same table, so the three
always show the same numbers formatted the same way. Cells are plain text;
each renderer escapes them for its own medium.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.scoring.schema import (CallSummary, CandidateScores, CheckSummary, CriterionSummary, Latency, MeanStat,
                                    RateStat, Scorecard)

DASH = "—"
EMPTY_CELLS = (DASH, f"{DASH} (0)")


@dataclass(frozen=True)
class Row:
    """One line of the summary: a section heading it belongs to, a label, and one cell per candidate."""

    section: str
    label: str
    cells: list[str]


def fmt_mean(stat: MeanStat) -> str:
    """``"3.80 [3.12, 4.48] (20)"``; the interval is left out where undefined; a dash when there is no value."""
    if stat.mean is None:
        return f"{DASH} (0)"
    ci = f" [{stat.ci.lo:.2f}, {stat.ci.hi:.2f}]" if stat.ci else ""
    return f"{stat.mean:.2f}{ci} ({stat.n})"


def fmt_rate(stat: RateStat) -> str:
    """``"75% [41, 93] (8)"``: pass rate with its Wilson interval in percent, and n."""
    if stat.rate is None:
        return f"{DASH} (0)"
    ci = f" [{stat.ci.lo * 100:.0f}, {stat.ci.hi * 100:.0f}]" if stat.ci else ""
    return f"{stat.rate * 100:.0f}%{ci} ({stat.n})"


def fmt_short_mean(stat: MeanStat) -> str:
    """A compact ``"3.8 (12)"`` for breakdown tables."""
    return f"{DASH} (0)" if stat.mean is None else f"{stat.mean:.1f} ({stat.n})"


def fmt_short_rate(stat: RateStat) -> str:
    """A compact ``"75% (8)"`` for breakdown tables."""
    return f"{DASH} (0)" if stat.rate is None else f"{stat.rate * 100:.0f}% ({stat.n})"


def _short_share(stat: MeanStat) -> str:
    return f"{DASH} (0)" if stat.mean is None else f"{stat.mean * 100:.0f}% ({stat.n})"


def fmt_counts(total: int, by_kind: dict[str, int]) -> str:
    """``"3 (judge_output 2, timeout 1)"``; ``"0"`` when nothing happened."""
    if not total:
        return "0"
    return f"{total} ({', '.join(f'{kind} {n}' for kind, n in by_kind.items())})"


def fmt_tokens(calls: CallSummary) -> str:
    return f"{calls.prompt_tokens:,} in / {calls.completion_tokens:,} out"


def fmt_cost(cost: float | None, unpriced: int = 0, calls: int = 1) -> str:
    """The cost of some calls, telling known-free from unknown.

    ``"$0.0300"``; ``"$0 (free)"`` when every call had a known price of 0 (a
    local model); ``"unknown (no price)"`` when no call had a known price;
    ``"≥ $0.0300 (12 records unpriced)"`` when some had none (the sum leaves
    them out); ``"— (no model calls)"`` when no call was made (recorded
    replies, no judge).
    """
    if not calls:
        return f"{DASH} (no model calls)"
    if cost is None:
        return "unknown (no price)"
    amount = "$0" if cost == 0 else f"${cost:,.4f}"
    if unpriced:
        return f"≥ {amount} ({unpriced} record{'s' if unpriced != 1 else ''} unpriced)"
    return "$0 (free)" if cost == 0 else amount


def fmt_latency(latency: Latency | None) -> str:
    """``"1.20 s / 3.40 s"`` (p50 / p90)."""
    return DASH if latency is None else f"{latency.p50:.2f} s / {latency.p90:.2f} s"


def fmt_cache(calls: CallSummary) -> str:
    return f"{calls.cache_hits} / {calls.calls}"


def _criterion_cell(summary: CriterionSummary | None, scale: str | None) -> str:
    if summary is None:
        return DASH
    # A 0/1 mean is a pass rate: show it as one, with the Wilson interval.
    cell = fmt_rate(summary.pass_rate) if scale == "pass_fail" else fmt_mean(summary.score)
    return cell + (f" · {summary.n_not_applicable} n/a" if summary.n_not_applicable else "")


def _weighted(candidate: CandidateScores, name: str) -> MeanStat | None:
    summary = candidate.criteria.get(name)
    return None if summary is None else summary.weighted_score


def _check_cell(summary: CheckSummary | None) -> str:
    if summary is None:
        return DASH
    cell = fmt_rate(summary.pass_rate)
    # A crash is counted among the n/a (the check decided nothing) but named: it is a bug to fix.
    not_applicable = summary.n_not_applicable - summary.n_crashed
    cell += f" · {not_applicable} n/a" if not_applicable else ""
    return cell + (f" · {summary.n_crashed} crashed" if summary.n_crashed else "")


def _row(card: Scorecard, section: str, label: str, cell: Callable[[CandidateScores], str]) -> Row:
    return Row(section, label, [cell(c) for c in card.candidates.values()])


def summary_rows(card: Scorecard) -> list[Row]:
    """Every summary row of ``card``, candidates in scorecard order."""
    rows = [_row(card, "Records", "records", lambda c: str(c.n_records))]
    if _sampled(card):  # with epochs a record is a case (its samples reduced): say so, and count the samples
        rows = [_row(card, "Records", "records (one per case, samples reduced)", lambda c: str(c.n_records)),
                _row(card, "Records", "samples", lambda c: str(c.epochs.n_samples if c.epochs else c.n_records))]
    for name, info in card.criteria.items():
        label = f"{name} ({'pass rate' if info.scale == 'pass_fail' else 'mean 1-5' if info.scale else 'mean'})"
        rows.append(_row(card, "Judge criteria", label, lambda c, n=name, s=info.scale: _criterion_cell(
            c.criteria.get(n), s)))
        if any(_weighted(c, name) is not None for c in card.candidates.values()):
            rows.append(_row(card, "Judge criteria", f"{name} (probability-weighted mean)",
                             lambda c, n=name: DASH if _weighted(c, n) is None else fmt_mean(_weighted(c, n))))
    for name in card.checks:
        rows.append(_row(card, "Checks", f"{name} (pass rate)", lambda c, n=name: _check_cell(c.checks.get(n))))
    rows += _error_rows(card) + _usage_rows(card)
    if any(c.apology_forms for c in card.candidates.values()):
        rows.append(_row(card, "Apology form", "apology form",
                         lambda c: ", ".join(f"{k} {n}" for k, n in c.apology_forms.items()) or DASH))
    return rows


def _sampled(card: Scorecard) -> bool:
    """Whether some candidate ran several samples (epochs) per case."""
    return any(c.epochs is not None for c in card.candidates.values())


def _sample_errors_cell(candidate: CandidateScores) -> str:
    """``"13 of 30 (server_error 13)"``: every sample that ended in a case error, of all the samples."""
    epochs = candidate.epochs
    if epochs is None:  # one sample per case: its samples are its records
        total, by_kind, of = candidate.n_case_errors, candidate.case_errors_by_kind, candidate.n_records
    else:
        total, by_kind, of = epochs.n_sample_errors, epochs.sample_errors_by_kind, epochs.n_samples
    kinds = ", ".join(f"{kind} {n}" for kind, n in by_kind.items())
    return f"{total} of {of}" + (f" ({kinds})" if total else "")


def _case_errors_cell(candidate: CandidateScores) -> str:
    return fmt_counts(candidate.n_case_errors, candidate.case_errors_by_kind)


def _error_rows(card: Scorecard) -> list[Row]:
    if _sampled(card):  # a case error is a case whose every sample errored; the samples are counted apart
        rows = [_row(card, "Errors", "case errors (every sample errored)", _case_errors_cell),
                _row(card, "Errors", "sample errors", _sample_errors_cell)]
    else:
        rows = [_row(card, "Errors", "case errors", _case_errors_cell)]
    rows.append(_row(card, "Errors", "judge errors",
                     lambda c: fmt_counts(sum(c.judge_errors_by_kind.values()), c.judge_errors_by_kind)))
    if card.checks:  # a check that crashed on a record: an error of that record's check (its reply is there)
        rows.append(_row(card, "Errors", "check errors", _check_errors_cell))
    return rows


def _check_errors_cell(candidate: CandidateScores) -> str:
    """``"2 (gold_ok 2)"``: the records each check crashed on (from the checks' counts: a scorecard written
    before ``check_errors_by_check`` existed reads the same)."""
    by_check = {name: summary.n_crashed for name, summary in candidate.checks.items() if summary.n_crashed}
    return fmt_counts(sum(by_check.values()), by_check)


def _usage_rows(card: Scorecard) -> list[Row]:
    return [
        _row(card, "Usage", "responder tokens", lambda c: fmt_tokens(c.responder)),
        _row(card, "Usage", "judge tokens", lambda c: fmt_tokens(c.judging)),
        _row(card, "Usage", "cost (responder + judge)", _cost_cell),
        _row(card, "Usage", "responder latency p50 / p90", lambda c: fmt_latency(c.responder.latency)),
        _row(card, "Usage", "cache hits (responder)", lambda c: fmt_cache(c.responder)),
        _row(card, "Usage", "cache hits (judge)", lambda c: fmt_cache(c.judging)),
    ]


def _total_cost(candidate: CandidateScores) -> float | None:
    costs = [c for c in (candidate.responder.cost_usd, candidate.judging.cost_usd) if c is not None]
    return sum(costs) if costs else None


def _cost_cell(candidate: CandidateScores) -> str:
    roles = (candidate.responder, candidate.judging)
    return fmt_cost(_total_cost(candidate), sum(r.n_unpriced for r in roles), sum(r.calls for r in roles))


def breakdown_rows(card: Scorecard, dimension: str) -> list[Row]:
    """Rows ``"<group> · <measure>"`` for ``dimension`` ("persona", "category" or "turn"), compact cells.

    Rows with no value for any candidate (a check that never applied to the
    group) are left out to keep the table short. Turns come in turn order, labelled ``turn 1``, ``turn 2``, ...
    """
    field = f"by_{dimension}"
    keys = {g for c in card.candidates.values() for g in getattr(c, field)}
    groups = sorted(keys, key=int) if dimension == "turn" else sorted(keys)
    rows = []
    for key in groups:
        parts = [getattr(c, field).get(key) for c in card.candidates.values()]
        group = f"turn {key}" if dimension == "turn" else key
        rows.append(Row(group, f"{group} · records", [str(p.n_records) if p else DASH for p in parts]))
        for name, info in card.criteria.items():
            # A pass/fail criterion's mean is its pass rate: show it as a percentage like the checks.
            fmt = _short_share if info.scale == "pass_fail" else fmt_short_mean
            rows.append(Row(group, f"{group} · {name}",
                            [fmt(p.criteria[name]) if p and name in p.criteria else DASH for p in parts]))
        for name in card.checks:
            # "(check)": a check may share its name with a criterion (acknowledgement, empathy).
            rows.append(Row(group, f"{group} · {name} (check)",
                            [fmt_short_rate(p.checks[name]) if p and name in p.checks else DASH for p in parts]))
    return [row for row in rows if any(cell not in EMPTY_CELLS for cell in row.cells)]


# --- diff rows: the cells ``diff.md`` and ``diff.html`` share ---------------------------------------

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
    return f"{row.n_cases} / {units} threads" if units is not None else str(row.n_cases)


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
