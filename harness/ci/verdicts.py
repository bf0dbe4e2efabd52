"""Why one case × candidate failed: the failing checks (with evidence) and criteria (with the judge's reason).

Shared by the JUnit file, the Markdown summary and the pytest plugin, so all
three describe a failure in the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.records.schema import Record


@dataclass(frozen=True)
class SampleOutcome:
    """What the CI outputs say about one record: its errors, failures and reply (the record itself is not kept)."""

    sample: int
    error_kind: str | None
    errors: list[str]
    failures: list[str]
    failing_names: list[str]
    reply: str | None
    latency_s: float

    @classmethod
    def of(cls, record: Record) -> SampleOutcome:
        names, failures = _failing(record)
        error = record.error
        return cls(sample=record.sample, error_kind=error.kind if error else None,
                   errors=[f"{error.kind}: {error.message}"] if error is not None else [],
                   failures=failures, failing_names=names, reply=record.reply,
                   latency_s=record.responder.latency_s + record.judging.latency_s)


@dataclass
class CaseOutcome:
    """Every sample of one case × candidate, and what failed in them."""

    case_id: str
    candidate: str
    samples: list[SampleOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [line for s in self.samples for line in s.errors]

    @property
    def failures(self) -> list[str]:
        """One line per failing check or criterion (per sample when there are several), with its evidence."""
        several = len(self.samples) > 1
        return [(f"sample {s.sample}: " if several else "") + line for s in self.samples for line in s.failures]

    @property
    def failing_names(self) -> list[str]:
        return list(dict.fromkeys(name for s in self.samples for name in s.failing_names))

    @property
    def passed(self) -> bool:
        return not self.errors and not self.failing_names

    @property
    def reply(self) -> str:
        return next((s.reply for s in self.samples if s.reply is not None), "")

    @property
    def latency_s(self) -> float:
        return sum(s.latency_s for s in self.samples)

    @property
    def error_kind(self) -> str:
        """The first sample's error kind, or ``case_error`` when only a later sample failed."""
        return self.samples[0].error_kind or "case_error"


def failing_names(record: Record) -> list[str]:
    """The record's failing (or crashed) check and criterion names, as ``check x`` / ``criterion y``."""
    return _failing(record)[0]


def _failing(record: Record) -> tuple[list[str], list[str]]:
    """The record's failing check and criterion names (``check x``, ``criterion y``) and its failure
    lines (``check apology_wording failed: "sorry you feel that way" (non-apology)``, judge errors
    included), from one pass over its checks and verdicts (this runs for every record a run writes)."""
    names, lines = [], []
    for name, result in record.checks.items():
        if result.passed is False:
            evidence = "; ".join([f'"{span.text}"' for span in result.evidence]) or "no evidence span"
            detail = f" ({result.detail})" if result.detail else ""
            names.append(f"check {name}")
            lines.append(f"check {name} failed: {evidence}{detail}")
        elif result.passed is None and result.data.get("error") == "check_crashed":
            names.append(f"check {name}")  # decided nothing: a bug in the check, shown until it is fixed
            lines.append(f"check {name} crashed: {result.detail}")
    for name, verdict in record.judge.items():
        if verdict.error is not None:
            lines.append(f"criterion {name}: judge error {verdict.error.kind}: {verdict.error.message}")
        elif verdict.passed is False:
            names.append(f"criterion {name}")
            lines.append(f"criterion {name} failed (score {verdict.score:g}): {verdict.reason}")
    return names, lines


@dataclass
class CaseOutcomes:
    """:func:`case_outcomes` one record at a time, so a run can keep its outcomes as it writes its records.

    Holds a :class:`SampleOutcome` per record (its reply and failure lines), never the record.
    """

    groups: dict[tuple[str, str], CaseOutcome] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        key = (record.candidate, record.case_id)
        outcome = self.groups.get(key)
        if outcome is None:
            outcome = self.groups[key] = CaseOutcome(record.case_id, record.candidate)
        outcome.samples.append(SampleOutcome.of(record))

    def result(self) -> list[CaseOutcome]:
        """The outcomes in first-seen order, each case's samples in sample order."""
        for outcome in self.groups.values():
            outcome.samples.sort(key=lambda r: r.sample)
        return list(self.groups.values())


def case_outcomes(records: Iterable[Record]) -> list[CaseOutcome]:
    """Records grouped by case × candidate, in first-seen order, samples in order (one pass; records not kept)."""
    outcomes = CaseOutcomes()
    for record in records:
        outcomes.add(record)
    return outcomes.result()


def by_candidate(outcomes: list[CaseOutcome]) -> dict[str, list[CaseOutcome]]:
    grouped: dict[str, list[CaseOutcome]] = defaultdict(list)
    for outcome in outcomes:
        grouped[outcome.candidate].append(outcome)
    return dict(grouped)


def failing_case_ids(run_dir, candidates: list[str] | None = None) -> frozenset[str]:
    """Ids of the cases with a record in ``run_dir`` (of ``candidates``, if given) that erred, failed a check
    or failed a criterion: what ``harness run --failing RUN`` runs again."""
    from harness.gates.tolerance import record_has_error
    from harness.records.store import check_candidates, iter_records

    # A directory that holds no run is refused here, with its reason; so is a candidate it lacks.
    check_candidates(run_dir, candidates, "--failing")
    wanted = set(candidates) if candidates else None
    return frozenset(record.case_id for record in iter_records(run_dir)
                     if (wanted is None or record.candidate in wanted)
                     and (record_has_error(record) or _failing(record)[0]))
