"""The side-by-side view of changed cases: complaint, both replies, evidence, reasons.

Every changed case is listed with its values in its rows' ``changes``; a view
is built for the cases a reader looks at first: per row, its
:data:`VIEWS_PER_DIRECTION` largest drops and largest rises (every changed case
when a row has no more than that). A diff of 100,000 records can change
thousands of cases; their views would make ``diff.json`` and ``diff.html``
tens of megabytes no one reads, and took seconds to build. Only the viewed
cases' records are read in full (the first sample of each side), from where
the diff's slim pass found them in ``records.jsonl``, and the views are built
from those validated records without validating again (``model_construct``).
Every changed case's persona and category go in ``Comparison.groups`` (from the
case snapshot), so ``diff.html`` lists and filters every changed case.

A case whose reply text changed while no measure did moves no row, yet it is
what a reader of a prompt change wants to see (the new wording passed the same
checks): :func:`reply_only_changes` lists them all in
``Comparison.reply_changes``, and the first :data:`REPLY_VIEWS` get a view.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, replace

import msgspec
import numpy as np

from harness.compare.align import pair_sides
from harness.compare.columns import RunData, Side, full_records, read_cases
from harness.records.store import RECORDS, iter_case_rows
from harness.compare.schema import (CaseChange, CaseView, CheckView, Comparison, CriterionView, DiffRow, ReplyView,
                                    Verdicts)
from harness.records.schema import Record

VIEWS_PER_DIRECTION = 25  # per row: views of its largest drops, and of its largest rises
REPLY_VIEWS = 5  # views of the first cases whose reply changed with no change in any measure


def _criterion_view(result) -> CriterionView:
    error = f"{result.error.kind}: {result.error.message}" if result.error else None
    return CriterionView.model_construct(score=result.score, passed=result.passed, reason=result.reason, error=error,
                                         applicable=result.applicable)


def reply_view(first: Record | None, n_samples: int) -> ReplyView | None:
    """The first sample's reply and verdicts (``None`` when the side has no record of the case)."""
    if first is None:
        return None
    verdicts = Verdicts.model_construct(
        checks={n: CheckView.model_construct(passed=r.passed, detail=r.detail, evidence=r.evidence)
                for n, r in first.checks.items()},
        criteria={n: _criterion_view(r) for n, r in first.judge.items()})
    error = f"{first.error.kind}: {first.error.message}" if first.error else None
    return ReplyView.model_construct(reply=first.reply, error=error, n_samples=n_samples, verdicts=verdicts)


def _turns(case: dict | None) -> list[dict[str, str]]:
    from harness.report.diff_turns import view_turns  # the bot's tool use kept, named by its tool

    return view_turns(case)


@dataclass(frozen=True)
class SideView:
    """One side of a changed case: its first sample's reply view, and the case's persona and category."""

    reply: ReplyView
    persona: str | None
    category: str | None


def side_views(side: Side, case_ids: list[str]) -> dict[str, SideView]:
    """Per case of ``case_ids`` on ``side``: the view of its first sample, read in full (one record at a time)."""
    wanted = [(c, side.first_offset(c)) for c in case_ids if c in side.position]
    return {case_id: SideView(reply_view(record, side.n_samples(case_id)), record.persona, record.category)
            for case_id, record in full_records(side.run, wanted)}


def case_view(case_id: str, a: SideView | None, b: SideView | None, case: dict | None) -> CaseView:
    """Everything needed to show ``case_id`` side by side: each side's view, and ``case``, its snapshot."""
    first = a or b
    return CaseView.model_construct(case_id=case_id, persona=first.persona if first else None,
                                    category=first.category if first else None, turns=_turns(case),
                                    a=a.reply if a else None, b=b.reply if b else None)


def changed_cases(comparison: Comparison) -> list[str]:
    """Every case some row of ``comparison`` lists as changed."""
    return sorted({change.case_id for row in comparison.rows for change in row.changes})


