"""A run's gate outcome: each gate's verdict, what was not measured, the exit code, and ``gates.json``.

A gate is passed, failed, or not measured (nothing to hold its bound to: the
check applied to no case, no case was graded on both sides). A gate not
measured does not fail the run; it is shown as a warning and listed among the
notes, which the pytest plugin turns into warnings. The ``baseline usable``
gate fails when the baseline could not be compared at all (not comparable,
no case graded on both sides): exit code 2, as a baseline refused before the
run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.gates import EXIT_GATE_FAILED, EXIT_INCOMPLETE, EXIT_PASSED, EXIT_USAGE
from harness.gates.schema import GATES_SCHEMA_VERSION, GatesFile

GATES_FILE = "gates.json"
BASELINE_GATE = "baseline usable"
WORSE_SHOWN = 10  # case ids a failed regression lists in summary.md and the report's banner


@dataclass
class GateResult:
    """One gate on one candidate: ``name`` is e.g. ``min check no_contradiction``."""

    name: str
    candidate: str | None
    passed: bool
    detail: str
    cases: list[str] = field(default_factory=list)  # the cases behind a failure, worst first
    measured: bool = True  # False: nothing to hold the bound to; it passes, with a warning

    @property
    def status(self) -> str:
        """``passed``, ``failed`` or ``not_measured``."""
        return "failed" if not self.passed else "passed" if self.measured else "not_measured"

    @property
    def label(self) -> str:
        """The name with the candidate, as JUnit and the notes show it: ``min check x [bot]``."""
        return f"{self.name} [{self.candidate}]" if self.candidate else self.name


def gate_note(gate: GateResult) -> str:
    """The note a gate not measured adds to the outcome (the plugin warns with the notes)."""
    return f"{gate.label}: {gate.detail}"


@dataclass
class GateOutcome:
    """Every gate of a run, its completion, and the exit code they add up to."""

    gates: list[GateResult]
    complete: bool
    completion: str
    baseline: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    @property
    def not_measured(self) -> list[GateResult]:
        return [g for g in self.gates if g.status == "not_measured"]

    @property
    def passed(self) -> bool:
        return self.complete and not self.failed

    @property
    def exit_code(self) -> int:
        """3 incomplete, else 2 when the baseline could not be used, else 1 when a gate failed, else 0."""
        if not self.complete:
            return EXIT_INCOMPLETE
        if any(g.name == BASELINE_GATE for g in self.failed):
            return EXIT_USAGE
        return EXIT_GATE_FAILED if self.failed else EXIT_PASSED

    def general_notes(self) -> list[str]:
        """The notes that are not a gate's own (those gates are shown with their warning already)."""
        own = {gate_note(g) for g in self.not_measured}
        return [note for note in self.notes if note not in own]


def write_outcome(run_dir: Path, outcome: GateOutcome) -> Path:
    """Write what the run was held to (``gates.json``): every gate, the baseline, the notes, the exit code.

    Readers of a finished run (the pytest plugin) take the verdict from here, so they agree with the
    command that ran it, baseline included, instead of judging again without one.
    """
    from harness.records.store import atomic_write_json

    path = Path(run_dir) / GATES_FILE
    data = asdict(outcome) | {"gates": [asdict(g) | {"status": g.status} for g in outcome.gates]}
    atomic_write_json(path, {"schema_version": GATES_SCHEMA_VERSION, **data, "passed": outcome.passed,
                             "exit_code": outcome.exit_code})
    return path


def read_outcome(run_dir: Path) -> GateOutcome | None:
    """The outcome :func:`write_outcome` wrote into ``run_dir``, or None when it was never gated there."""
    from pydantic import ValidationError

    from harness.config.yamlfile import first_error, format_loc
    from harness.errors import ResultsError

    path = Path(run_dir) / GATES_FILE
    if not path.exists():
        return None
    try:
        data = GatesFile.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ResultsError(f"cannot read the gate outcome: {exc.strerror}", file=str(path)) from None
    except ValidationError as exc:
        loc, message = first_error(exc)
        where = f"{format_loc(loc)}: " if loc else ""
        raise ResultsError(f"corrupt gate outcome ({where}{message})", file=str(path)) from None
    if data.schema_version > GATES_SCHEMA_VERSION:
        raise ResultsError(f"written by a newer harness (schema_version {data.schema_version}; this one reads "
                           f"up to {GATES_SCHEMA_VERSION})", file=str(path))
    gates = [GateResult(**g.model_dump(exclude={"status"})) for g in data.gates]
    return GateOutcome(gates=gates, complete=data.complete, completion=data.completion, baseline=data.baseline,
                       notes=data.notes)


def worse_on(cases: list[str], shown: int = WORSE_SHOWN) -> str:
    """``; worse on c040, c041`` for a failed regression's cases, the first ``shown`` of them and how many more
    (``…, and 3 more (gates.json lists all)``); empty without cases."""
    if not cases:
        return ""
    more = f", … and {len(cases) - shown} more (gates.json lists all)" if len(cases) > shown else ""
    return f"; worse on {', '.join(cases[:shown])}{more}"
