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

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.gates import EXIT_GATE_FAILED, EXIT_INCOMPLETE, EXIT_PASSED, EXIT_USAGE
from harness.gates.schema import GATES_SCHEMA_VERSION, GatesFile
from harness.scoring.notices import counted

GATES_FILE = "gates.json"
BASELINE_GATE = "baseline usable"
WORSE_SHOWN = 10  # case ids a failed regression lists in summary.md and the report's banner
# The measure a gate holds, read back from its name (gates.json keeps names, not parts): "min check x",
# "max regression criterion y".
_MEASURE = re.compile(r"^(?:min|max regression) (check|criterion) (\S+)$")
# gates.json version 1 told crashed checks and a partial baseline only in its notes' words (:func:`crash_note`,
# :func:`partial_baseline_note`); version 2 keeps them as fields. These read a version 1 file.
_V1_CRASH_NOTE = re.compile(r"^check (\S+) crashed on \d+ of \d+ records")
_V1_PARTIAL_NOTE = re.compile(r"^the baseline .+ is a partial run \((.+)\): max_regression gates compare only")
# A gate that could not fail (a --failing run's minimum, a significant_only regression over too few cases) opens
# its detail so; gates.json keeps it as "not_measured" (its status values are fixed), the outputs say "not held".
NOT_HELD = "not held: "
# The one note of several gates not held (:func:`not_held_note`), shown where notes are printed, not beside the gates.
_NOT_HELD_NOTE = re.compile(r"^\d+ gates not held: ")


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
    def not_held(self) -> bool:
        """Measured, but held to no bound because the gate could not have failed (its detail says why)."""
        return not self.measured and self.detail.startswith(NOT_HELD)

    @property
    def state(self) -> str:
        """:attr:`status`, with ``not_held`` told apart from ``not_measured``: what the outputs show."""
        return "not_held" if self.not_held else self.status

    @property
    def label(self) -> str:
        """The name with the candidate, as JUnit and the notes show it: ``min check x [bot]``."""
        return f"{self.name} [{self.candidate}]" if self.candidate else self.name


def gate_measure(gate: GateResult) -> tuple[str, str] | None:
    """``("check", "x")`` for a gate holding a check or criterion (``min``, ``max regression``); None for
    the run's own gates (completion, baseline usable)."""
    found = _MEASURE.match(gate.name)
    return (found.group(1), found.group(2)) if found else None


def crash_note(check: str, crashed: int, records: int, by_candidate: dict[str, int]) -> str:
    """The note of a check that crashed: on how many records, per candidate, and what follows from it."""
    each = ", ".join(f"{name} {n}" for name, n in by_candidate.items() if n)
    return (f"{_crash_opening(check)}{crashed} of {counted(records, 'record')} ({each}): it decided nothing there, so "
            f"those records count as errors and a gate on it fails; each record's detail says why "
            f"(harness show RUN CASE)")


def _crash_opening(check: str) -> str:
    return f"check {check} crashed on "


def partial_baseline_note(baseline: str | Path, partial: str) -> str:
    """The note of a baseline that ran only some of the cases (``partial``: how, and how many)."""
    return (f"the baseline {baseline} is a partial run ({partial}): max_regression gates compare only the cases "
            f"it ran (accept a run of every case to hold them all)")


def gate_note(gate: GateResult) -> str:
    """The note a gate not measured adds to the outcome (the plugin warns with the notes)."""
    return f"{gate.label}: {gate.detail}"


def not_held_note(gates: list[GateResult]) -> str:
    """The one note of several gates not held (a ``--failing`` run's minimums, say): how many, which, and where
    each one's figure and reason are, instead of a long note per gate on top of the same table."""
    return (f"{len(gates)} gates not held: {', '.join(g.label for g in gates)} (they could not fail over this run's "
            f"cases; summary.md gives each one's figure and why)")


@dataclass
class GateOutcome:
    """Every gate of a run, its completion, and the exit code they add up to."""

    gates: list[GateResult]
    complete: bool
    completion: str
    baseline: str | None = None
    notes: list[str] = field(default_factory=list)
    crashed_checks: list[str] = field(default_factory=list)  # checks that crashed on some record (each has a note)
    partial_baseline: str | None = None  # how the baseline ran only some cases ("--cases: 2 of 8 cases")

    @property
    def failed(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    @property
    def not_measured(self) -> list[GateResult]:
        """The gates with nothing to measure (not those :attr:`not_held`, which measured but could not fail)."""
        return [g for g in self.gates if g.state == "not_measured"]

    @property
    def not_held(self) -> list[GateResult]:
        return [g for g in self.gates if g.state == "not_held"]

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

    @property
    def crash_notes(self) -> list[str]:
        """The notes of :attr:`crashed_checks` (:func:`crash_note`), shown on top of the outputs."""
        openings = tuple(_crash_opening(check) for check in self.crashed_checks)
        return [note for note in self.notes if openings and note.startswith(openings)]

    def general_notes(self) -> list[str]:
        """The notes that are not a gate's own (those gates are shown with their warning already), nor the one
        note summing up the gates not held."""
        own = {gate_note(g) for g in self.gates if not g.measured}
        return [note for note in self.notes if note not in own and not _NOT_HELD_NOTE.match(note)]

    def unheld_words(self) -> str:
        """``, 3 not measured, 15 not held`` (empty when every gate was measured and held)."""
        counts = ((len(self.not_measured), "not measured"), (len(self.not_held), "not held"))
        return "".join(f", {n} {word}" for n, word in counts if n)


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
    crashed, partial = data.crashed_checks, data.partial_baseline
    if data.schema_version < 2:
        crashed, partial = _v1_crashes_and_partial(data.notes)
    return GateOutcome(gates=gates, complete=data.complete, completion=data.completion, baseline=data.baseline,
                       notes=data.notes, crashed_checks=crashed, partial_baseline=partial)


def _v1_crashes_and_partial(notes: list[str]) -> tuple[list[str], str | None]:
    """A version 1 file's crashed checks and partial baseline, which it told only in its notes."""
    crashed = [found.group(1) for note in notes if (found := _V1_CRASH_NOTE.match(note))]
    partial = next((found.group(1) for note in notes if (found := _V1_PARTIAL_NOTE.match(note))), None)
    return crashed, partial


def worse_on(cases: list[str], shown: int = WORSE_SHOWN) -> str:
    """``; worse on c040, c041`` for a failed regression's cases, the first ``shown`` of them and how many more
    (``…, and 3 more (gates.json lists all)``); empty without cases."""
    if not cases:
        return ""
    more = f", … and {len(cases) - shown} more (gates.json lists all)" if len(cases) > shown else ""
    return f"; worse on {', '.join(cases[:shown])}{more}"
