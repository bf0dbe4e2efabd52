"""Reading the two sides of a pairwise comparison and lining their replies up case by case.

A side is one candidate's replies in one run. Only the cases' recorded replies
are needed (no scores), so a side can come from any finished run, checks-only
or judged. The sides must answer the same complaints: the datasets' content
hashes must match and every shared case must be the same in both runs' case
snapshots, else the comparison is refused (as ``harness diff`` refuses
incomparable runs), unless the user allows it and every output says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from harness.compare.align import shared_candidate_pairs
from harness.compare.guard import IncomparableRunsError
from harness.datasets.schema import Case
from harness.errors import ResultsError
from harness.hashing import hash_value
from harness.records.schema import Manifest
from harness.records.store import iter_records, read_manifest
from harness.runner.outputs import load_cases


@dataclass
class PairRun:
    """A run read for pairwise judging: manifest, cases, and each candidate's first-sample replies."""

    path: Path
    manifest: Manifest
    cases: dict[str, Case]
    replies: dict[str, dict[str, str | None]] = field(default_factory=dict)  # candidate → case id → reply

    def candidates(self) -> list[str]:
        named = [c["name"] for c in self.manifest.candidates if "name" in c]
        return named + [c for c in self.replies if c not in named]


def load_pair_run(path: str | Path) -> PairRun:
    """Read a run directory: a missing manifest or case snapshot is a :class:`ResultsError`."""
    path = Path(path)
    manifest = read_manifest(path)
    rows = load_cases(path)
    if not rows:
        raise ResultsError("the run has no case snapshot (cases.jsonl); pairwise judging needs the complaints",
                           file=str(path))
    replies: dict[str, dict[str, str | None]] = {}
    for record in iter_records(path):
        if record.sample == 0:  # one reply per case: the first sample
            replies.setdefault(record.candidate, {})[record.case_id] = record.reply if record.error is None else None
    return PairRun(path=path, manifest=manifest, cases=_cases(rows, path), replies=replies)


def _cases(rows: dict[str, dict], path: Path) -> dict[str, Case]:
    cases = {}
    for number, (case_id, row) in enumerate(rows.items(), start=1):
        try:
            cases[case_id] = Case.model_validate(row)
        except ValidationError as exc:
            raise ResultsError(f"case {case_id!r} is not a valid case: {exc.errors()[0]['msg']}",
                               file=str(path / "cases.jsonl"), line=number) from None
    return cases


def differences(a: PairRun, b: PairRun) -> list[str]:
    """How the two runs' complaints differ, as short phrases; empty when they answer the same cases."""
    found = []
    # What the cases ask (without the replies recorded in the dataset, which are candidate output) when both
    # runs recorded it; older runs compare the whole file's hash.
    both = a.manifest.dataset.get("cases_sha256") and b.manifest.dataset.get("cases_sha256")
    key = "cases_sha256" if both else "sha256"
    sha_a, sha_b = a.manifest.dataset.get(key), b.manifest.dataset.get(key)
    if sha_a != sha_b:
        found.append(f"dataset content hash differs (A {str(sha_a)[:12]}…, B {str(sha_b)[:12]}…)")
    changed = [i for i in sorted(set(a.cases) & set(b.cases)) if _case_hash(a.cases[i]) != _case_hash(b.cases[i])]
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        found.append(f"{len(changed)} shared case(s) differ between the runs' snapshots "
                     f"({', '.join(changed[:3])}{more})")
    return found


def _case_hash(case: Case) -> str:
    # What the judge sees of a case: the thread and the policy facts.
    return hash_value({"turns": [t.model_dump(mode="json") for t in case.turns],
                       "context": case.context.model_dump(mode="json")})


def require_comparable(a: PairRun, b: PairRun, allow: bool) -> list[str]:
    """The differences between the sides; raises :class:`IncomparableRunsError` on any unless ``allow``."""
    found = differences(a, b)
    if found and not allow:
        raise IncomparableRunsError("runs do not answer the same complaints: " + "; ".join(found) +
                                    " (pass --allow-incomparable to compare anyway, with a warning)")
    return found


def plan_pairs(a: PairRun, b: PairRun, pair: tuple[str, str] | None) -> list[tuple[str, str]]:
    """Which candidate of A meets which of B: ``pair``, or every candidate both runs have (A's order)."""
    if pair is not None:
        for name, run, label in ((pair[0], a, "A"), (pair[1], b, "B")):
            if name not in run.replies:
                known = ", ".join(run.candidates()) or "none"
                raise ResultsError(f"run {label} has no replies of candidate {name!r} (candidates: {known})",
                                   file=str(run.path))
        return [pair]
    return shared_candidate_pairs(a.path, b.path, a.candidates(), b.candidates(), a.replies, b.replies)


@dataclass(frozen=True)
class PairItem:
    """One case both candidates answered: the complaint and the two replies."""

    case: Case
    reply_a: str
    reply_b: str


@dataclass
class Pairing:
    """The cases of one comparison: those to judge, and how many could not be (by reason)."""

    items: list[PairItem]
    unmatched: int = 0
    no_reply: int = 0


def pair_replies(a: PairRun, name_a: str, b: PairRun, name_b: str, limit: int | None = None) -> Pairing:
    """Line up ``name_a``'s replies in ``a`` with ``name_b``'s in ``b``, in case-id order (first ``limit``)."""
    replies_a, replies_b = a.replies.get(name_a, {}), b.replies.get(name_b, {})
    ids = sorted(set(replies_a) | set(replies_b))
    pairing = Pairing(items=[])
    for case_id in ids:
        if case_id not in replies_a or case_id not in replies_b or case_id not in a.cases:
            pairing.unmatched += 1
        elif replies_a[case_id] is None or replies_b[case_id] is None:
            pairing.no_reply += 1
        else:
            pairing.items.append(PairItem(a.cases[case_id], replies_a[case_id], replies_b[case_id]))
    if limit is not None:
        pairing.items = pairing.items[:limit]
    return pairing
