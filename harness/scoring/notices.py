"""Notices the scorecard derives from its own numbers (shown above every table, as the verbosity ones are).

Lost work: records that ended in an error have no reply, so every score and pass rate leaves them out and
reads as usual with a smaller n. A run that lost a third of its cases must say so before any number.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from harness.scoring.schema import Scorecard


def counted(n: int, unit: str, units: str | None = None) -> str:
    """``"1 case"``, ``"3 cases"``: a count with its noun, so no detail reads "over 1 cases"."""
    return f"{n} {unit if n == 1 else units or unit + 's'}"


def fmt_kinds(by_kind: Mapping[str, int]) -> str:
    """``"model_error 10, timeout 2"``: error kinds with their counts, most frequent first (then by name).

    The one way every output lists error kinds (scorecard notices, gates, the error tolerance), so the
    same run reads the same in each."""
    return ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))


def error_split(records: int, total: int, lost: tuple[int, int, int], crashed_kinds: str = "") -> str:
    """``4 of 10 records (40.0%) with an error: 3 without a reply, 1 with a judge error``: the run's one error
    count (``total`` of ``records``), split by what each record lost (``lost``: without a reply, with a judge
    error, with a crashed check only; a record with both of the latter counts as a judge error) and the checks
    that crashed (``crashed_kinds``). The gates' detail and the scorecard's notice both say it."""
    no_reply, judge, crashed_only = lost
    head = f"{total} of {counted(records, 'record')} ({total / records if records else 0:.1%}) with an error"
    kinds = f" ({crashed_kinds})" if crashed_kinds else ""
    parts = [f"{no_reply} without a reply"] if no_reply else []
    parts += [f"{judge} with a judge error" + ("" if crashed_only else kinds.replace(" (", " (crashed checks: "))]\
        if judge else []
    parts += [f"{crashed_only} with a crashed check{kinds}"] if crashed_only else []
    return head + (f": {', '.join(parts)}" if parts else "")


def error_notices(card: Scorecard, count=None) -> list[str]:
    """One notice when any record ended in a case error (and judge verdicts lost, if any, alongside).

    ``count`` (the run's :class:`~harness.gates.tolerance.ErrorCount`, which the run's outputs pass) heads it
    with every record with an error, split by what it lost, in the gate detail's words: one error figure for
    the run, not a share of the records without a reply beside the gates' share of all records with an error."""
    total = sum(c.n_records for c in card.candidates.values())
    lost = sum(c.n_case_errors for c in card.candidates.values())
    verdicts = sum(sum(c.judge_errors_by_criterion.values()) for c in card.candidates.values())
    if not total or not (lost or verdicts):
        return []
    if count is not None and count.records:
        return [_counted_notice(card, count, lost, verdicts)]
    parts = []
    if lost:
        parts.append(f"{lost} of {total} records ({_percent(lost, total)}) ended in an error and have no reply "
                     f"({_lost_each(card)}); every score and pass rate leaves them out, so it describes only the "
                     "cases that got a reply, with a smaller n")
    if verdicts:
        parts.append(f"{_verdicts_lost(card, verdicts)}; those criteria's scores leave them out")
    return ["errors: " + "; and ".join(parts) + " (see Errors in the table)"]


def _counted_notice(card: Scorecard, count, lost: int, verdicts: int) -> str:
    """``errors: 4 of 10 records (40.0%) with an error: 3 without a reply, 1 with a judge error. By candidate:
    bot 3 of 10 with no reply (server_error 2, rate_limit 1) ...``: the split says "without a reply" once, and
    the parts after it name the candidates each kind of error hit (no reply, judge verdicts)."""
    parts = []
    if lost:
        parts.append(f"By candidate: {_lost_each(card, bracketed=True)}; every score and pass rate leaves those "
                     "records out, so it describes only the cases that got a reply, with a smaller n")
    if verdicts:
        parts.append(f"{_verdicts_lost(card, verdicts)}; those criteria's scores leave them out")
    return f"errors: {count.split}. " + "; and ".join(parts) + " (see Errors in the table)"


def _lost_each(card: Scorecard, bracketed: bool = False) -> str:
    """``bot 3 of 10: server_error 2, rate_limit 1``: each candidate's records without a reply, by kind (or,
    ``bracketed``, ``bot 3 of 10 with no reply (server_error 2, rate_limit 1)``, where no brackets hold it)."""
    if bracketed:
        return "; ".join(f"{name} {c.n_case_errors} of {c.n_records} with no reply"
                         + (f" ({fmt_kinds(c.case_errors_by_kind)})" if c.case_errors_by_kind else "")
                         for name, c in card.candidates.items() if c.n_case_errors)
    return "; ".join(f"{name} {c.n_case_errors} of {c.n_records}{_kinds(c.case_errors_by_kind)}"
                     for name, c in card.candidates.items() if c.n_case_errors)


def _verdicts_lost(card: Scorecard, verdicts: int) -> str:
    each = "; ".join(f"{name} {sum(c.judge_errors_by_criterion.values())}{_kinds(c.judge_errors_by_kind)}"
                     for name, c in card.candidates.items() if c.judge_errors_by_criterion)
    return f"{verdicts} judge verdict{'s' if verdicts != 1 else ''} ended in an error ({each})"


def _kinds(by_kind: dict[str, int]) -> str:
    return f": {fmt_kinds(by_kind)}" if by_kind else ""


def _percent(part: int, whole: int) -> str:
    share = 100 * part / whole
    return f"{share:.0f}%" if share >= 1 or share == 0 else "<1%"


def batch_notices(run_dir: Path) -> list[str]:
    """One notice for a ``--batch`` run: its answers came from provider batches (``batch.json``), not from an
    earlier run's cache, though the table counts them as cache hits (the run's normal pass read them there)."""
    from harness.batch.state import BATCH_STATE, load_state
    from harness.errors import UserError

    if not (Path(run_dir) / BATCH_STATE).is_file():
        return []
    try:
        jobs = load_state(Path(run_dir)).jobs
    except (OSError, ValueError, UserError):
        return []  # an unreadable batch.json costs the notice, not the scorecard
    if not jobs:
        return []
    by_model: dict[str, list[int]] = {}
    for job in jobs:
        counts = by_model.setdefault(job.model, [0, 0])
        counts[0], counts[1] = counts[0] + job.succeeded, counts[1] + 1
    each = "; ".join(f"{model} {n} in {b} batch{'es' if b != 1 else ''}" for model, (n, b) in by_model.items())
    failed = sum(job.failed for job in jobs)
    lost = f", {failed} batch line{'s' if failed != 1 else ''} failed" if failed else ""
    return [f"batch: {sum(j.succeeded for j in jobs)} answers came from {len(jobs)} provider "
            f"batch{'es' if len(jobs) != 1 else ''} ({each}{lost}; ids in batch.json), not from an earlier run: "
            "the run read them from the response cache, so the cache hits rows count them, latency is not "
            "measured for batched calls (p50/p90 leave them out) and a priced model's cost is at batch prices"]
