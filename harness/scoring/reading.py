"""A slim reader of ``records.jsonl`` for scoring: only what a scorecard counts.

:func:`harness.records.store.iter_records` validates every field of every
record, the reply's evidence spans and check details included. A scorecard
needs none of that text, so :func:`iter_scoring_records` reads each line into a
:class:`ScoringRecord` that keeps the fields scoring reads (verdicts, check
outcomes and ``data``, errors, call accounting, the reply for its length) and
skips the rest unparsed into models. Lines it cannot read take the full reader,
so a bad or newer record fails with the same message either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field

from harness.records.schema import RECORD_SCHEMA_VERSION, CallStats, CriterionResult, ErrorInfo
from harness.records.store import RECORDS, parse_record


class ScoringCheck(BaseModel):
    """A check's outcome without its evidence and detail."""

    model_config = ConfigDict(extra="ignore")

    passed: bool | None
    data: dict[str, Any] = Field(default_factory=dict)


class ScoringRecord(BaseModel):
    """The fields of a :class:`~harness.records.schema.Record` that scoring reads, by the same names."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = RECORD_SCHEMA_VERSION
    case_id: str
    candidate: str
    sample: int = 0
    persona: str | None = None
    category: str | None = None
    turn_index: int | None = None
    reply: str | None = None
    checks: dict[str, ScoringCheck] = Field(default_factory=dict)
    judge: dict[str, CriterionResult] = Field(default_factory=dict)
    error: ErrorInfo | None = None
    responder: CallStats = Field(default_factory=CallStats)
    judging: CallStats = Field(default_factory=CallStats)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.case_id, self.candidate, self.sample)


def iter_scoring_records(run_dir: Path) -> Iterator[ScoringRecord]:
    """Stream a run's records for :func:`~harness.scoring.scorecard.build_scorecard` (a torn last line is skipped)."""
    path = Path(run_dir) / RECORDS
    if not path.exists():
        return
    validate = ScoringRecord.model_validate_json
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith("\n"):
                return  # torn tail of an interrupted write
            try:
                record = validate(line)
            except ValueError:
                record = None
            if record is None or record.schema_version > RECORD_SCHEMA_VERSION:
                # The full reader raises this line's error, or accepts what the slim one did not.
                record = ScoringRecord.model_validate(parse_record(line, path, number).model_dump())
            yield record
