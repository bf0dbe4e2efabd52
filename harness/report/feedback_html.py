"""report.html's "Customer feedback" section: the rows of scorecard.md's (:mod:`harness.report.feedback_md`).

Every text is escaped (a key's values come from the data); a difference whose interval leaves out zero is in
bold, as the Robustness section marks its changes; each table scrolls inside its box on a narrow screen.
"""

from __future__ import annotations

from harness.report.feedback_md import (HEADER, agreement_rows, candidate_line, clashing_names, key_title, note,
                                        summary_rows)
from harness.report.html_parts import esc, table
from harness.scoring.schema import Scorecard


def render_feedback_html(card: Scorecard) -> str:
    """``Customer feedback`` with one summary and one agreement table per candidate and key; "" without keys."""
    section = card.feedback
    if section is None:
        return ""
    parts = [f'<h2 id="feedback">Customer feedback</h2><p class="muted">{esc(note(section.min_per_side))}</p>']
    clashing = clashing_names(card)
    for name, candidate in section.candidates.items():
        parts.append(f"<h3>{esc(candidate_line(name, candidate))}</h3>")
        for result in candidate.keys:
            summary = [[esc(label), esc(value)] for label, value in summary_rows(result.summary)]
            parts.append(f'<div class="scroll">{table([result.key, "value"], summary)}</div>')
            rows, idle = agreement_rows(result, clashing, section.min_per_side)
            if rows:
                cells = [[esc(row.label), *(_cell(cell, row.strong and i == 2) for i, cell in enumerate(row.cells))]
                         for row in rows]
                header = [f"{HEADER[0]} ({key_title(result)})", *HEADER[1:]]
                parts.append(f'<div class="scroll">{table(header, cells)}</div>')
            if idle:
                parts.append(f'<p class="muted">Nothing to compare: {esc(", ".join(idle))}.</p>')
    for name, why in section.left_out.items():
        parts.append(f'<p class="muted">{esc(name)} left out: {esc(why)}.</p>')
    if not section.candidates and not section.left_out:
        parts.append("<p>No graded records.</p>")
    return "".join(parts)


def _cell(text: str, strong: bool) -> str:
    return f"<strong>{esc(text)}</strong>" if strong else esc(text)
