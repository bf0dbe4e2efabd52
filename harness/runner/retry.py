"""``--resume --retry-errors``: which errored records are asked again, and how much of each.

A record without a reply (a case error) is evaluated again from the start. A record whose reply is there and
whose only errors are the judge's (a criterion's ask failed) or a check's (it crashed) keeps its reply: only
the criteria that erred are asked again and only the checks that crashed run again, with no responder call.
Inspect AI's ``eval-retry`` re-runs whole samples; here a good reply (sampled at temperature 0.7, say, with
``--no-cache``) is never replaced because the judge had a bad minute.

The records set aside for a re-judge are written to :data:`PENDING` before they leave ``records.jsonl``, so a
retry interrupted before it re-judged them loses no reply: the next ``--resume`` puts them back (or, with
``--retry-errors`` again, re-judges them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.checks.base import Check, CheckContext, is_crashed
from harness.datasets.schema import Case
from harness.gates.tolerance import crashed_checks, record_in_error
from harness.records.schema import CallStats, Record
from harness.records.store import RECORDS, atomic_write_text, iter_records, parse_record
from harness.records.timestamps import now_iso

PENDING = "retry-pending.jsonl"  # records whose reply a --retry-errors keeps, until they are re-judged


@dataclass
class RetryPlan:
    """What a resume keeps and what it asks again."""

    kept: list[Record] = field(default_factory=list)
    rejudge: dict[tuple[str, str, int], Record] = field(default_factory=dict)  # by key: reply kept
    from_reply: int = 0  # records without a reply, evaluated again from the start

    def start_line(self) -> str | None:
        """``4 records to redo: 3 from the reply, 1 judge only`` (None: nothing to redo)."""
        judge = sum(any(v.error is not None for v in r.judge.values()) for r in self.rejudge.values())
        checks = len(self.rejudge) - judge
        total = self.from_reply + len(self.rejudge)
        if not total:
            return None
        parts = [f"{n} {words}" for n, words in ((self.from_reply, "from the reply"), (judge, "judge only"),
                                                 (checks, "crashed check only")) if n]
        kept = (" (their replies kept: the judge's failed criteria asked again and crashed checks run again, "
                "no responder call)") if self.rejudge else ""
        return f"{total} record{'s' if total != 1 else ''} to redo: {', '.join(parts)}{kept}"


def needs_verdicts_only(record: Record) -> bool:
    """A reply that is fine with an error beside it: a judge error on a criterion, or a check that crashed."""
    return record.error is None and record_in_error(record)


def plan_retry(run_dir: Path, records: list[Record], retry_errors: bool, planned: set | None) -> RetryPlan:
    """Split the run's records (and any set aside by an interrupted retry) into those kept and those asked again.

    ``planned`` holds the keys this resume evaluates (None: all): a record of a candidate left out this time is
    kept as it is. Without ``retry_errors``, records set aside earlier are put back unchanged.
    """
    have = {r.key for r in records}
    pending = [r for r in read_pending(run_dir) if r.key not in have]
    plan = RetryPlan()
    if not retry_errors:
        plan.kept = records + pending
        if pending:  # an interrupted retry's replies: back where they were
            _rewrite(run_dir, plan.kept)
        remove_pending(run_dir)
        return plan
    for record in records + pending:
        asked = planned is None or record.key in planned
        if asked and record.error is not None:
            plan.from_reply += 1
        elif asked and needs_verdicts_only(record):
            plan.rejudge[record.key] = record
        else:
            plan.kept.append(record)
    # The replies kept for a re-judge are saved before they leave records.jsonl: nothing written is lost.
    atomic_write_text(run_dir / PENDING, "".join(r.model_dump_json() + "\n" for r in plan.rejudge.values()))
    if len(plan.kept) != len(records) or pending:
        _rewrite(run_dir, plan.kept)
    if not plan.rejudge:
        remove_pending(run_dir)
    return plan


def _rewrite(run_dir: Path, records: list[Record]) -> None:
    atomic_write_text(run_dir / RECORDS, "".join(r.model_dump_json() + "\n" for r in records))


def read_pending(run_dir: Path) -> list[Record]:
    """The records an interrupted ``--retry-errors`` set aside (empty when there is no such file)."""
    path = Path(run_dir) / PENDING
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        return [parse_record(line, path, number) for number, line in enumerate(handle, start=1)
                if line.endswith("\n")]


def remove_pending(run_dir: Path) -> None:
    (Path(run_dir) / PENDING).unlink(missing_ok=True)


async def redo_verdicts(old: Record, case: Case, checks: list[Check], judge) -> Record:
    """``old`` with its crashed checks run again and its failed criteria asked again, on its own reply."""
    from harness.runner.evaluate import run_checks_async

    record = old.model_copy(deep=True)
    ctx = CheckContext(case=case, reply=old.reply or "", candidate=old.candidate, responder=old.responder,
                       system_prompt=old.system_prompt)
    if old.tool_calls:  # asked again with what the bot looked up, as the first time
        ctx.extra["tool_calls"] = old.tool_calls
    crashed = set(crashed_checks(old))
    again = [check for check in checks if check.name in crashed]
    if again:
        record.checks.update(await run_checks_async(again, ctx))
    erred = [name for name, verdict in old.judge.items() if verdict.error is not None]
    if erred and judge is not None:
        stats = CallStats()
        fresh = await narrowed(judge, erred).grade(replace(ctx, case=_own_criteria(case, erred)), stats)
        record.judge.update({name: fresh[name] for name in erred if name in fresh})
        record.judging = stats if record.judging is None else record.judging + stats
    record.finished_at = now_iso()
    return record


def narrowed(judge, ids: list[str]):
    """``judge`` asking only the rubric criteria in ``ids`` (a panel's and an epoch judge's members alike)."""
    from harness.judges.judge import Judge
    from harness.judges.panel import Panellist, PanelJudge
    from harness.sampling.judge_epochs import EpochJudge

    if isinstance(judge, PanelJudge):
        return PanelJudge([Panellist(p.name, narrowed(p.judge, ids)) for p in judge.panellists],
                          _rubric(judge.rubric, ids), judge.aggregate)
    if isinstance(judge, EpochJudge):
        return EpochJudge(narrowed(judge.judge, ids), epochs=judge.epochs, reducer=judge.reducer)
    if isinstance(judge, Judge):
        return replace(judge, rubric=_rubric(judge.rubric, ids))
    return judge  # a judge of another kind is asked whole; only the failed criteria's answers are taken


def _rubric(rubric, ids: list[str]):
    return rubric.model_copy(update={"criteria": [c for c in rubric.criteria if c.id in ids]})


def _own_criteria(case: Case, ids: list[str]) -> Case:
    """``case`` with only those of its own criteria in ``ids``."""
    if not case.criteria:
        return case
    return case.model_copy(update={"criteria": [c for c in case.criteria if c.get("id") in ids]})
