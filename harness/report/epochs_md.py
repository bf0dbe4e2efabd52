"""The scorecard's "Consistency across epochs" section, for candidates that ran several samples per case.

One table per such candidate: per criterion and check, the reducer's value
over cases (with its interval), pass^k for each k, and the share of cases
whose samples all agreed.
"""

from __future__ import annotations

from harness.report.markdown import md_escape, md_table


def render_epochs(card) -> str:
    """Markdown for every candidate with an epoch summary; empty when none ran more than one epoch."""
    parts = [_candidate(name, scores.epochs) for name, scores in card.candidates.items() if scores.epochs]
    if not parts:
        return ""
    note = ("_Figures above count one record per case: a case's samples are reduced first (scores by the reducer, "
            "passes by majority vote). pass^k is τ-bench's: the mean over cases of C(c,k)/C(n,k)._")
    return "\n\n".join(["### Consistency across epochs", *parts, note])


def _candidate(name: str, summary) -> str:
    ks = [str(k) for k in range(1, summary.epochs + 1)]
    header = ["measure", f"{summary.reducer} [95% CI]", *[f"pass^{k}" for k in ks], "all samples agree"]
    rows = [_row(f"{n}", s, ks) for n, s in summary.criteria.items()]
    rows += [_row(f"{n} (check)", s, ks) for n, s in summary.checks.items()]
    title = f"**{md_escape(name)}**: {summary.epochs} epochs, {summary.n_cases} cases, reducer `{summary.reducer}`"
    return f"{title}\n\n{md_table(header, rows)}"


def _row(label: str, stat, ks: list[str]) -> list[str]:
    reduced = stat.reduced
    value = "—" if reduced.mean is None else f"{reduced.mean:.0%}"
    if reduced.ci is not None:
        value += f" [{reduced.ci.lo:.0%}, {reduced.ci.hi:.0%}]"
    passes = [f"{stat.pass_hat_k[k]:.0%}" if k in stat.pass_hat_k else "—" for k in ks]
    agree = "—" if stat.consistency is None else f"{stat.consistency:.0%}"
    return [md_escape(label), value, *passes, agree]
