"""The side-by-side view of each changed case: complaint, both replies, evidence, reasons.

Only these cases' records are read in full (the first sample of each side), from
where the diff's slim pass found them in ``records.jsonl``. The views are built
from those validated records without validating again (``model_construct``):
a large diff has tens of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.compare.align import RunData, Side, full_records, read_cases
from harness.compare.schema import CaseView, CheckView, Comparison, CriterionView, ReplyView, Verdicts
from harness.records.schema import Record


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
    rows = [side.by_case[c][0] for c in case_ids if c in side.by_case]
    return {row.case_id: SideView(reply_view(record, len(side.by_case[row.case_id])), record.persona,
                                  record.category) for row, record in full_records(side.run, rows)}


def case_view(case_id: str, a: SideView | None, b: SideView | None, case: dict | None) -> CaseView:
    """Everything needed to show ``case_id`` side by side: each side's view, and ``case``, its snapshot."""
    first = a or b
    return CaseView.model_construct(case_id=case_id, persona=first.persona if first else None,
                                    category=first.category if first else None, turns=_turns(case),
                                    a=a.reply if a else None, b=b.reply if b else None)


def changed_cases(comparison: Comparison) -> list[str]:
    """Every case some row of ``comparison`` lists as changed."""
    return sorted({change.case_id for row in comparison.rows for change in row.changes})


def case_snapshots(run_a: RunData, run_b: RunData, wanted: set[str]) -> dict[str, dict]:
    """The ``wanted`` cases from A's case snapshot, and from B's for those A lacks."""
    cases = read_cases(run_a.path, wanted)
    missing = wanted - set(cases)
    if missing and run_b is not run_a:
        cases.update(read_cases(run_b.path, missing))
    return cases


def attach_case_views(comparison: Comparison, a: Side, b: Side, cases: dict[str, dict]) -> None:
    """Fill ``comparison.cases`` with a view of every changed case (``cases``: their snapshots)."""
    changed = changed_cases(comparison)
    views_a, views_b = side_views(a, changed), side_views(b, changed)
    comparison.cases = {case_id: case_view(case_id, views_a.get(case_id), views_b.get(case_id), cases.get(case_id))
                        for case_id in changed}
