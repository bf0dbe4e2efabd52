"""The side-by-side view of each changed case: complaint, both replies, evidence, reasons."""

from __future__ import annotations

from harness.compare.align import Side
from harness.compare.schema import CaseView, CheckView, Comparison, CriterionView, ReplyView, Verdicts
from harness.records.schema import Record


def _criterion_view(result) -> CriterionView:
    error = f"{result.error.kind}: {result.error.message}" if result.error else None
    return CriterionView(score=result.score, passed=result.passed, reason=result.reason, error=error,
                         applicable=result.applicable)


def reply_view(records: list[Record] | None) -> ReplyView | None:
    """The first sample's reply and verdicts (``None`` when the side has no record of the case)."""
    if not records:
        return None
    first = records[0]
    verdicts = Verdicts(
        checks={n: CheckView(passed=r.passed, detail=r.detail, evidence=r.evidence) for n, r in first.checks.items()},
        criteria={n: _criterion_view(r) for n, r in first.judge.items()})
    error = f"{first.error.kind}: {first.error.message}" if first.error else None
    return ReplyView(reply=first.reply, error=error, n_samples=len(records), verdicts=verdicts)


def _turns(case: dict | None) -> list[dict[str, str]]:
    turns = (case or {}).get("turns") or []
    return [{"role": str(t.get("role", "?")), "content": str(t.get("content", ""))} for t in turns
            if isinstance(t, dict)]


def case_view(case_id: str, a: Side, b: Side) -> CaseView:
    """Everything needed to show ``case_id`` side by side; the complaint comes from A's snapshot, else B's."""
    records = a.by_case.get(case_id) or b.by_case.get(case_id) or []
    case = a.run.cases.get(case_id) or b.run.cases.get(case_id)
    first = records[0] if records else None
    return CaseView(case_id=case_id, persona=first.persona if first else None,
                    category=first.category if first else None, turns=_turns(case),
                    a=reply_view(a.by_case.get(case_id)), b=reply_view(b.by_case.get(case_id)))


def attach_case_views(comparison: Comparison, a: Side, b: Side) -> None:
    """Fill ``comparison.cases`` with a view of every case some row lists as changed."""
    changed = sorted({change.case_id for row in comparison.rows for change in row.changes})
    comparison.cases = {case_id: case_view(case_id, a, b) for case_id in changed}
