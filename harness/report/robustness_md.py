"""The scorecard's "Robustness" table: per candidate, each kind of perturbed complaint beside the original.

One row per check or criterion, one column per kind of perturbation: each cell is the original's pass rate
or mean over that kind's pairs (original, variant) (:mod:`harness.scoring.robustness`), the variant's, their
paired difference with its interval, and how many pairs; a difference whose interval leaves out zero is in
bold. A check's fall that the variant makes by construction (injection_attempt flags the injected complaint
itself) is marked, and the gate (``gates.robustness``) leaves it out.
"""

from __future__ import annotations

from harness.report.markdown import Markup, md_escape, md_table
from harness.scoring.robustness import BY_CONSTRUCTION
from harness.scoring.schema import PairedShift, Scorecard

NOTE = ("_Each perturbed complaint is paired with its original (same case, same candidate); only model candidates "
        "answer them. A cell reads original → perturbed, then the paired difference (perturbed − original) with "
        "its 95% interval and the number of pairs; **bold** where the interval leaves out zero. Checks use the "
        "exact McNemar-consistent interval, criteria a case bootstrap, as `harness diff` does. † falls by "
        "construction (the injected complaint is itself flagged) and no gate counts it._")


def render_robustness_md(card: Scorecard) -> str:
    """``## Robustness`` with one table per candidate that answered variants; empty without any."""
    parts = []
    for name, candidate in card.candidates.items():
        if not candidate.robustness:
            continue
        kinds = list(candidate.robustness)
        rows = _rows(card, candidate.robustness)
        table = md_table(["measure", *(md_escape(kind) for kind in kinds)], rows) if rows else "No pairs."
        parts.append(f"### {md_escape(name)}\n\n{table}")
    if not parts:
        return ""
    return "\n\n".join(["## Robustness", NOTE, *parts])


def measure_rows(card: Scorecard, robustness: dict) -> list[tuple[str, list[tuple[PairedShift | None, bool, bool]]]]:
    """``(label, cells)`` per criterion, then per check, in the order the kinds list them; a cell is ``(shift,
    share, by construction)``. A measure without a pair under any kind is left out. Markdown and report.html
    draw the same rows."""
    kinds = list(robustness)
    criteria = list(dict.fromkeys(name for found in robustness.values() for name in found.criteria))
    checks = list(dict.fromkeys(name for found in robustness.values() for name in found.checks))
    rows = []
    for name in criteria:
        share = (card.criteria.get(name) and card.criteria[name].scale) == "pass_fail"
        rows.append((name, [(robustness[kind].criteria.get(name), share, False) for kind in kinds]))
    for name in checks:
        rows.append((f"{name} (check)", [(robustness[kind].checks.get(name), True, (kind, name) in BY_CONSTRUCTION)
                                         for kind in kinds]))
    return [(label, cells) for label, cells in rows if any(cell_parts(shift, share) for shift, share, _ in cells)]


def cell_parts(shift: PairedShift | None, share: bool) -> tuple[str, str, bool] | None:
    """``("95% → 0%", "-95 pp [-100 pp, -57 pp]", True)``: the two values, the change with its interval, and
    whether the interval leaves out zero (shown in bold); None without a pair."""
    if shift is None or shift.n == 0 or shift.diff is None:
        return None
    value = (lambda x: f"{x:.0%}") if share else (lambda x: f"{x:.2f}")
    delta = (lambda x: f"{x * 100:+.0f} pp") if share else (lambda x: f"{x:+.2f}")
    change = delta(shift.diff)
    bold = False
    if shift.ci:
        change += f" [{delta(shift.ci.lo)}, {delta(shift.ci.hi)}]"
        bold = shift.ci.lo > 0 or shift.ci.hi < 0
    return f"{value(shift.original)} → {value(shift.variant)}", change, bold


def _rows(card: Scorecard, robustness: dict) -> list[list[str]]:
    return [[md_escape(label), *(_cell(shift, share, mark) for shift, share, mark in cells)]
            for label, cells in measure_rows(card, robustness)]


def _cell(shift: PairedShift | None, share: bool, by_construction: bool = False) -> Markup:
    """Numbers we wrote (and bold of our own): Markdown as it is, not escaped again by the table."""
    parts = cell_parts(shift, share)
    if parts is None:
        return Markup("–")
    values, change, bold = parts
    change = f"**{change}**" if bold else change
    return Markup(f"{values}, {change} ({shift.n})" + (" †" if by_construction else ""))
