"""scorecard.md's "Customer feedback" section; the rows here are report.html's too (:mod:`.feedback_html`).

Per candidate whose replies the feedback rates, per key: a summary table (mean with its interval and the
distribution, or each value's share), then one row per check and criterion: the feedback of the replies that
passed it, of those that failed it, the difference with its interval, the AUC, and in words which way it
reads. A measure that never passed or never failed has nothing to compare and is named in one line under the
table, not given a row of dashes.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.scoring.feedback_schema import CandidateFeedback, FeedbackAgreement, FeedbackKeyResult, FeedbackSummary
from harness.scoring.schema import Interval, Scorecard

DASH = "—"
HEADER = ["check / criterion", "passed", "failed", "difference (passed − failed)", "AUC", "reads"]


def note(min_per_side: int) -> str:
    return ("What customers said of the conversations (the eval's feedback keys), set against each check and judge "
            "criterion: did the replies that passed draw better feedback than those that failed? The difference "
            "is passed − failed, with a Welch t interval for a score's mean, Newcombe's score interval for a "
            "share; the AUC is the chance that a reply which passed drew better feedback than one which failed "
            f"(ties half; 0.5: the check says nothing of it), with DeLong's interval (at 0 or 1, where it has "
            f"none, a score-type interval). Values told apart only by case or spaces are counted as one. Under "
            f"{min_per_side} "
            "replies on a side nothing is compared. With a dozen checks, about one interval in twenty leaves out "
            "zero by chance alone: read a lone one as a lead, not a finding.")


@dataclass
class AgreementRow:
    label: str
    cells: list[str]
    strong: bool = False  # the difference's interval leaves out zero


def summary_rows(summary: FeedbackSummary) -> list[tuple[str, str]]:
    """``(label, value)`` lines describing one key over a candidate's cases."""
    if summary.kind == "number":
        rows = [("mean", _mean(summary))]
        if summary.distribution:
            rows.append(("distribution", " · ".join(f"{value}: {n}" for value, n in summary.distribution.items())))
    else:
        rows = [(f"share {value}", _share(stat.passed, stat.n, stat.ci)) for value, stat in summary.shares.items()]
        rows += _folding_rows(summary)
    rows.append(("missing", _missing(summary)))
    return rows


def _folding_rows(summary: FeedbackSummary) -> list[tuple[str, str]]:
    # Said beside the shares: a share that merged spellings, or left out a look-alike, is read differently.
    rows = []
    if summary.folded:
        rows.append(("counted as one (case, spaces)", " · ".join(
            f"{value}: {', '.join(ways)}" for value, ways in summary.folded.items())))
    if summary.look_alike:
        rows.append(("counted apart, look alike", " · ".join(
            ", ".join(group) for group in summary.look_alike) + " (one answer written differently? not merged)"))
    return rows


def _mean(summary: FeedbackSummary) -> str:
    stat = summary.mean
    if stat is None or stat.mean is None:
        return f"{DASH} (0)"
    ci = f" [{stat.ci.lo:.2f}, {stat.ci.hi:.2f}]" if stat.ci else ""
    return f"{stat.mean:.2f}{ci} ({stat.n})"


def _share(k: int, n: int, ci: Interval | None) -> str:
    if not n:
        return f"{DASH} (0)"
    bounds = f" [{ci.lo * 100:.0f}, {ci.hi * 100:.0f}]" if ci else ""
    return f"{k / n * 100:.0f}%{bounds} ({k} of {n})"


def _missing(summary: FeedbackSummary) -> str:
    odd = sum(len(ids) for ids in summary.not_numeric.values())
    if not summary.n_missing:
        return "0"
    if not odd:
        return f"{summary.n_missing} (no value)"
    listed = "; ".join(f"{value!r}: {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}"
                       for value, ids in summary.not_numeric.items())
    return f"{summary.n_missing} ({summary.n_missing - odd} no value, {odd} not a number: {listed})"


def agreement_rows(result: FeedbackKeyResult, clashing: set[str],
                   min_per_side: int) -> tuple[list[AgreementRow], list[str]]:
    """The rows of the measures with replies on both sides, and the words for those without."""
    share = result.summary.kind == "category"
    rows, idle = [], []
    for item in result.agreement:
        label = _label(item, clashing)
        if not item.n_passed or not item.n_failed:
            idle.append(f"{label} ({'never failed' if not item.n_failed else 'never passed'})")
            continue
        rows.append(_row(item, label, share, min_per_side))
    return rows, idle


def _label(item: FeedbackAgreement, clashing: set[str]) -> str:
    # A criterion and a check may share a name: the check's row says so, as harness diff writes it.
    return f"{item.measure} (check)" if item.kind == "check" and item.measure in clashing else item.measure


def _row(item: FeedbackAgreement, label: str, share: bool, min_per_side: int) -> AgreementRow:
    side = (lambda v, n: f"{v * 100:.0f}% ({n})") if share else (lambda v, n: f"{v:.2f} ({n})")
    cells = [side(item.passed, item.n_passed), side(item.failed, item.n_failed)]
    if item.too_few:
        return AgreementRow(label, cells + [f"too few to say (under {min_per_side} a side)", DASH, DASH])
    reads = _reads(item)
    cells += [_difference(item.difference, item.difference_ci, share), _auc(item), reads]
    return AgreementRow(label, cells, reads.startswith(("higher", "lower")))


