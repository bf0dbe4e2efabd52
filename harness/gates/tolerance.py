"""The error tolerance of a run: the share of records that ended in an error.

A record counts once when it has a case error (no reply) or a judge error on
any criterion. A run is complete within its tolerance when it finished, at
least one record was graded (it has a reply and a verdict from a check or a
criterion, even beside a judge error on another criterion), and the share of
records with an error is at most the eval file's ``max_error_rate`` (when it
sets one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.records.schema import Record
from harness.records.store import iter_records


@dataclass(frozen=True)
class ErrorCount:
    records: int
    with_error: int
    graded: int | None = None  # records with a reply and at least one verdict (None: not counted)

    @property
    def rate(self) -> float:
        return self.with_error / self.records if self.records else 0.0


def record_has_error(record: Record) -> bool:
    return record.error is not None or any(v.error is not None for v in record.judge.values())


def record_was_graded(record: Record) -> bool:
    """A reply with at least one verdict: a check's pass/fail or a criterion's score."""
    return record.error is None and (any(c.passed is not None for c in record.checks.values())
                                     or any(v.score is not None for v in record.judge.values()))


@dataclass
class ErrorTally:
    """:func:`count_errors` one record at a time, so a run can count its errors as it writes its records."""

    records: int = 0
    with_error: int = 0
    graded: int = 0

    def add(self, record: Record) -> None:
        self.records += 1
        self.with_error += record_has_error(record)
        self.graded += record_was_graded(record)

    def count(self) -> ErrorCount:
        return ErrorCount(self.records, self.with_error, self.graded)


def count_errors(run_dir: str | Path) -> ErrorCount:
    """How many records the run holds and how many of them carry an error."""
    tally = ErrorTally()
    for record in iter_records(Path(run_dir)):
        tally.add(record)
    return tally.count()


def within_tolerance(count: ErrorCount, status: str, max_error_rate: float | None) -> tuple[bool, str]:
    """Whether the run completed within its tolerance, and why (not).

    A run in which every record ended in an error graded nothing: it fails whatever ``max_error_rate``
    says (without one, that is the only error share that fails).
    """
    share = f"{count.with_error} of {count.records} records ended in an error ({count.rate:.1%})"
    if status != "complete":
        return False, f"the run is {status}, not complete"
    if count.records == 0:
        return False, "the run holds no record: nothing was graded"
    if count.with_error == count.records and not count.graded:
        # A judge error on one criterion marks a record, but the record may still hold verdicts: only a run
        # with none at all graded nothing.
        return False, f"every record ({count.with_error} of {count.records}) ended in an error: nothing was graded"
    if max_error_rate is None:
        return True, f"{share}; no max_error_rate set (only a run whose every record ended in an error fails)"
    if count.rate > max_error_rate:
        return False, f"{share}, above max_error_rate {max_error_rate:.1%}"
    return True, f"{share}, within max_error_rate {max_error_rate:.1%}"
