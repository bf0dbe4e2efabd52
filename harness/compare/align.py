"""Lining the two sides of a diff up, case by case.

A side (:class:`~harness.compare.columns.Side`) is one candidate's records in
one run, grouped by case. Two sides are paired case by case (every sample of a
case forms one cluster) on the cases both runs hold with the same content (a
case whose content changed between the runs is left out, and named); for each
criterion or check a case either contributes a cluster to the paired test or
is left out for one stated reason, the same reason on every row it affects.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from harness.compare.columns import _NONE, CASE_ERROR, REASONS, RunData, Side
from harness.compare.guard import CaseChanges, case_changes
from harness.compare.paired import Clusters
from harness.compare.schema import LeftOut
from harness.errors import ConfigError, ResultsError


def plan_pairs(run_a: RunData, run_b: RunData, pair: tuple[str, str] | None) -> list[tuple[str, str]]:
    """Which candidate of A is compared with which of B.

    With ``pair`` it is that one pair; otherwise every candidate the two runs
    share (in A's order). Comparing a run with itself needs ``pair``.
    """
    if pair is not None:
        return [pair]
    return shared_candidate_pairs(run_a.path, run_b.path, run_a.candidates(), run_b.candidates(),
                                  run_a.rows, run_b.rows)


def shared_candidate_pairs(path_a: Path, path_b: Path, names_a: list[str], names_b: list[str],
                           answered_a: Container[str], answered_b: Container[str]) -> list[tuple[str, str]]:
    """Every candidate with answers in both runs, paired with itself, in A's order (``harness diff`` and
    ``harness pairwise`` without ``--pair``). Within one run there is nothing to pair without ``--pair``."""
    if path_a.resolve() == path_b.resolve():
        raise ConfigError("comparing within one run needs --pair LEFT=RIGHT (two of its candidates)",
                          field="--pair")
    shared = [c for c in names_a if c in answered_a and c in answered_b]
    if not shared:
        raise ResultsError(f"the runs share no candidate (A: {', '.join(names_a)}; "
                           f"B: {', '.join(names_b)}); name one pair with --pair A_NAME=B_NAME")
    return [(c, c) for c in shared]


def unpaired_notice(names_a: list[str], names_b: list[str], answered_a: Container[str],
                    answered_b: Container[str]) -> str | None:
    """The notice naming the candidates with answers in one run only (not compared without ``--pair``), or None."""
    only_a = [c for c in names_a if c in answered_a and c not in answered_b]
    only_b = [c for c in names_b if c in answered_b and c not in answered_a]
    if not only_a and not only_b:
        return None
    sides = [f"{', '.join(names)} in {label} only" for names, label in ((only_a, "A"), (only_b, "B")) if names]
    hint = f"--pair {only_a[0]}={only_b[0]}" if only_a and only_b else "--pair A_NAME=B_NAME"
    return (f"candidates not compared (none of the same name on the other side): {'; '.join(sides)}; "
            f"compare two of different names with {hint}")


@dataclass
class Pairing:
    """The cases two sides share (sorted by id), where each sits in its side, how many are on one side only,
    and how many both hold with other content (``changed``)."""

    a: Side
    b: Side
    case_ids: list[str]
    in_a: np.ndarray
    in_b: np.ndarray
    unmatched: int
    changed: int = 0
    ids: np.ndarray = field(init=False, repr=False)  # case_ids as an object array, to pick a row's cases fast

    def __post_init__(self) -> None:
        self.ids = np.array(self.case_ids, dtype=object)


def pair_sides(a: Side, b: Side) -> Pairing:
    """The cases both sides hold, less those whose content changed between the runs (:func:`compared_cases`),
    which are named in a notice, not paired, and counted apart from those on one side only (``changed``): a
    row's left-out cell then accounts for every case of either side."""
    position_a, position_b = a.position, b.position
    both = position_a.keys() & position_b.keys()
    shared = sorted(both - compared_cases(a.run, b.run).excluded)
    return Pairing(a, b, shared, np.array([position_a[c] for c in shared], dtype=np.intp),
                   np.array([position_b[c] for c in shared], dtype=np.intp),
                   unmatched=len(position_a) + len(position_b) - 2 * len(both), changed=len(both) - len(shared))