def _difference(value: float | None, ci: Interval | None, share: bool) -> str:
    if value is None:
        return DASH
    if share:
        bounds = f" [{ci.lo * 100:+.0f}, {ci.hi * 100:+.0f}]" if ci else ""
        return f"{value * 100:+.0f} pts{bounds}"
    bounds = f" [{ci.lo:+.2f}, {ci.hi:+.2f}]" if ci else ""
    return f"{value:+.2f}{bounds}"


def _auc(item: FeedbackAgreement) -> str:
    if item.auc is None:
        return DASH
    n = item.n_passed + item.n_failed
    if item.auc_ci is None:
        # A scorecard made before the score-type interval has none at 0 or 1; all ties (0.5) have none at all.
        why = {0.0: "perfect separation", 1.0: "perfect separation", 0.5: "every reply drew the same feedback"}
        return f"{item.auc:.2f} ({n}; no interval: {why[item.auc]})" if item.auc in why else f"{item.auc:.2f} ({n})"
    return f"{item.auc:.2f} [{item.auc_ci.lo:.2f}, {item.auc_ci.hi:.2f}] ({n})"


def _reads(item: FeedbackAgreement) -> str:
    """The difference's interval in words; where it has none (each side drew one value, so Welch's t is
    undefined) the AUC's interval says it, against 0.5."""
    ci = item.difference_ci
    if ci is not None:
        return "higher when passed" if ci.lo > 0 else "lower when passed" if ci.hi < 0 else "no clear difference"
    auc = item.auc_ci
    if auc is None:
        return "no interval"
    if auc.lo > 0.5:
        return "higher when passed (by the AUC)"
    return "lower when passed (by the AUC)" if auc.hi < 0.5 else "no clear difference"


def clashing_names(card: Scorecard) -> set[str]:
    return set(card.criteria) & set(card.checks)


def key_title(result: FeedbackKeyResult) -> str:
    if result.summary.kind == "category":
        return f"{result.field}: share {result.summary.counted_value}"
    return f"{result.field}: mean"


def candidate_line(name: str, candidate: CandidateFeedback) -> str:
    unit = "conversations (threads: a thread passes a check when every turn it applied to passed)" \
        if candidate.unit == "thread" else "cases"
    return f"{name}: {candidate.n_units} {unit}"


def render_feedback_md(card: Scorecard) -> str:
    """The section, "" when the eval names no feedback keys."""
    from harness.report.markdown import md_escape, md_table  # imports this module's package: late

    section = card.feedback
    if section is None:
        return ""
    parts = ["### Customer feedback", f"_{md_escape(note(section.min_per_side))}_"]
    clashing = clashing_names(card)
    for name, candidate in section.candidates.items():
        parts.append(f"**{md_escape(candidate_line(name, candidate))}**")
        for result in candidate.keys:
            parts.append(md_table([result.key, "value"], [list(row) for row in summary_rows(result.summary)]))
            rows, idle = agreement_rows(result, clashing, section.min_per_side)
            if rows:
                header = [f"{HEADER[0]} ({key_title(result)})", *HEADER[1:]]
                parts.append(md_table(header, [[row.label, *row.cells] for row in rows]))
            if idle:
                parts.append(f"_Nothing to compare: {md_escape(', '.join(idle))}._")
    for name, why in section.left_out.items():
        parts.append(f"_{md_escape(name)} left out: {md_escape(why)}._")
    if not section.candidates and not section.left_out:
        parts.append("_No graded records._")
    return "\n\n".join(parts)


def headline_rows(card: Scorecard) -> list[tuple[str, list[str]]]:
    """The summary table's lines for each key, a cell per candidate: the key's mean (or counted value's share),
    then the check or criterion whose passing says most of it (its AUC). Dashes for a candidate left out."""
    section = card.feedback
    if section is None:
        return []
    rows = []
    for key in section.keys:
        figures, closest = [], []
        for name in card.candidates:
            result = _key_result(section.candidates.get(name), key)
            figures.append(DASH if result is None else _figure(result.summary))
            closest.append(DASH if result is None else _closest(result))
        rows += [(key, figures), (f"{key}: strongest link (AUC, 0.5 none)", closest)]
    return rows


def _key_result(candidate: CandidateFeedback | None, key: str) -> FeedbackKeyResult | None:
    return next((r for r in candidate.keys if r.key == key), None) if candidate is not None else None


def _figure(summary: FeedbackSummary) -> str:
    from harness.report.tables import fmt_mean, fmt_rate  # imports this module: late

    if summary.kind == "number":
        return fmt_mean(summary.mean) if summary.mean is not None else DASH
    share = summary.shares.get(summary.counted_value or "")
    return f"{summary.counted_value} {fmt_rate(share)}" if share is not None else DASH


def _closest(result: FeedbackKeyResult) -> str:
    # agreement is ordered: those compared first, by how far their AUC is from 0.5.
    item = next((a for a in result.agreement if a.auc is not None), None)
    return DASH if item is None else f"{item.measure} {_auc(item)}"
