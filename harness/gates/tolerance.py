"""The error tolerance of a run: the share of records that ended in an error, and what no error share excuses.

A record counts once when it has a case error (no reply), a judge error on
any criterion, or a check that crashed on it (a custom check that raised: it
decided nothing there, an errored measurement, as promptfoo counts an assertion
that throws as an error, not a failure). A run is complete within its tolerance
when it finished and:

- at least one record was graded (it has a reply and a verdict from a check or
  a criterion, even beside a judge error on another criterion);
- every candidate has a record that came through without an error: a record
  whose responder call failed, or whose every judge ask failed (no verdict on
  any criterion), did not;
- with a judge, the judge gave at least one verdict: a run in which every ask
  ended in an error (not one that nothing applied to) measured nothing with it;
- every check that crashed somewhere decided some record: one that crashed on
  every record it ran on (applied to) measured nothing, as that judge did not;
- the share of records with an error is at most the eval file's
  ``max_error_rate``, :data:`DEFAULT_MAX_ERROR_RATE` when it sets none (as
  Inspect AI fails a task on a sample error by default and promptfoo counts an
  errored test as failed, a run that lost many records does not pass silently;
  ``max_error_rate: 1`` turns the share off).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.checks.base import is_crashed
from harness.records.schema import Record
from harness.records.store import iter_records
from harness.scoring.notices import error_split, fmt_kinds

# The share of records with an error a run may have when its eval file sets no max_error_rate (README's example
# value): a transient blip of a few records passes, a provider outage that cost a fifth of a run does not.
DEFAULT_MAX_ERROR_RATE = 0.05


@dataclass(frozen=True)
class ErrorCount:
    records: int
    with_error: int
    graded: int | None = None  # records with a reply and at least one verdict (None: not counted)
    # Candidates none of whose records came through, each with its errors by kind: ("local", "model_error 10").
    no_result: tuple[tuple[str, str], ...] = ()
    judge_verdicts: int = 0  # criterion verdicts with a score, over the run
    judge_errors: int = 0    # judge asks that ended in an error, over the run
    judge_error_kinds: str = ""  # "model_error 20" (empty without judge errors)
    crashed: int = 0  # records on which a check crashed (counted in with_error)
    crashed_checks: str = ""  # "gold_ok 20, boom 2": records each crashed check decided nothing on
    # Checks that crashed on every record they ran on, each with how many: ("gold_ok", 20). No verdict at all.
    checks_gave_nothing: tuple[tuple[str, int], ...] = ()
    no_reply: int = 0  # records that ended in a case error: no reply (counted in with_error)
    judge_erred: int = 0  # records with a reply and a judge error on some criterion (counted in with_error)

    @property
    def rate(self) -> float:
        return self.with_error / self.records if self.records else 0.0

    @property
    def split(self) -> str:
        """``4 of 10 records (40.0%) with an error: 3 without a reply, 1 with a judge error``: the one way the
        gates and the scorecard's notice count a run's errors."""
        crashed_only = max(0, min(self.crashed, self.with_error - self.no_reply - self.judge_erred))
        return error_split(self.records, self.with_error, (self.no_reply, self.judge_erred, crashed_only),
                           self.crashed_checks)

    @property
    def judge_gave_nothing(self) -> bool:
        """The judge was asked and every ask ended in an error: not one verdict in the run."""
        return self.judge_errors > 0 and self.judge_verdicts == 0


def record_has_error(record: Record) -> bool:
    """A case or judge error (what a case outcome calls erred). A crashed check is not one of them; the error
    count still counts it (:class:`ErrorTally`), and ``--retry-errors`` runs it again (:mod:`harness.runner.retry`)."""
    return record.error is not None or any(v.error is not None for v in record.judge.values())


def record_in_error(record: Record) -> bool:
    """Whether the record carries an error of any kind: a case error (no reply), a judge error on a criterion,
    or a check error (a check that crashed on it: the reply is there, the check decided nothing). What the
    error rate counts, and what ``harness show`` marks ``ERROR``."""
    return record_has_error(record) or bool(crashed_checks(record))


def crashed_checks(record: Record) -> list[str]:
    """The names of the record's checks that crashed (raised, or ran out of time) instead of deciding."""
    return [name for name, result in record.checks.items() if is_crashed(result)]


def record_was_graded(record: Record) -> bool:
    """A reply with at least one verdict: a check's pass/fail or a criterion's score."""
    return record.error is None and (any(c.passed is not None for c in record.checks.values())
                                     or any(v.score is not None for v in record.judge.values()))


@dataclass
class _CandidateTally:
    records: int = 0
    came_through: int = 0
    kinds: Counter = field(default_factory=Counter)  # the failed records' errors: "timeout", "judge model_error"


