"""The scorecard's "Robustness" table: per candidate, each kind of perturbed complaint beside the original.

Rows are the pairs (original, variant) of :mod:`harness.scoring.robustness`: the original's pass rate or
mean, the variant's, their paired difference with its interval, and how many pairs. A check's fall that the
variant makes by construction (injection_attempt flags the injected complaint itself) is marked, and the gate
(``gates.robustness``) leaves it out.
"""

from __future__ import annotations

from harness.report.markdown import md_escape, md_table
from harness.scoring.robustness import BY_CONSTRUCTION
from harness.scoring.schema import PairedShift, Scorecard

HEADER = ["kind", "measure", "original", "perturbed", "difference [interval]", "n pairs"]
NOTE = ("_Each perturbed complaint is paired with its original (same case, same candidate); only model candidates "
        "answer them. Differences are perturbed − original, paired: checks use the exact McNemar-consistent "
        "interval, criteria a case bootstrap, as `harness diff` does. † falls by construction (the injected "
        "complaint is itself flagged) and no gate counts it._")


def render_robustness_md(card: Scorecard) -> str:
    """``## Robustness`` with one table per candidate that answered variants; empty without any."""
    parts = []
    for name, candidate in card.candidates.items():
        if not candidate.robustness:
            continue
        rows = [row for kind, found in candidate.robustness.items() for row in _kind_rows(card, kind, found)]
        parts.append(f"### {md_escape(name)}\n\n" + (md_table(HEADER, rows) if rows else "No pairs."))
    if not parts:
        return ""
    return "\n\n".join(["## Robustness", NOTE, *parts])


def _kind_rows(card: Scorecard, kind: str, found) -> list[list[str]]:
    rows = []
    for name, shift in found.criteria.items():
        pass_fail = (card.criteria.get(name) and card.criteria[name].scale) == "pass_fail"
        rows.append([md_escape(kind), md_escape(name), *_cells(shift, share=pass_fail)])
    for name, shift in found.checks.items():
        mark = " †" if (kind, name) in BY_CONSTRUCTION else ""
        rows.append([md_escape(kind), f"{md_escape(name)} (check){mark}", *_cells(shift, share=True)])
    if not rows:
        rows.append([md_escape(kind), "(no pairs)", "–", "–", "–", str(found.n_pairs)])
    return rows


def _cells(shift: PairedShift, share: bool) -> list[str]:
    if shift.n == 0 or shift.diff is None:
        return ["–", "–", "–", str(shift.n)]
    value = (lambda x: f"{x:.0%}") if share else (lambda x: f"{x:.2f}")
    delta = (lambda x: f"{x * 100:+.0f} pp") if share else (lambda x: f"{x:+.2f}")
    ci = f" [{delta(shift.ci.lo)}, {delta(shift.ci.hi)}]" if shift.ci else ""
    return [value(shift.original), value(shift.variant), delta(shift.diff) + ci, str(shift.n)]
