"""The scorecard's "Consistency across epochs" section, for candidates that ran several samples per case.

One table per such candidate: per criterion and check, the reducer's value
over cases (with its interval), pass^k for each k, the share of cases whose
samples all agreed, and how many cases those two count (the cases with every
sample graded); its title says how many samples ended in an error.
"""

from __future__ import annotations

from harness.report.markdown import md_code, md_escape, md_table
from harness.scoring.notices import counted


def render_epochs(card) -> str:
    """Markdown for every candidate with an epoch summary; empty when none ran more than one epoch."""
    parts = [_candidate(name, scores.epochs) for name, scores in card.candidates.items() if scores.epochs]
    if not parts:
        return ""
    note = ("_Figures above count one record per case: a case's samples are reduced first (scores by the reducer, "
            "passes by majority vote), errored samples left out. pass^k is τ-bench's: the mean over cases of "
            "C(c,k)/C(n,k). pass^k and agreement count only the cases with every sample graded (the last column), "
            "so every k counts the same cases; a case with an errored, unjudged or n/a sample is left out of "
            "them but counted in the reducer's column._")
    return "\n\n".join(["### Consistency across epochs", *parts, note])


def _candidate(name: str, summary) -> str:
    ks = [str(k) for k in range(1, summary.epochs + 1)]
    header = ["measure", f"{summary.reducer} [95% CI]", *[f"pass^{k}" for k in ks], "all samples agree",
              f"cases with all {summary.epochs} samples graded"]
    rows = [_row(f"{n}", s, ks) for n, s in summary.criteria.items()]
    rows += [_row(f"{n} (check)", s, ks) for n, s in summary.checks.items()]
    title = (f"**{md_escape(name)}**: {summary.epochs} epochs, {counted(summary.n_cases, 'case')}, {_samples(summary)}, "
             f"reducer {md_code(summary.reducer)}")
    return f"{title}\n\n{md_table(header, rows)}"


def _samples(summary) -> str:
    """``"30 samples, 13 errored (server_error 13)"``, or ``"30 samples, none errored"``."""
    if not summary.n_sample_errors:
        return f"{summary.n_samples} samples, none errored"
    kinds = ", ".join(f"{kind} {n}" for kind, n in summary.sample_errors_by_kind.items())
    return f"{summary.n_samples} samples, {summary.n_sample_errors} errored ({kinds})"


def _row(label: str, stat, ks: list[str]) -> list[str]:
    reduced = stat.reduced
    value = "—" if reduced.mean is None else f"{reduced.mean:.0%}"
    if reduced.ci is not None:
        value += f" [{reduced.ci.lo:.0%}, {reduced.ci.hi:.0%}]"
    passes = [f"{stat.pass_hat_k[k]:.0%}" if k in stat.pass_hat_k else "—" for k in ks]
    agree = "—" if stat.consistency is None else f"{stat.consistency:.0%}"
    return [md_escape(label), value, *passes, agree, f"{stat.n_complete} of {stat.n_cases}"]
