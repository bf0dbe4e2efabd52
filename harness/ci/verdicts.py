"""Why one case × candidate failed: the failing checks (with evidence) and criteria (with the judge's reason).

Shared by the JUnit file, the Markdown summary and the pytest plugin, so all
three describe a failure in the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.checks.base import CheckResult, is_crashed
from harness.gates.tolerance import crashed_checks
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
    failure_of: list[str] = field(default_factory=list)  # per line of ``failures``: ``check x`` / ``criterion y``
    # The checks among ``failing_names`` that crashed (``check x``): a check error of the record, not a failure.
    # They stay in ``failing_names``/``failures`` (a crash is never a pass: the pytest plugin fails on them).
    crashed: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, record: Record) -> SampleOutcome:
        names, failures, of = _failing_lines(record)
        error = record.error
        return cls(sample=record.sample, error_kind=error.kind if error else None,
                   errors=[f"{error.kind}: {error.message}"] if error is not None else [],
                   failures=failures, failing_names=names, reply=record.reply,
                   latency_s=record.responder.latency_s + record.judging.latency_s, failure_of=of,
                   crashed=[f"check {name}" for name in crashed_checks(record)])

    def is_crash(self, name: str) -> bool:
        """Whether the line about ``name`` (``check x``) in this sample is a crash (a check error)."""
        return name in self.crashed


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

    def failures_of(self, held, crashes: bool = True) -> tuple[list[str], list[str]]:
        """:attr:`failures` split in two: the lines about a measure ``held(name)`` says is held (``check x``,
        ``criterion y``), and the rest; without ``crashes``, the lines of crashed checks left out (they are
        :attr:`check_errors`)."""
        several = len(self.samples) > 1
        kept: tuple[list[str], list[str]] = ([], [])
        for s in self.samples:
            for line, name in zip(s.failures, s.failure_of or [""] * len(s.failures)):
                if crashes or not s.is_crash(name):
                    kept[0 if held(name) else 1].append((f"sample {s.sample}: " if several else "") + line)
        return kept

    @property
    def failing_names(self) -> list[str]:
        """The checks and criteria that failed or crashed (``check x``, ``criterion y``)."""
        return list(dict.fromkeys(name for s in self.samples for name in s.failing_names))

    @property
    def failed_names(self) -> list[str]:
        """:attr:`failing_names` less the checks that only crashed: the measures that gave a failing verdict."""
        return list(dict.fromkeys(name for s in self.samples for name in s.failing_names if not s.is_crash(name)))

    @property
    def crashed_names(self) -> list[str]:
        """The checks that crashed on some sample (``check x``): check errors, not failures."""
        return list(dict.fromkeys(name for s in self.samples for name in s.crashed))

    def check_errors(self, held=lambda name: True) -> list[str]:
        """One line per crashed check (per sample with epochs) that ``held(name)`` keeps:
        ``check gold_ok crashed: ValueError: boom``."""
        several = len(self.samples) > 1
        return [(f"sample {s.sample}: " if several else "") + line for s in self.samples
                for line, name in zip(s.failures, s.failure_of or [""] * len(s.failures))
                if s.is_crash(name) and held(name)]

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
    included)."""
    names, lines, _ = _failing_lines(record)
    return names, lines


def failed_check_line(name: str, result: CheckResult) -> str:
    """``check x failed: "the passage" (detail)``, or, where no passage of the reply shows the failure (a
    phrase or pattern that is not there), ``check x failed: none of 'refund' found``: what was looked for."""
    quoted = "; ".join([f'"{span.text}"' for span in result.evidence])
    if quoted:
        return f"check {name} failed: {quoted}" + (f" ({result.detail})" if result.detail else "")
    return f"check {name} failed" + (f": {result.detail}" if result.detail else "")