def compared_cases(run_a: RunData, run_b: RunData) -> CaseChanges:
    """How the cases of two runs differ (:func:`~harness.compare.guard.case_changes`), read once per pair of
    runs; nothing differs within one run."""
    if run_a is run_b or run_a.path.resolve() == run_b.path.resolve():
        return CaseChanges()
    key = run_a.path.resolve()
    if key not in run_b.compared:
        run_b.compared[key] = case_changes(run_a.path, run_b.path, run_a.manifest, run_b.manifest)
    return run_b.compared[key]


def case_notices(run_a: RunData, run_b: RunData) -> list[str]:
    """The notice naming the cases of one run only, and those changed between the runs (not compared)."""
    notice = compared_cases(run_a, run_b).notice()
    return [notice] if notice else []


def paired_clusters(pairing: Pairing, index: int) -> tuple[Clusters, LeftOut]:
    """The clusters of every case usable on both sides for measure ``index``, and the count left out by reason.

    A case is compared on its graded samples: its value on a side is the mean over the samples with a value
    there, as the scorecard folds a case's samples (errored ones left out). Its other samples (a case error,
    a judge error on this measure, or no verdict on it) are counted in ``LeftOut.samples_a``/``samples_b``.
    The cluster keeps the case's full weight (its mean times its sample count), so a case with an errored
    sample weighs in the row's values as much as its siblings, and the row's value is the mean of its
    cases' means, the scorecard's. A case is left out of the row when it is missing on one side, or when
    no sample of it was graded on a side: a case error when every sample errored, else the first reason in
    :data:`REASONS` among its answered samples (see :func:`_case_reason`); across sides the first reason again.
    """
    code_a, graded_a = _case_reason(pairing.a, index)
    code_b, graded_b = _case_reason(pairing.b, index)
    reason = np.minimum(code_a[pairing.in_a], code_b[pairing.in_b])
    counts = {name: int(np.count_nonzero(reason == code)) for code, name in enumerate(REASONS, start=1)}
    keep = np.flatnonzero(reason == _NONE)
    ia, ib = pairing.in_a[keep], pairing.in_b[keep]
    sum_a, n_a, missed_a = _case_sums(pairing.a, index, graded_a, ia)
    sum_b, n_b, missed_b = _case_sums(pairing.b, index, graded_b, ib)
    clusters = Clusters(pairing.ids[keep].tolist(), sum_a, n_a, sum_b, n_b)
    return clusters, LeftOut(unmatched=pairing.unmatched, changed=pairing.changed, samples_a=missed_a, samples_b=missed_b, **counts)


def _case_reason(side: Side, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Per case of ``side``: ``_NONE`` when some sample has a value, else why not; and how many of its samples
    have a value.

    A case error is the reason only when every sample errored; otherwise the replies it got say why (the first
    reason among them: a judge error, else not applicable), so a case whose answered samples were all n/a
    reads n/a, not case error, when another of its samples errored.
    """
    codes = side.codes[:, index]
    if not len(codes):
        return np.zeros(0, np.uint8), np.zeros(0, np.intp)
    graded = np.add.reduceat((codes == 0).astype(np.intp), side.starts)
    answered = np.where((codes == 0) | (codes == CASE_ERROR), _NONE, codes).astype(np.uint8)
    first = np.minimum.reduceat(answered, side.starts)
    first = np.where(first == _NONE, CASE_ERROR, first)  # no answered sample without a value: all errored
    return np.where(graded > 0, _NONE, first).astype(np.uint8), graded


def _case_sums(side: Side, index: int, graded: np.ndarray, cases: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """For the ``cases`` (indices) of ``side``: each one's sum on measure ``index`` at full weight (the mean
    of its graded samples times its sample count), its sample count, and how many samples were not graded."""
    if not len(cases):
        return np.zeros(0), np.zeros(0), 0
    graded_sums = np.add.reduceat(np.where(side.codes[:, index] == 0, side.values[:, index], 0.0), side.starts)
    sums, sizes, have = graded_sums[cases], side.sizes[cases].astype(float), graded[cases]
    partial = have < sizes
    if partial.any():
        sums = np.where(partial, sums / np.maximum(have, 1) * sizes, sums)
    return sums, sizes, int((sizes - have).sum())
