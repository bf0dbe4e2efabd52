"""Reading the two sides of a diff and lining their cases up.

A side is one candidate's records in one run, grouped by case. Two sides are
paired case by case (every sample of a case forms one cluster); for each
criterion or check a case either contributes a cluster to the paired test or
is left out for one stated reason, the same reason on every row it affects.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.compare.paired import CaseCluster
from harness.compare.schema import LeftOut
from harness.errors import ConfigError, ResultsError
from harness.records.schema import Manifest, Record
from harness.records.store import iter_records, read_manifest

# What one record says about one measure: ("ok", value) or (reason, None).
Status = tuple[str, float | None]
Reader = Callable[[Record], Status]


@dataclass
class RunData:
    """A run directory read into memory: manifest, records by candidate, the case snapshot."""

    path: Path
    manifest: Manifest
    records: dict[str, list[Record]]
    cases: dict[str, dict] = field(default_factory=dict)

    def candidates(self) -> list[str]:
        """Candidates in manifest order, then any others that have records."""
        named = [c["name"] for c in self.manifest.candidates if "name" in c]
        return named + [c for c in self.records if c not in named]


@dataclass
class Side:
    """One candidate of one run, its records grouped by case id (samples in order)."""

    run: RunData
    candidate: str
    by_case: dict[str, list[Record]]


def load_run(path: str | Path) -> RunData:
    """Read a run directory; a missing or newer-format manifest is a :class:`ResultsError`."""
    path = Path(path)
    manifest = read_manifest(path)
    records: dict[str, list[Record]] = defaultdict(list)
    for record in iter_records(path):
        records[record.candidate].append(record)
    return RunData(path=path, manifest=manifest, records=dict(records), cases=_read_cases(path))


def _read_cases(run_dir: Path) -> dict[str, dict]:
    path = run_dir / "cases.jsonl"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, handle))}


def side(run: RunData, candidate: str, label: str) -> Side:
    """The side for ``candidate`` in ``run``; an unknown candidate names the ones there are."""
    if candidate not in run.records:
        known = ", ".join(run.candidates()) or "none"
        raise ResultsError(f"run {label} has no records for candidate {candidate!r} (candidates: {known})",
                           file=str(run.path))
    grouped: dict[str, list[Record]] = defaultdict(list)
    for record in sorted(run.records[candidate], key=lambda r: (r.case_id, r.sample)):
        grouped[record.case_id].append(record)
    return Side(run=run, candidate=candidate, by_case=dict(grouped))


def plan_pairs(run_a: RunData, run_b: RunData, pair: tuple[str, str] | None) -> list[tuple[str, str]]:
    """Which candidate of A is compared with which of B.

    With ``pair`` it is that one pair; otherwise every candidate the two runs
    share (in A's order). Comparing a run with itself needs ``pair``.
    """
    if pair is not None:
        return [pair]
    if run_a.path.resolve() == run_b.path.resolve():
        raise ConfigError("comparing a run with itself needs --pair LEFT=RIGHT (two of its candidates)",
                          field="--pair")
    shared = [c for c in run_a.candidates() if c in run_b.records and c in run_a.records]
    if not shared:
        raise ResultsError(f"the runs share no candidate (A: {', '.join(run_a.candidates())}; "
                           f"B: {', '.join(run_b.candidates())}); name one pair with --pair A_NAME=B_NAME")
    return [(c, c) for c in shared]


def criterion_reader(name: str) -> Reader:
    """How one record scores criterion ``name``: its score, or why it has none."""
    def read(record: Record) -> Status:
        if record.error is not None:
            return "case_error", None
        result = record.judge.get(name)
        if result is None or not result.applicable:
            return "not_applicable", None
        if result.error is not None or result.score is None:
            return "judge_error", None
        return "ok", float(result.score)
    return read


def check_reader(name: str) -> Reader:
    """How one record fares on check ``name``: 1.0 pass, 0.0 fail, or why it has no verdict."""
    def read(record: Record) -> Status:
        if record.error is not None:
            return "case_error", None
        result = record.checks.get(name)
        if result is None or result.passed is None:
            return "not_applicable", None
        return "ok", 1.0 if result.passed else 0.0
    return read


# The order reasons are counted in: an error on either side outranks "does not apply".
REASONS = ("case_error", "judge_error", "not_applicable")


def paired_clusters(a: Side, b: Side, read: Reader) -> tuple[list[CaseCluster], LeftOut]:
    """The clusters of every case usable on both sides, and the count left out by reason.

    A case is left out of the row when it is missing on one side, or when any
    of its records on either side has a case error, a judge error on this
    measure, or no verdict on it; the first reason in :data:`REASONS` names it.
    """
    left_out = LeftOut()
    clusters = []
    for case_id in sorted(set(a.by_case) | set(b.by_case)):
        if case_id not in a.by_case or case_id not in b.by_case:
            left_out.unmatched += 1
            continue
        reads_a = [read(r) for r in a.by_case[case_id]]
        reads_b = [read(r) for r in b.by_case[case_id]]
        reason = _first_reason(reads_a + reads_b)
        if reason is not None:
            setattr(left_out, reason, getattr(left_out, reason) + 1)
            continue
        clusters.append(CaseCluster(case_id, tuple(v for _, v in reads_a), tuple(v for _, v in reads_b)))
    return clusters, left_out


def _first_reason(statuses: list[Status]) -> str | None:
    seen = {status for status, _ in statuses}
    return next((reason for reason in REASONS if reason in seen), None)
