"""Evaluating one case × candidate: reply, checks, judge, into one Record.

A failure inside the case never escapes: a responder failure becomes the
record's ``error``; a judge failure becomes an error on that criterion; a check
that crashes is recorded as not applicable with the crash in its detail.
"""

from __future__ import annotations

from harness.candidates.responders import Responder
from harness.checks.base import Check, CheckContext, CheckResult
from harness.datasets.schema import Case
from harness.datasets.turns import turn_index_of
from harness.errors import CaseFault
from harness.judges.judge import Judge
from harness.models.model import provider_calls
from harness.records.redaction import clip
from harness.records.schema import CallStats, ErrorInfo, Record
from harness.records.timestamps import now_iso


def run_checks(checks: list[Check], ctx: CheckContext) -> dict[str, CheckResult]:
    results: dict[str, CheckResult] = {}
    for check in checks:
        try:
            results[check.name] = check.run(ctx)
        except Exception as exc:  # a bug in one check must not lose the case
            detail = clip(f"check crashed: {type(exc).__name__}: {exc}", 2000)
            # The message is the check's own (a check of the user's may raise anything): writable text only.
            detail = detail.encode("utf-8", "replace").decode("utf-8")
            results[check.name] = CheckResult(passed=None, detail=detail, data={"error": "check_crashed"})
    return results


async def evaluate_case(case: Case, responder: Responder, checks: list[Check], judge: Judge | None,
                        sample: int = 0) -> Record:
    record = Record(case_id=case.id, candidate=responder.name, sample=sample, persona=case.persona,
                    category=case.category, turn_index=turn_index_of(case), started_at=now_iso())
    try:
        reply = await responder.respond(case, sample)
    except CaseFault as fault:
        record.error = ErrorInfo(kind=fault.kind, message=clip(str(fault), 1000),
                                 attempts=provider_calls(fault) or None)
        record.finished_at = now_iso()
        return record
    record.reply, record.reply_source, record.responder = reply.text, reply.source, reply.stats
    ctx = CheckContext(case=case, reply=reply.text, candidate=responder.name)
    record.checks = run_checks(checks, ctx)
    if judge is not None:
        record.judging = CallStats()
        record.judge = await judge.grade(ctx, record.judging)
    record.finished_at = now_iso()
    return record
