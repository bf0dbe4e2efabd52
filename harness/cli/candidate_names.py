"""Candidate names given to a command about a run (``show``, ``label``, ``pairwise``, ``run --failing``), read as
:func:`harness.config.candidates.resolve_candidate` reads them: a unique start of the name, or its part before
``@``, stands for it."""

from __future__ import annotations

from pathlib import Path


def run_names(run_dir: Path) -> list[str]:
    """The candidates of the run in ``run_dir``; a directory without a run is refused (its reason said)."""
    from harness.records.store import read_manifest

    return [str(c.get("name")) for c in read_manifest(run_dir).candidates]


def in_run(run_dir: Path, names, option: str) -> tuple[str, ...]:
    """``names`` as the run's candidates they stand for (a name none stands for: as given, for the caller's error)."""
    if not names:
        return tuple(names or ())
    from harness.config.candidates import resolve_candidates

    return tuple(resolve_candidates(names, run_names(run_dir), option))


def pair_in_runs(pair: tuple[str, str], run_a: Path, run_b: Path | None, option: str) -> tuple[str, str]:
    """``LEFT=RIGHT``: LEFT as a candidate of run A, RIGHT of run B (of A when there is no B)."""
    from harness.config.candidates import resolve_candidate

    names_a = run_names(run_a)
    names_b = names_a if run_b is None else run_names(run_b)
    return resolve_candidate(pair[0], names_a, option), resolve_candidate(pair[1], names_b, option)