def _failing_lines(record: Record) -> tuple[list[str], list[str], list[str]]:
    """:func:`_failing`, and the measure each line is about (a judge error's line is ``""``: an error, not a
    verdict of the criterion), from one pass over its checks and verdicts (this runs for every record a run
    writes)."""
    names, lines, of = [], [], []
    for name, result in record.checks.items():
        if result.passed is False:
            names.append(f"check {name}")
            lines.append(failed_check_line(name, result))
            of.append(f"check {name}")
        elif is_crashed(result):
            names.append(f"check {name}")  # decided nothing: a bug in the check, shown until it is fixed
            # The detail opens "check crashed: ..." (harness.runner.evaluate.crashed): said once.
            lines.append(f"check {name} crashed: {result.detail.removeprefix('check crashed: ')}")
            of.append(f"check {name}")
    for name, verdict in record.judge.items():
        if verdict.error is not None:
            lines.append(f"criterion {name}: judge error {verdict.error.kind}: {verdict.error.message}")
            of.append("")
        elif verdict.passed is False:
            names.append(f"criterion {name}")
            lines.append(f"criterion {name} failed (score {verdict.score:g}): {verdict.reason}")
            of.append(f"criterion {name}")
    return names, lines, of


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


def failing_case_ids(run_dir, candidates: list[str] | None = None,
                     on: tuple[str, ...] | None = None) -> frozenset[str]:
    """Ids of the cases with a record in ``run_dir`` (of ``candidates``, if given) that erred, failed a check
    or failed a criterion: what ``harness run --failing RUN`` runs again. With ``on`` (``--failing-on``:
    check or criterion names of the run), only a failure of those counts, and an error that left them
    undecided (no reply, or a judge error on a named criterion)."""
    from harness.datasets.perturb import original_id, run_kinds
    from harness.records.store import check_candidates, iter_records, read_manifest

    # A directory that holds no run is refused here, with its reason; so is a candidate it lacks.
    check_candidates(run_dir, candidates, "--failing")
    targets = failing_targets(run_dir, on) if on is not None else None
    wanted = set(candidates) if candidates else None
    # A perturbed variant that failed selects its original, which brings its variants back with it.
    kinds = run_kinds(read_manifest(run_dir).dataset)
    return frozenset(original_id(record.case_id, kinds) for record in iter_records(run_dir)
                     if (wanted is None or record.candidate in wanted) and _counts(record, targets))


def _counts(record: Record, targets: frozenset[str] | None) -> bool:
    """Whether ``record`` failed (any check or criterion; with ``targets``, one of those) or erred before
    deciding them."""
    from harness.gates.tolerance import record_has_error

    if targets is None:
        return record_has_error(record) or bool(_failing(record)[0])
    if record.error is not None or any(v.error is not None and f"criterion {name}" in targets
                                       for name, v in record.judge.items()):
        return True
    return any(name in targets for name in _failing(record)[0])


def parse_targets(raw: str) -> tuple[str, ...]:
    """``--failing-on a,b`` as names; an empty name is refused (``--failing-on ,`` would count nothing)."""
    from harness.errors import ConfigError

    names = tuple(name.strip() for name in raw.split(","))
    if not all(names):
        raise ConfigError(f"give check or criterion names separated by commas (e.g. no_contradiction,"
                          f"policy_compliance); got {raw!r}", field="--failing-on")
    return names


def failing_targets(run_dir, names: tuple[str, ...]) -> frozenset[str]:
    """``names`` as ``check x`` / ``criterion y``: each a check or a criterion of the run in ``run_dir``
    (both, when it has a check and a criterion of that name); one it has neither of is a ConfigError."""
    from harness.errors import ConfigError
    from harness.records.store import read_manifest

    manifest = read_manifest(run_dir)
    checks, criteria = list(manifest.checks), list((manifest.rubric or {}).get("criteria") or {})
    unknown = [name for name in names if name not in checks and name not in criteria]
    if unknown:
        raise ConfigError(f"run {run_dir} has no check or criterion {', '.join(unknown)} (checks: "
                          f"{', '.join(checks) or 'none'}; criteria: {', '.join(criteria) or 'none'})",
                          field="--failing-on")
    return frozenset([f"check {n}" for n in names if n in checks] + [f"criterion {n}" for n in names if n in criteria])