def drops(row: DiffRow) -> list[CaseChange]:
    """A row's drops, largest first, ties by ascending case id (a row's changes are already in that order)."""
    return [c for c in row.changes if c.delta < 0]


def rises(row: DiffRow) -> list[CaseChange]:
    """A row's rises, largest first, ties by ascending case id: the same order as :func:`drops`, so a list
    cut short keeps the lowest ids in both directions."""
    return sorted((c for c in row.changes if c.delta > 0), key=lambda c: (-c.delta, c.case_id))


def viewed_cases(comparison: Comparison, per_direction: int = VIEWS_PER_DIRECTION) -> list[str]:
    """The changed cases shown side by side: per row, its ``per_direction`` largest drops and largest rises
    (:func:`drops`, :func:`rises`), and the first :data:`REPLY_VIEWS` of ``comparison.reply_changes``."""
    wanted: set[str] = set(comparison.reply_changes[:REPLY_VIEWS])
    for row in comparison.rows:
        wanted.update(c.case_id for c in drops(row)[:per_direction])
        wanted.update(c.case_id for c in rises(row)[:per_direction])
    return sorted(wanted)


def case_snapshots(run_a: RunData, run_b: RunData, wanted: set[str]) -> dict[str, dict]:
    """The ``wanted`` cases from A's case snapshot, and from B's for those A lacks."""
    cases = read_cases(run_a.path, wanted)
    missing = wanted - set(cases)
    if missing and run_b is not run_a:
        cases.update(read_cases(run_b.path, missing))
    return cases


def case_groups(run_a: RunData, run_b: RunData, wanted: set[str]) -> dict[str, list[str | None]]:
    """Persona and category of each ``wanted`` case, from A's case snapshot and B's for those A lacks.

    Only these two fields are kept (a diff can change tens of thousands of cases: their full snapshots
    are read only for the cases shown side by side, :func:`case_snapshots`).
    """
    groups: dict[str, list[str | None]] = {}
    for run in (run_a, run_b) if run_b is not run_a else (run_a,):
        if len(groups) == len(wanted):
            break
        for row in iter_case_rows(run.path):
            case_id = row.get("id")
            if case_id in wanted and case_id not in groups:
                groups[case_id] = [row.get("persona"), row.get("category")]
    return groups


def attach_groups(comparison: Comparison, groups: dict[str, list[str | None]]) -> None:
    """Fill ``comparison.groups`` for each of its changed cases; a case's view (its record) wins over the snapshot."""
    out = {}
    for case_id in changed_cases(comparison):
        view = comparison.cases.get(case_id)
        out[case_id] = [view.persona, view.category] if view is not None else groups.get(case_id, [None, None])
    comparison.groups = out


def attach_case_views(comparison: Comparison, a: Side, b: Side, cases: dict[str, dict],
                      per_direction: int = VIEWS_PER_DIRECTION) -> None:
    """Fill ``comparison.cases`` with a view of each case of :func:`viewed_cases` (``cases``: their snapshots)."""
    remember_sides(comparison, a, b)
    viewed = viewed_cases(comparison, per_direction)
    views_a, views_b = side_views(a, viewed), side_views(b, viewed)
    comparison.cases = {case_id: case_view(case_id, views_a.get(case_id), views_b.get(case_id), cases.get(case_id))
                        for case_id in viewed}


# The sides each comparison was built from, while it lives: diff.html lists every case the two sides share
# (harness.report.diff_all_cases), read from them when the page is written, so diff.json need not hold them.
_SIDES: dict[int, tuple[weakref.ref, Side, Side]] = {}


def remember_sides(comparison: Comparison, a: Side, b: Side) -> None:
    """Keep ``comparison``'s sides for :func:`sides_of` until ``comparison`` is collected: where each case's
    records are, not their values (a run's columns for every candidate hold some 80 MB at 100,000 records)."""
    key = id(comparison)
    _SIDES[key] = (weakref.ref(comparison, lambda _ref: _SIDES.pop(key, None)), _located(a), _located(b))


