"""The "By thread" table of a turn-replay scorecard: each thread counted once (harness.scoring.threads).

Per check and criterion, each candidate's cell reads ``every turn 40% (10) · final 60% (10) · per thread
55%``: the share of threads where it passed at every turn it applied to, at the final agent turn, and each
thread's own pass share averaged with every thread weighing 1. Above the table, how many threads were clean
and, when one thread holds a large share of the turn cases, how much it weighs in the turn-case figures.
"""

from __future__ import annotations

from harness.report.markdown import md_escape, md_table
from harness.report.tables import DASH, Row
from harness.scoring.notices import counted
from harness.scoring.schema import RateStat, Scorecard, ThreadBreakdown, ThreadMeasure

# One thread's weight in the turn-case figures is pointed out when it holds at least this share of the turn
# cases and 1.5 times its fair share (1 / threads): two threads of 2 turns each are no imbalance.
HEAVY_SHARE = 0.25
FAIR_SHARE_FACTOR = 1.5


def _pct(stat: RateStat) -> str:
    return f"{DASH} (0)" if stat.rate is None else f"{stat.rate * 100:.0f}% ({stat.n})"


def _cell(measure: ThreadMeasure | None) -> str:
    if measure is None:
        return DASH
    weighted = DASH if measure.thread_weighted is None else f"{measure.thread_weighted * 100:.0f}%"
    return f"every turn {_pct(measure.every_turn)} · final {_pct(measure.final_turn)} · per thread {weighted}"


def thread_rows(card: Scorecard) -> list[Row]:
    """The clean-threads row, then one row per criterion and check that applied in some thread."""
    threads = [c.threads for c in card.candidates.values()]
    rows = [Row("threads", "clean threads (nothing failed or erred at any turn)",
                [DASH if t is None else f"{t.clean.passed} of {t.clean.n}" for t in threads])]
    for kind, names, suffix in (("criteria", list(card.criteria), ""), ("checks", card.checks, " (check)")):
        for name in names:
            cells = [_cell(getattr(t, kind).get(name)) if t is not None else DASH for t in threads]
            if any(cell != DASH for cell in cells):
                rows.append(Row("threads", f"{name}{suffix}", cells))
    return rows


def weight_note(card: Scorecard) -> str:
    """``One thread, t009, holds 31 of 33 turn cases (94%): ...``, or "" when no thread weighs that much."""
    heavy = [(name, t) for name, t in ((n, c.threads) for n, c in card.candidates.items())
             if t is not None and t.n_threads > 1
             and (t.largest_share or 0) >= max(HEAVY_SHARE, FAIR_SHARE_FACTOR / t.n_threads)]
    if not heavy:
        return ""
    _, t = max(heavy, key=lambda item: item[1].largest_share or 0)
    held = round((t.largest_share or 0) * t.n_turn_cases)
    return (f"One thread, {t.largest_thread}, holds {held} of {t.n_turn_cases} turn cases "
            f"({(t.largest_share or 0) * 100:.0f}%): it weighs that much in every turn-case figure above; "
            "the per-thread figures here weigh each thread once.")


def _counts(threads: list[ThreadBreakdown | None]) -> str:
    known = [t for t in threads if t is not None]
    return f"{counted(known[0].n_threads, 'thread')}, {counted(known[0].n_turn_cases, 'turn case')}" if known else ""


def thread_lead(card: Scorecard) -> str:
    """What the "By thread" table counts (scorecard.md and report.html say it in the same words)."""
    return (f"{_counts([c.threads for c in card.candidates.values()])}. Each thread counted once: passed at every "
            "turn it applied to, at the thread's final agent turn, and its own pass share averaged over threads.")


def render_threads_md(card: Scorecard) -> str:
    """``### By thread`` with its table, or "" for a run without turn-level replay."""
    threads = [c.threads for c in card.candidates.values()]
    if all(t is None for t in threads):
        return ""
    table = md_table(["measure", *card.candidates], [[md_escape(row.label), *row.cells] for row in thread_rows(card)])
    note = weight_note(card)
    lead = f"_{thread_lead(card)}_"
    return "\n\n".join(part for part in ("### By thread", lead, f"**{md_escape(note)}**" if note else "", table)
                       if part)
