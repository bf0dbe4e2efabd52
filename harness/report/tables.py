"""The summary of a scorecard as rows of plain text: one row per measure, one cell per candidate.

Markdown, terminal and HTML renderers all draw this same table, so the three
always show the same numbers formatted the same way. Cells are plain text;
each renderer escapes them for its own medium.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.scoring.schema import (CallSummary, CandidateScores, CheckSummary, CriterionSummary, Latency, MeanStat,
                                    RateStat, Scorecard)

DASH = "—"
EMPTY_CELLS = (DASH, f"{DASH} (0)")
ALL_PASS_LABEL = "all checks and criteria pass (cases)"
NO_GROUP = "(none)"  # as harness.scoring.accumulate names the records without a persona or category


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


def fmt_short_share(stat: MeanStat) -> str:
    """A compact ``"75% (8)"`` for a pass/fail criterion's mean in breakdown tables."""
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
    """``"3 / 60"`` (cache hits / calls), then the retries among those calls when there were any:
    ``"0 / 60 · 12 retried (429: 9)"``; a run without retries reads as before."""
    cell = f"{calls.cache_hits} / {calls.calls}"
    if calls.retries or calls.rate_limited:
        limited = f" (429: {calls.rate_limited})" if calls.rate_limited else ""
        cell += f" · {calls.retries} retried{limited}"
    return cell


def fmt_deployments(calls: CallSummary) -> str:
    """``"eu 34, us 26"``: calls per deployment that answered, in name order; a dash for none."""
    return ", ".join(f"{name} {n}" for name, n in calls.deployments.items()) or DASH


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


def records_cell(candidate: CandidateScores) -> str:
    """``"20 (4 cases + 16 perturbed variants)"``: a candidate's records, the variants of an eval's ``perturb``
    counted apart (its rates are over the cases only); the bare count otherwise."""
    variants = sum(group.n_records for group in candidate.by_perturbation.values())
    if not variants:
        return str(candidate.n_records)
    return f"{candidate.n_records} ({candidate.n_records - variants} cases + {variants} perturbed variants)"


def summary_rows(card: Scorecard) -> list[Row]:
    """Every summary row of ``card``, candidates in scorecard order."""
    rows = [_row(card, "Records", "records", records_cell)]
    if _sampled(card):  # with epochs a record is a case (its samples reduced): say so, and count the samples
        rows = [_row(card, "Records", "records (one per case, samples reduced)", lambda c: str(c.n_records)),
                _row(card, "Records", "samples", lambda c: str(c.epochs.n_samples if c.epochs else c.n_records))]
    rows += _all_pass_rows(card)
    alone = set(single_case_criteria(card))
    for name, info in [(n, i) for n, i in card.criteria.items() if n not in alone]:
        label = f"{name} ({'pass rate' if info.scale == 'pass_fail' else 'mean 1-5' if info.scale else 'mean'})"
        rows.append(_row(card, "Judge criteria", label, lambda c, n=name, s=info.scale: _criterion_cell(
            c.criteria.get(n), s)))
        if any(_weighted(c, name) is not None for c in card.candidates.values()):
            rows.append(_row(card, "Judge criteria", f"{name} (probability-weighted mean)",
                             lambda c, n=name: DASH if _weighted(c, n) is None else fmt_mean(_weighted(c, n))))
    if alone:  # as the checks of single cases below: one pooled row, no interval per one-case criterion
        rows.append(_row(card, "Judge criteria", f"criteria of single cases ({len(alone)}, pooled)",
                         lambda c: pooled_criteria_cell(c, alone)))
    single = set(single_case_checks(card))
    for name in card.checks:
        if name not in single:
            rows.append(_row(card, "Checks", f"{name} (pass rate)", lambda c, n=name: _check_cell(c.checks.get(n))))
    if single:  # one row for all of them: a [21, 100] interval per one-case check reads like a finding
        rows.append(_row(card, "Checks", f"checks of single cases ({len(single)}, pooled)",
                         lambda c: pooled_cell(c, single)))
    rows += _feedback_rows(card) + _error_rows(card) + _usage_rows(card)
    if any(c.apology_forms for c in card.candidates.values()):
        rows.append(_row(card, "Apology form", "apology form",
                         lambda c: ", ".join(f"{k} {n}" for k, n in c.apology_forms.items()) or DASH))
    return rows


def _feedback_rows(card: Scorecard) -> list[Row]:
    from harness.report.feedback_md import headline_rows  # imports this module: late

    return [Row("Customer feedback", label, cells) for label, cells in headline_rows(card)]


def _all_pass_rows(card: Scorecard) -> list[Row]:
    """The headline row: cases where every check that applied and every judged criterion passed (none for a
    scorecard written before schema 5)."""
    if all(c.all_pass is None for c in card.candidates.values()):
        return []
    return [_row(card, "Records", ALL_PASS_LABEL, all_pass_cell)]


def all_pass_cell(candidate: CandidateScores) -> str:
    """``"40% [22, 61] (20) · 2 errored"``: the share of cases that passed everything, the errored counted apart."""
    if candidate.all_pass is None:
        return DASH
    errored = candidate.n_all_pass_errors
    return fmt_rate(candidate.all_pass) + (f" · {errored} errored" if errored else "")