def _located(side: Side) -> Side:
    """``side`` with where its records are (case ids, offsets, samples), its run's path and manifest, no values."""
    run = RunData(path=side.run.path, manifest=side.run.manifest, compared=side.run.compared)
    return replace(side, run=run, values=np.zeros((0, 0)), codes=np.zeros((0, 0), dtype=np.uint8),
                   reply_lens=np.zeros(0, dtype=np.int64), usage={})


def sides_of(comparison: Comparison) -> tuple[Side, Side] | None:
    """The sides ``comparison`` was built from in this process; None for one read back from ``diff.json``."""
    found = _SIDES.get(id(comparison))
    if found is None or found[0]() is not comparison:
        return None
    return found[1], found[2]


class _Reply(msgspec.Struct):
    reply: str | None = None


def reply_only_changes(pairs: list[tuple[Comparison, Side, Side]]) -> list[list[str]]:
    """Per ``(comparison, side A, side B)``: the cases answered on both sides (no case error on any sample)
    whose reply text differs, some sample's by sample index, while no row of the comparison lists them as
    changed; in case-id order.

    The slim pass kept each reply's length, not its text: replies of different lengths differ without a
    read, and only the samples of cases whose lengths all match are read again, their replies alone, in one
    forward sweep of each run's ``records.jsonl`` for every comparison (candidates' records interleave there).
    """
    plans = [_ReplyPlan.of(comparison, a, b) for comparison, a, b in pairs]
    offsets: dict[int, list[np.ndarray]] = {}
    runs: dict[int, RunData] = {}
    for plan in plans:
        for side, rows in ((plan.a, plan.rows_a), (plan.b, plan.rows_b)):
            runs[id(side.run)] = side.run
            offsets.setdefault(id(side.run), []).append(side.offsets[rows])
    hashes = {}
    for key, parts in offsets.items():
        wanted = np.unique(np.concatenate(parts))
        hashes[key] = (wanted, _reply_hashes(runs[key].path / RECORDS, wanted) if len(wanted) else wanted)
    return [plan.changed(hashes) for plan in plans]


@dataclass
class _ReplyPlan:
    """One comparison's unchanged cases answered on both sides: ``differ``, those whose reply lengths differ
    (so does their text); ``same``, those whose lengths all match, with their samples' rows in each side
    (``rows_a``, ``rows_b``, sample by sample) and where each case's samples begin among those rows."""

    a: Side
    b: Side
    differ: list[str]
    same: list[str]
    rows_a: np.ndarray
    rows_b: np.ndarray
    firsts: np.ndarray

    @classmethod
    def of(cls, comparison: Comparison, a: Side, b: Side) -> _ReplyPlan:
        pairing = pair_sides(a, b)
        changed = set(changed_cases(comparison))
        size_a, size_b = a.sizes[pairing.in_a], b.sizes[pairing.in_b]
        usable = (np.array([c not in changed for c in pairing.case_ids], dtype=bool)
                  & (_shortest(a)[pairing.in_a] >= 0) & (_shortest(b)[pairing.in_b] >= 0))  # no case error
        even = usable & (size_a == size_b)
        rows_a, rows_b, firsts = _sample_rows(a, pairing.in_a[even]), _sample_rows(b, pairing.in_b[even]), \
            _firsts(size_a[even])
        lengths_differ = _per_case_any(a.reply_lens[rows_a] != b.reply_lens[rows_b], firsts)
        differ = np.zeros(len(pairing.case_ids), dtype=bool)
        differ[usable & (size_a != size_b)] = True
        differ[np.flatnonzero(even)[lengths_differ]] = True
        keep = ~np.repeat(lengths_differ, size_a[even])  # the samples of the cases whose text must be read
        same = np.flatnonzero(even)[~lengths_differ]
        return cls(a, b, [pairing.case_ids[i] for i in np.flatnonzero(differ)],
                   [pairing.case_ids[i] for i in same], rows_a[keep], rows_b[keep], _firsts(size_a[same]))

    def changed(self, hashes: dict[int, tuple[np.ndarray, np.ndarray]]) -> list[str]:
        """``differ``, and the cases of ``same`` whose reply hashes differ on some sample; in case-id order."""
        def looked_up(side: Side, rows: np.ndarray) -> np.ndarray:
            wanted, values = hashes[id(side.run)]
            return values[np.searchsorted(wanted, side.offsets[rows])]

        moved = _per_case_any(looked_up(self.a, self.rows_a) != looked_up(self.b, self.rows_b), self.firsts)
        return sorted(self.differ + [c for c, m in zip(self.same, moved.tolist()) if m])


