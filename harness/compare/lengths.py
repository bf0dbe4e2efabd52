"""Length and the judge in a diff: each side's verbosity notices, and a note when length may explain a difference.

A run's scorecard carries the verbosity probe (Spearman's rho between reply
length and judge score per criterion, :mod:`harness.scoring.verbosity`); a
diff shows each side's notices from it, labelled with the side. When one
compared candidate writes much longer replies than the other *and* the judge's
scores follow length on some criteria, part of B − A on those criteria may be
length rather than quality: the diff says so, naming the criteria.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from statistics import fmean

import numpy as np

from harness.compare.columns import RunData, Side, load_run
from harness.scoring.schema import VerbosityProbe
from harness.scoring.verbosity import NOTICE_MIN_N, NOTICE_MIN_RHO, verbosity_notices

# Mean reply lengths this far apart (the longer over the shorter) count as "much longer".
LENGTH_RATIO = 1.3

Probes = dict[str, VerbosityProbe]


def run_probes(run_dir: Path, criteria_order: list[str]) -> Probes:
    """The run's verbosity probes: from its scorecard when it has them, else computed from its records."""
    return probes_of(load_run(run_dir, []), criteria_order)


def probes_of(run: RunData, criteria_order: list[str]) -> Probes:
    """The probes of a run the diff has read: its scorecard's, else those gathered while reading its records."""
    if run.saved_probes is not None:
        return run.saved_probes
    return (run.verbosity.result(criteria_order) if run.verbosity is not None else None) or {}


def biased(probes: Probes) -> dict[str, float]:
    """Criteria whose scores follow length enough for a notice: name → rho."""
    return {name: p.rho for name, p in probes.items()
            if p.rho is not None and p.n >= NOTICE_MIN_N and abs(p.rho) >= NOTICE_MIN_RHO}


def side_notices(probes_a: Probes, probes_b: Probes, same_run: bool) -> list[str]:
    """Each side's verbosity notices, labelled with the side (once when both sides are one run)."""
    if same_run:
        return [f"run A = B: {n}" for n in verbosity_notices(probes_a)]
    return [f"run {label}: {n}" for label, probes in (("A", probes_a), ("B", probes_b))
            for n in verbosity_notices(probes)]


def mean_length(lengths: Sequence[int]) -> float | None:
    return fmean(lengths) if lengths else None


def length_gap_note(names: tuple[str, str], lengths: tuple[Sequence[int], Sequence[int]], probes_a: Probes,
                    probes_b: Probes) -> str | None:
    """A note when one side's replies are much longer on average (``lengths``: each side's reply lengths)
    and the judge follows length somewhere."""
    mean_a, mean_b = mean_length(lengths[0]), mean_length(lengths[1])
    if not mean_a or not mean_b or max(mean_a, mean_b) / min(mean_a, mean_b) < LENGTH_RATIO:
        return None
    rho_a, rho_b = biased(probes_a), biased(probes_b)
    criteria = [name for name in dict.fromkeys([*rho_a, *rho_b])]
    if not criteria:
        return None
    longer = "B" if mean_b > mean_a else "A"
    which = ", ".join(f"{name} ({_rhos(name, rho_a, rho_b)})" for name in criteria)
    return (f"length: {names[0]} (A) replies average {mean_a:.0f} characters and {names[1]} (B) {mean_b:.0f} "
            f"({max(mean_a, mean_b) / min(mean_a, mean_b):.1f}x, longer in {longer}), and judge scores follow "
            f"reply length on {which}: part of B − A on those criteria may be length, not quality")


def _rhos(name: str, rho_a: dict[str, float], rho_b: dict[str, float]) -> str:
    parts = [f"rho {rho:+.2f} in {label}" for label, rho in (("A", rho_a.get(name)), ("B", rho_b.get(name)))
             if rho is not None]
    return ", ".join(parts)


def paired_lengths(a: Side, b: Side) -> tuple[list[int], list[int]]:
    """Both sides' reply lengths over the cases where each side has a reply (every sample)."""
    has_a, has_b = _cases_with_reply(a), _cases_with_reply(b)
    shared = {c for c, i in a.position.items() if has_a[i] and c in b.position and has_b[b.position[c]]}
    return _lengths(a, shared), _lengths(b, shared)


def _cases_with_reply(side: Side) -> np.ndarray:
    """Per case of ``side``: whether any of its samples has a reply."""
    if not len(side.case_ids):
        return np.zeros(0, dtype=bool)
    return np.maximum.reduceat(side.reply_lens, side.starts) >= 0


def _lengths(side: Side, cases: set[str]) -> list[int]:
    """The reply lengths of every sample of ``cases`` on ``side`` that has a reply."""
    keep = np.repeat(np.fromiter((c in cases for c in side.case_ids), dtype=bool, count=len(side.case_ids)),
                     side.sizes)
    lens = side.reply_lens[keep]
    return lens[lens >= 0].tolist()


def length_notices(run_a, run_b, sides: list, same_run: bool) -> list[str]:
    """Every length notice of a diff: each side's verbosity notices, then a length-gap note per comparison.

    ``run_a``/``run_b`` are the runs read by :mod:`harness.compare.align`; ``sides`` the compared
    ``(Side A, Side B)`` pairs.
    """
    order = list(((run_a.manifest.rubric or {}).get("criteria") or {}))
    probes_a = probes_of(run_a, order)
    probes_b = probes_a if same_run else probes_of(run_b, order)
    notes = side_notices(probes_a, probes_b, same_run)
    for a, b in sides:
        note = length_gap_note((a.candidate, b.candidate), paired_lengths(a, b), probes_a, probes_b)
        notes += [note] if note else []
    return notes