def single_case_checks(card: Scorecard) -> list[str]:
    """The checks each candidate ran on one case at most (a case's own check, on that case only: its record
    carries it, no other does) while some check ran on more. Their pass rates have n = 1, and a Wilson interval
    of [21, 100] beside each would read like a finding: they are shown pooled instead. Measured against the
    checks' own counts, not the records': a run of one case (``--cases c001``), or one whose other cases all
    ended in errors or were perturbed variants, carries every check once, and pools none."""
    return _carried_once(card, card.checks, lambda c: c.checks, _carried)


def _carried_once(card: Scorecard, names: Iterable[str], summaries, count) -> list[str]:
    """Of ``names``, those every candidate carried on one case at most (``count`` of its summary in
    ``summaries(candidate)``), when another of them was carried on more: none when each was carried once."""
    carried = {name: [count(summaries(c).get(name)) for c in card.candidates.values()] for name in names}
    if max((max(counts, default=0) for counts in carried.values()), default=0) < 2:
        return []
    return [name for name, counts in carried.items() if max(counts, default=0) == 1]


def _carried(summary: CheckSummary | None) -> int:
    return 0 if summary is None else summary.pass_rate.n + summary.n_not_applicable


def pooled_cell(candidate: CandidateScores, names: Iterable[str]) -> str:
    """``"7 of 9 passed · 1 n/a"``: every result of the ``names`` checks together, with no interval (the
    results are of different checks, several on one case: not a sample of one thing)."""
    return _pooled([candidate.checks[name] for name in names if name in candidate.checks], errored=0)


def _pooled(found: list, errored: int) -> str:
    """The pooled results of ``found`` summaries: passed of judged, then the n/a and the errored, if any."""
    if not found:
        return DASH
    passed, n = sum(s.pass_rate.passed for s in found), sum(s.pass_rate.n for s in found)
    idle = sum(s.n_not_applicable for s in found)
    return (f"{passed} of {n} passed" + (f" · {idle} n/a" if idle else "")
            + (f" · {errored} errored" if errored else ""))


def verdict_word(summary: CheckSummary | None) -> str:
    """One case's verdict of a check as a word: pass, fail, n/a, crashed (a dash: not run for this candidate)."""
    if summary is None or _carried(summary) == 0:
        return DASH
    if summary.pass_rate.n:
        return "pass" if summary.pass_rate.passed else "fail"
    return "crashed" if summary.n_crashed else "n/a"


def single_case_rows(card: Scorecard) -> list[Row]:
    """One row per check of a single case, then per judge criterion of one (``name (criterion)``), its verdict per
    candidate as a word (the block under the summary)."""
    return [_row(card, "Checks of single cases", name, lambda c, n=name: verdict_word(c.checks.get(n)))
            for name in single_case_checks(card)] + \
        [_row(card, "Checks of single cases", f"{name} (criterion)", lambda c, n=name: criterion_word(c.criteria.get(n)))
         for name in single_case_criteria(card)]


def single_case_criteria(card: Scorecard) -> list[str]:
    """The judge criteria each candidate judged on one case at most (a case's own criterion: its record carries
    it, no other does; a rubric criterion is in every record, n/a where it does not apply), when some candidate
    has more than one record: pooled as :func:`single_case_checks` are. A criterion several cases share keeps
    its row. As for the checks, a run where every criterion was judged on one case (``--cases c001``) pools none."""
    return _carried_once(card, card.criteria, lambda c: c.criteria, _judged)


def _judged(summary: CriterionSummary | None) -> int:
    return 0 if summary is None else summary.pass_rate.n + summary.n_not_applicable + summary.n_errors


def pooled_criteria_cell(candidate: CandidateScores, names: Iterable[str]) -> str:
    """``"3 of 4 passed · 1 errored"``: every verdict of the ``names`` criteria together (a 1-5 one passing at
    its threshold), with no interval."""
    found = [candidate.criteria[name] for name in names if name in candidate.criteria]
    return _pooled(found, errored=sum(s.n_errors for s in found))


def criterion_word(summary: CriterionSummary | None) -> str:
    """One case's verdict on a criterion as a word: pass, fail, n/a, error (a dash: not judged for this candidate)."""
    if summary is None or _judged(summary) == 0:
        return DASH
    if summary.pass_rate.n:
        return "pass" if summary.pass_rate.passed else "fail"
    return "error" if summary.n_errors else "n/a"


SINGLE_CASE_NOTE = ("Checks and judge criteria that only one case carries (a case's own): each has one verdict per "
                    "candidate, so no pass rate or interval is shown; the summary's pooled rows count them all "
                    "together.")


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
    ] + _deployment_rows(card)


def _deployment_rows(card: Scorecard) -> list[Row]:
    """Calls per deployment, for each role whose model is spread over deployments (no row otherwise)."""
    rows = []
    for role, label in (("responder", "responder"), ("judging", "judge")):
        if any(getattr(c, role).deployments for c in card.candidates.values()):
            rows.append(_row(card, "Usage", f"calls by deployment ({label})",
                             lambda c, role=role: fmt_deployments(getattr(c, role))))
    return rows


def _total_cost(candidate: CandidateScores) -> float | None:
    costs = [c for c in (candidate.responder.cost_usd, candidate.judging.cost_usd) if c is not None]
    return sum(costs) if costs else None


def _cost_cell(candidate: CandidateScores) -> str:
    roles = (candidate.responder, candidate.judging)
    return fmt_cost(_total_cost(candidate), sum(r.n_unpriced for r in roles), sum(r.calls for r in roles))
