"""The "why" under diff.md's listed changes: the judge's reason on each side of a score drop or rise, and a
check's detail on the side where it failed, for the first few changes with a side-by-side view."""

from __future__ import annotations

from harness.compare.schema import CaseChange, CaseView, Comparison, DiffRow, ReplyView
from harness.report.diff_cells import fmt_change
from harness.report.markdown import md_escape
from harness.report.word_diff import md_text

REASON_CASES = 3  # per row and direction: the changes whose reasons diff.md quotes (diff.html shows them all)
REASON_CHARS = 200


def quote(text: str, limit: int = REASON_CHARS) -> str:
    """``text`` on one line, cut at ``limit`` characters, escaped (read as typed) and quoted."""
    flat = " ".join(text.split())
    cut = flat[:limit] + ("…" if len(flat) > limit else "")
    return f"“{md_text(cut)}”"


def _criterion_reason(side: ReplyView | None, name: str) -> str:
    if side is None:
        return "no view"
    if side.error:
        return f"case error ({quote(side.error)})"
    verdict = side.verdicts.criteria.get(name)
    if verdict is None:
        return "no verdict"
    if verdict.error:
        return f"judge error ({quote(verdict.error)})"
    return quote(verdict.reason) if verdict.reason.strip() else "no reason given"


def _check_detail(side: ReplyView | None, name: str) -> str | None:
    verdict = side.verdicts.checks.get(name) if side is not None else None
    if verdict is None or not verdict.detail.strip():
        return None
    return quote(verdict.detail)


def reason_line(row: DiffRow, change: CaseChange, view: CaseView) -> str:
    """``  - c001 5→1: A: “…” · B: “…”`` for a criterion; ``  - c001 pass→fail: B: “…”`` for a check
    (its detail on the failing side, the lower value's); "" when the check gave no detail there."""
    head = f"  - {md_escape(fmt_change(row, change))}: "
    if row.kind == "criterion":
        return head + f"A: {_criterion_reason(view.a, row.name)} · B: {_criterion_reason(view.b, row.name)}"
    failing = "B" if change.delta < 0 else "A"
    detail = _check_detail(view.b if failing == "B" else view.a, row.name)
    return head + f"{failing}: {detail}" if detail else ""


def reason_lines(comparison: Comparison, row: DiffRow, changes: list[CaseChange]) -> list[str]:
    """The reason lines of the first :data:`REASON_CASES` of ``changes`` that have a view."""
    lines = []
    for change in changes:
        view = comparison.cases.get(change.case_id)
        line = reason_line(row, change, view) if view is not None else ""
        if line:
            lines.append(line)
        if len(lines) == REASON_CASES:
            break
    return lines
