"""What a run's end-of-run outputs need from each record, folded in as the record is written.

The scorecard, the report's record rows, the error count of the gates and the
index, and the case outcomes of ``junit.xml`` and ``summary.md`` each used to
read ``records.jsonl`` back after the last model call: five parses of every
record on the critical path. The engine feeds each :class:`Record` to a
:class:`RunTally` right after writing it instead, while the event loop would
otherwise wait on the network, and the end of the run only assembles. (In a
fully cached rerun the loop never waits: there, folding in the loop costs about
the CPU of one pass over the file at the end, measured at 2,000 records.)

State stays small per record: scorecard accumulators (no record kept), the
report's rendered row text, and one :class:`~harness.ci.verdicts.SampleOutcome`
(reply and failure lines). With epochs the scorecard needs a case's samples
together (:func:`~harness.sampling.epochs.reduce_epochs` holds them all), so a
tally does not score and the scorecard streams from disk as before.

Without a tally (``harness report``, gating an existing run directory), the
same tally is filled by one pass over the file (:func:`tally_run_dir`), so
both ways build the same outputs from the same code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.ci.verdicts import CaseOutcomes
from harness.gates.tolerance import ErrorTally
from harness.records.schema import Manifest, Record
from harness.records.store import iter_records
from harness.report.html_records import RecordRows, RecordView
from harness.scoring.scorecard import ScorecardBuilder


class CaseSnapshot(Mapping):
    """A run's case snapshot by id, as :func:`~harness.runner.outputs.load_cases` reads it, from the lines the
    run wrote to ``cases.jsonl``: a case is parsed each time a record of it is rendered (in the task loop),
    not all of them before the first model call (~30 ms at 2,000 cases). Only the lines are kept: a parsed
    case takes ~5x the memory of its line, and a run holds every case until its end, while parsing again
    costs ~10 us per record."""

    def __init__(self, lines: dict[str, str]) -> None:
        self._lines = lines

    def __getitem__(self, case_id: str) -> dict:
        return json.loads(self._lines[case_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


def manifest_criteria(manifest: Manifest) -> dict | None:
    """The rubric's criteria as the scorecard takes them (``None`` for a run without a judge)."""
    return manifest.rubric["criteria"] if manifest.rubric else None


@dataclass(repr=False)
class RunTally:
    """The end-of-run consumers' state, each part optional: only what the caller will use is kept.

    Its repr is a line of counts, not its contents: ``asyncio.run`` reprs the run's result (which holds
    the tally) when it restores the SIGINT handler, and a repr of every case outcome cost ~60 ms at
    2,000 records, growing with the run.
    """

    errors: ErrorTally
    scoring: ScorecardBuilder | None = None  # None with epochs: the scorecard then streams from disk
    rows: RecordRows | None = None
    outcomes: CaseOutcomes | None = None
    failed: Exception | None = None  # set by fold: the tally is then not used, the records are read instead

    @classmethod
    def for_run(cls, manifest: Manifest, cases: Mapping[str, dict]) -> RunTally:
        """Everything a run's end needs: scorecard, report rows, error count, case outcomes."""
        tally = cls.for_report(manifest, cases)
        tally.outcomes = CaseOutcomes()
        return tally

    @classmethod
    def for_report(cls, manifest: Manifest, cases: Mapping[str, dict]) -> RunTally:
        """What :func:`~harness.runner.outputs.finalize_run` needs; ``cases`` is the case snapshot by id."""
        from harness.report.case_about import eval_check_about

        builder = ScorecardBuilder(manifest, manifest_criteria(manifest))
        criteria = manifest_criteria(manifest) or {}
        view = RecordView(criteria=list(criteria), checks=sorted(manifest.checks), cases=cases,
                          scales={name: (c or {}).get("scale") for name, c in criteria.items() if isinstance(c, dict)},
                          about=eval_check_about(manifest.eval_spec))
        return cls(errors=ErrorTally(), scoring=builder if builder.streams else None, rows=RecordRows(view))

    @classmethod
    def for_gates(cls) -> RunTally:
        """What :func:`~harness.ci.nightly.gate_run` needs: the error count and the case outcomes."""
        return cls(errors=ErrorTally(), outcomes=CaseOutcomes())

    def __repr__(self) -> str:
        parts = [f"records={self.errors.records}", f"with_error={self.errors.with_error}"]
        parts += [name for name in ("scoring", "rows", "outcomes") if getattr(self, name) is not None]
        parts += [f"failed={type(self.failed).__name__}"] if self.failed is not None else []
        return f"RunTally({', '.join(parts)})"

    def add(self, record: Record) -> None:
        """Fold in one record, in the order of ``records.jsonl`` (the report's row order and the scores' sums)."""
        self.errors.add(record)
        if self.scoring is not None:
            self.scoring.add(record)
        if self.rows is not None:
            self.rows.add(record)
        if self.outcomes is not None:
            self.outcomes.add(record)

    def fold(self, record: Record) -> None:
        """:meth:`add` for a run in progress: a bug in an output must not stop a run whose records are being
        written. The first error marks the tally failed; the outputs are then built from ``records.jsonl``
        (where such a bug shows again, at the end of the run, as it did before there was a tally)."""
        if self.failed is not None:
            return
        try:
            self.add(record)
        except Exception as exc:  # noqa: BLE001 - kept, and answered by reading the records at the end
            self.failed = exc
            print(f"harness: warning: the run's outputs will be read back from its records "
                  f"({type(exc).__name__}: {exc})", file=sys.stderr)

    @property
    def usable(self) -> bool:
        return self.failed is None

    def add_all(self, records: Iterable[Record]) -> RunTally:
        for record in records:
            self.add(record)
        return self

    def take_rows(self) -> RecordRows | None:
        """The report rows, let go of here: they are the largest state and are rendered once."""
        rows, self.rows = self.rows, None
        return rows


def tally_run_dir(run_dir: str | Path, tally: RunTally) -> RunTally:
    """``tally`` filled from the run's ``records.jsonl`` in one pass (a torn last line is skipped)."""
    return tally.add_all(iter_records(Path(run_dir)))
