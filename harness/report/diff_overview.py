"""diff.html's overview (each pair's headline, linked to its section, when there are several) and its notes
(the informational notices folded into one closed block after the headlines; real warnings stay on top)."""

from __future__ import annotations

from harness.compare.diff import headline
from harness.compare.schema import Comparison, DiffReport
from harness.compare.setup import setup_text
from harness.report.html_parts import esc

OVERVIEW_CSS = """
nav.pairs ul { margin: .3rem 0 .8rem; padding-left: 1.2rem; } nav.pairs li { margin: .2rem 0; }
details.notes { margin: .6rem 0; } details.notes > summary { cursor: pointer; font-weight: 600; }
details.notes li { margin: .25rem 0; }
table.usage { width: auto; min-width: 24rem; }
"""


def overview_html(report: DiffReport) -> str:
    """With several pairs, a navigation list: each pair's title (a link to its section) and its headline."""
    if len(report.comparisons) < 2:
        return ""
    items = "".join(f'<li><a href="#c{i}">{esc(f"{c.candidate_a} (A) → {c.candidate_b} (B)")}</a>: '
                    f"{esc(headline(c))}{_setup(c)}</li>" for i, c in enumerate(report.comparisons))
    return (f'<nav class="pairs" aria-label="Pairs compared"><h2>{len(report.comparisons)} pairs compared</h2>'
            f'<p class="muted">Each pair is its own Holm family: its verdicts do not depend on the others.</p>'
            f"<ul>{items}</ul></nav>")


def _setup(comparison: Comparison) -> str:
    """`` · setup changed: temperature 0.2 → 0.7; …``: which pair had something changed, seen from the list."""
    if not comparison.setup:
        return ""
    return f' <span class="muted">· setup changed: {esc(setup_text(comparison.setup))}</span>'


def notes_html(notices: list[str]) -> str:
    """The notices in one closed ``Notes (N)`` block ("" when there are none)."""
    if not notices:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notices)
    return f'<details class="notes"><summary>Notes ({len(notices)})</summary><ul>{items}</ul></details>'