def _shortest(side: Side) -> np.ndarray:
    """Per case of ``side``: its shortest reply's length (-1 when a sample has no reply: a case error)."""
    if not len(side.reply_lens):
        return np.zeros(0, dtype=np.int64)
    return np.minimum.reduceat(side.reply_lens, side.starts)


def _sample_rows(side: Side, cases: np.ndarray) -> np.ndarray:
    """The rows of every sample of ``cases`` (indices into ``side.case_ids``), case after case."""
    sizes = side.sizes[cases]
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.intp)
    shift = np.repeat(side.starts[cases] - (np.cumsum(sizes) - sizes), sizes)
    return (shift + np.arange(total)).astype(np.intp)


def _firsts(sizes: np.ndarray) -> np.ndarray:
    return (np.cumsum(sizes) - sizes).astype(np.intp)


def _per_case_any(flags: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Per case (its samples starting at ``firsts`` among ``flags``): whether any sample's flag is set."""
    if not len(firsts):
        return np.zeros(0, dtype=bool)
    return np.add.reduceat(flags.astype(np.intp), firsts) > 0


def _reply_hashes(path, offsets: np.ndarray) -> np.ndarray:
    """The hash of the reply on the line at each of ``offsets`` (ascending): a hash, not the text, so
    100,000 unchanged replies hold a megabyte."""
    decode = msgspec.json.Decoder(_Reply).decode
    out = np.empty(len(offsets), dtype=np.int64)
    # A large buffer: the offsets ascend, so most seeks land inside it and cost no system call.
    with open(path, "rb", buffering=1 << 20) as handle:
        for index, offset in enumerate(offsets.tolist()):
            handle.seek(offset)
            out[index] = hash(_reply_text(handle.readline(), decode))
    return out


def _reply_text(line: bytes, decode) -> str | None:
    """The line's ``reply``. A record written by the harness has it before its checks and verdicts, the bulk of
    the line: the object up to it is decoded alone when it parses as one (so the key found is the record's
    own), about twice as fast as the whole line."""
    start = line.find(b'"reply":')
    end = _value_end(line, start + 8) if start > 0 else -1
    try:
        if end > 0:
            try:
                return decode(line[:end] + b"}").reply
            except (ValueError, RecursionError):
                pass
        return decode(line).reply
    except (ValueError, RecursionError):  # msgspec is strict where the full reader, which read this line, is not
        reply = json.loads(line).get("reply")
        return reply if isinstance(reply, str) else None


def _value_end(line: bytes, at: int) -> int:
    """Where the JSON string (or ``null``) starting at ``at`` (after any spaces) ends, or -1."""
    while line[at:at + 1] == b" ":
        at += 1
    if line.startswith(b"null", at):
        return at + 4
    if line[at:at + 1] != b'"':
        return -1
    quote = at
    while True:
        quote = line.find(b'"', quote + 1)
        if quote < 0:
            return -1
        backslashes = quote - 1
        while line[backslashes] == 0x5C:  # an escaped quote has an odd run of backslashes before it
            backslashes -= 1
        if (quote - 1 - backslashes) % 2 == 0:
            return quote + 1
