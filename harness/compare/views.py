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
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.compare.columns import RunData, Side, full_records, read_cases
from harness.records.store import iter_case_rows
from harness.compare.schema import (CaseChange, CaseView, CheckView, Comparison, CriterionView, DiffRow, ReplyView,
                                    Verdicts)
from harness.records.schema import Record

VIEWS_PER_DIRECTION = 25  # per row: views of its largest drops, and of its largest rises


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
    turns = (case or {}).get("turns") or []
    return [{"role": str(t.get("role", "?")), "content": str(t.get("content", ""))} for t in turns
            if isinstance(t, dict)]


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
    (:func:`drops`, :func:`rises`)."""
    wanted: set[str] = set()
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
    viewed = viewed_cases(comparison, per_direction)
    views_a, views_b = side_views(a, viewed), side_views(b, viewed)
    comparison.cases = {case_id: case_view(case_id, views_a.get(case_id), views_b.get(case_id), cases.get(case_id))
                        for case_id in viewed}