@dataclass
class ErrorTally:
    """:func:`count_errors` one record at a time, so a run can count its errors as it writes its records."""

    records: int = 0
    with_error: int = 0
    graded: int = 0
    judge_verdicts: int = 0
    judge_errors: int = 0
    judge_kinds: Counter = field(default_factory=Counter)
    crashed: int = 0
    no_reply: int = 0
    judge_erred: int = 0
    crashed_kinds: Counter = field(default_factory=Counter)  # check name -> records it crashed on
    decided_kinds: Counter = field(default_factory=Counter)  # check name -> records it passed or failed
    candidates: dict[str, _CandidateTally] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        self.records += 1
        errors = scores = 0
        first = None
        for verdict in record.judge.values():
            if verdict.error is not None:
                errors += 1
                first = first or verdict.error.kind
                self.judge_kinds[verdict.error.kind] += 1
            elif verdict.score is not None:
                scores += 1
        self.judge_errors += errors
        self.judge_verdicts += scores
        crashed = crashed_checks(record)
        self.crashed += bool(crashed)
        self.crashed_kinds.update(crashed)
        self.decided_kinds.update(name for name, c in record.checks.items() if c.passed is not None)
        self.with_error += record.error is not None or errors > 0 or bool(crashed)
        self.no_reply += record.error is not None
        self.judge_erred += record.error is None and errors > 0
        self.graded += record.error is None and (scores > 0 or any(c.passed is not None
                                                                   for c in record.checks.values()))
        tally = self.candidates.get(record.candidate)
        if tally is None:
            tally = self.candidates[record.candidate] = _CandidateTally()
        tally.records += 1
        if record.error is not None:
            tally.kinds[record.error.kind] += 1
        elif errors and not scores:  # every ask of the judge failed: the record has no verdict of it
            tally.kinds[f"judge {first}"] += 1
        else:
            tally.came_through += 1

    def count(self) -> ErrorCount:
        failed = tuple((name, fmt_kinds(t.kinds)) for name, t in self.candidates.items() if not t.came_through)
        silent = tuple((name, n) for name, n in sorted(self.crashed_kinds.items()) if not self.decided_kinds[name])
        return ErrorCount(self.records, self.with_error, self.graded, failed, self.judge_verdicts,
                          self.judge_errors, fmt_kinds(self.judge_kinds), self.crashed, fmt_kinds(self.crashed_kinds),
                          silent, self.no_reply, self.judge_erred)


def count_errors(run_dir: str | Path) -> ErrorCount:
    """How many records the run holds and how many of them carry an error."""
    tally = ErrorTally()
    for record in iter_records(Path(run_dir)):
        tally.add(record)
    return tally.count()


def error_tolerance(max_error_rate: float | None) -> tuple[float, bool]:
    """The share of records with an error a run may have, and whether it is the default (the eval file's
    ``max_error_rate`` is None: unset)."""
    return (DEFAULT_MAX_ERROR_RATE, True) if max_error_rate is None else (float(max_error_rate), False)


def within_tolerance(count: ErrorCount, status: str, max_error_rate: float | None) -> tuple[bool, str]:
    """Whether the run completed within its tolerance, and why (not): each cause that failed it, named.

    Whatever ``max_error_rate`` says, a run fails when nothing was graded, when a candidate has no record
    without an error, when the judge gave no verdict at all because every ask ended in an error, or when a
    check did not, crashing on every record it ran on. Without one, :data:`DEFAULT_MAX_ERROR_RATE` holds.
    """
    if status != "complete":
        return False, f"the run is {status}, not complete"
    if count.records == 0:
        return False, "the run holds no record: nothing was graded"
    causes = unusable_causes(count)
    if causes:
        return False, "; ".join(causes)
    bound, default = error_tolerance(max_error_rate)
    if bound >= 1:
        return True, f"{count.split}; max_error_rate 1 (the share of errors is not held)"
    named = f"the default max_error_rate {bound:.1%} (the eval file sets none; max_error_rate: 1 turns it off)" \
        if default else f"max_error_rate {bound:.1%}"
    if count.rate > bound:
        return False, f"{count.split}, above {named}"
    return True, f"{count.split}, within {named}"


def unusable_causes(count: ErrorCount) -> list[str]:
    """Why errors left the run with nothing to show for a candidate or for its judge (empty: they did not)."""
    if count.with_error == count.records and not count.graded:
        # A judge error on one criterion marks a record, but the record may still hold verdicts: only a run
        # with none at all graded nothing.
        kinds = "; ".join(f"{name}: {kinds}" for name, kinds in sorted(count.no_result))
        return [f"every record ({count.with_error} of {count.records}) ended in an error: nothing was graded"
                + (f" ({kinds})" if kinds else "")]
    causes = []
    if count.no_result:
        which = ", ".join(f"{name} ({kinds})" for name, kinds in sorted(count.no_result))
        causes.append(f"no record of candidate{'s' if len(count.no_result) > 1 else ''} {which} came through "
                      f"without an error")
    if count.judge_gave_nothing:
        causes.append(f"the judge gave no verdict: all {count.judge_errors} of its asks ended in an error "
                      f"({count.judge_error_kinds})")
    # A check that crashed wherever it ran decided nothing in the whole run, as such a judge: not a figure.
    causes += [f"check {name} gave no verdict: it crashed on all {n} record{'s' if n != 1 else ''} it ran on "
               f"(each record's detail says why)" for name, n in count.checks_gave_nothing]
    return causes
