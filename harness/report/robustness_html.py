"""report.html's "Robustness" section: the same pivot as scorecard.md's (:mod:`harness.report.robustness_md`).

Per candidate that answered perturbed complaints, one row per check or criterion and one column per kind of
perturbation; a cell reads "95% → 0%, -95 pp [-100 pp, -57 pp] (20)", the change in bold where its interval
leaves out zero. Every text is escaped; the table scrolls inside its box on a narrow screen, as the others do.
"""

from __future__ import annotations

from harness.report.html_parts import esc, table
from harness.report.robustness_md import cell_parts, measure_rows
from harness.scoring.schema import PairedShift, Scorecard

NOTE = ("Each perturbed complaint is paired with its original (same case, same candidate); only model candidates "
        "answer them. A cell reads original → perturbed, then the paired difference (perturbed − original) with "
        "its 95% interval and the number of pairs; bold where the interval leaves out zero. Checks use the exact "
        "McNemar-consistent interval, criteria a case bootstrap, as harness diff does. † falls by construction "
        "(the injected complaint is itself flagged) and no gate counts it.")


def render_robustness_html(card: Scorecard) -> str:
    """``Robustness`` with one table per candidate that answered variants; "" without any."""
    parts = []
    for name, candidate in card.candidates.items():
        if not candidate.robustness:
            continue
        rows = [[esc(label), *(_cell(shift, share, mark) for shift, share, mark in cells)]
                for label, cells in measure_rows(card, candidate.robustness)]
        body = (f'<div class="scroll">{table(["measure", *candidate.robustness], rows)}</div>' if rows
                else "<p>No pairs.</p>")
        parts.append(f"<h3>{esc(name)}</h3>{body}")
    if not parts:
        return ""
    return f'<h2>Robustness</h2><p class="muted">{esc(NOTE)}</p>' + "".join(parts)


def _cell(shift: PairedShift | None, share: bool, by_construction: bool) -> str:
    found = cell_parts(shift, share)
    if found is None:
        return '<span class="na">–</span>'
    values, change, bold = found
    change = f"<strong>{esc(change)}</strong>" if bold else esc(change)
    mark = ' <span title="falls by construction; no gate counts it">†</span>' if by_construction else ""
    return f"{esc(values)}, {change} ({shift.n}){mark}"
