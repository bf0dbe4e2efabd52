"""Evaluating one case × candidate: reply, checks, judge, into one Record.

A failure inside the case never escapes: a responder failure becomes the
record's ``error``; a judge failure becomes an error on that criterion; a check
that crashes (raises anything but KeyboardInterrupt, ``sys.exit()`` included, or
runs past its time limit) is recorded as not applicable with the crash in its
detail. Built-in and declarative checks run inline (they are fast); a check with
an ``arun`` (a ``python`` check of the user's) is awaited, so it runs off the
event loop and the model calls in flight are served meanwhile.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from harness.candidates.responders import Responder
from harness.checks.base import CHECK_CRASHED, Check, CheckContext, CheckResult
from harness.datasets.schema import Case
from harness.datasets.turns import turn_index_of
from harness.errors import CaseFault
from harness.judges.judge import Judge
from harness.models.model import provider_calls
from harness.records.redaction import clip
from harness.records.schema import CallStats, ErrorInfo, Record
from harness.records.timestamps import now_iso
from harness.runner.tool_loop import TOOL_CALLS_KEY, keep_tool_rounds


def run_checks(checks: list[Check], ctx: CheckContext) -> dict[str, CheckResult]:
    """Every check's result on ``ctx``, all run here (a python check waits for its worker thread)."""
    results: dict[str, CheckResult] = {}
    for check in checks:
        try:
            results[check.name] = check.run(ctx)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001 - a bug in one check (sys.exit() too) must not lose the case
            results[check.name] = crashed(exc)
    return results


async def run_checks_async(checks: list[Check], ctx: CheckContext) -> dict[str, CheckResult]:
    """As :func:`run_checks`, awaiting the checks that have an ``arun`` (off the event loop)."""
    results: dict[str, CheckResult] = {}
    for check in checks:
        arun = getattr(check, "arun", None)
        try:
            results[check.name] = check.run(ctx) if arun is None else await arun(ctx)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001 - as in run_checks
            results[check.name] = crashed(exc)
    return results


def crashed(exc: BaseException) -> CheckResult:
    """The result recorded for a check that raised ``exc``: what it raised and, for a ``python`` check, where in
    the user's file it raised (``check crashed: KeyError: 'ref' (at checks.py:3 in cites)``)."""
    message = str(exc)
    if isinstance(exc, SystemExit):
        message = f"sys.exit({exc.code!r}) was called inside the check"
    place = _user_place(exc)
    where = f" (at {place})" if place else ""
    # The message is clipped, not the place after it: a long message must not cut off where it was raised.
    detail = clip(f"check crashed: {type(exc).__name__}: {message}", 2000 - len(where)) + where
    # The message is the check's own (a check of the user's may raise anything): writable text only.
    detail = detail.encode("utf-8", "replace").decode("utf-8")
    return CheckResult(passed=None, detail=detail, data={"error": CHECK_CRASHED})


# The module name harness.checks.custom_python.load_module gives a user's check file: its frames are the user's.
_USER_MODULE = "harness_custom_checks_"


def _user_place(exc: BaseException) -> str | None:
    """``checks.py:3 in cites_account``: the innermost frame of ``exc``'s traceback inside a user's check file
    (not the harness's frames around it, nor a library's below it); None when none is (a built-in check, a
    time-out)."""
    tb, place = exc.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        if str(frame.f_globals.get("__name__", "")).startswith(_USER_MODULE):
            place = f"{_shown_path(frame.f_code.co_filename)}:{tb.tb_lineno} in {frame.f_code.co_name}"
        tb = tb.tb_next
    return place


def _shown_path(filename: str) -> str:
    """The file relative to the current directory when it is under it (as the eval file names it), else whole."""
    try:
        return str(Path(filename).relative_to(Path.cwd()))
    except ValueError:
        return filename


async def evaluate_case(case: Case, responder: Responder, checks: list[Check], judge: Judge | None,
                        sample: int = 0) -> Record:
    record = Record(case_id=case.id, candidate=responder.name, sample=sample, persona=case.persona,
                    category=case.category, turn_index=turn_index_of(case), started_at=now_iso())
    try:
        reply = await responder.respond(case, sample)
    except CaseFault as fault:
        calls = provider_calls(fault)
        record.error = ErrorInfo(kind=fault.kind, message=clip(str(fault), 1000), attempts=calls or None)
        record.system_prompt = getattr(fault, "system_prompt", None)
        latency = getattr(fault, "latency_s", None)
        if calls and latency is not None:
            # The failed calls were made and took this long (the provider's time: Model.latency_s leaves out
            # the wait for a concurrency slot), so latency percentiles see a provider that times out. No
            # tokens came back, and their cost is not known (a provider may bill a generation it timed out).
            record.responder = CallStats(calls=calls, latency_s=latency, retries=calls - 1,
                                         rate_limited=getattr(fault, "rate_limited", 0))
        keep_tool_rounds(record, fault)
        record.finished_at = now_iso()
        return record
    record.reply, record.reply_source, record.responder = reply.text, reply.source, reply.stats
    record.system_prompt, record.replayed_from = reply.system_prompt, reply.replayed_from
    record.tool_calls = reply.tool_calls
    ctx = CheckContext(case=case, reply=reply.text, candidate=responder.name, responder=reply.stats,
                       system_prompt=reply.system_prompt)
    if reply.tool_calls:  # the judge reads what the bot looked up and got (harness.judges.prompt)
        ctx.extra[TOOL_CALLS_KEY] = reply.tool_calls
    record.checks = await run_checks_async(checks, ctx)
    if judge is not None:
        record.judging = CallStats()
        record.judge = await judge.grade(ctx, record.judging)
    record.finished_at = now_iso()
    return record
