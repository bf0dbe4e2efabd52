"""Evaluating a finished run's gates: error tolerance, minimums, and regressions against a baseline.

:func:`evaluate_gates` returns a :class:`GateOutcome` whose ``exit_code`` is
the CLI's: 0 every gate passed, 1 a gate failed, 3 the run did not complete
within its error tolerance (which outranks a failed gate: its figures cannot
be trusted). Bad gate specs raise :class:`~harness.errors.ConfigError` (2).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.config.yamlfile import format_loc
from harness.errors import ConfigError
from harness.gates import EXIT_GATE_FAILED, EXIT_INCOMPLETE, EXIT_PASSED
from harness.gates.spec import ANY, GatesSpec, Threshold, scale_problems
from harness.gates.tolerance import ErrorCount, count_errors, within_tolerance

EPSILON = 1e-9  # so a pass rate of exactly the minimum passes despite float rounding
GATES_FILE = "gates.json"


@dataclass
class GateResult:
    """One gate on one candidate: ``name`` is e.g. ``min check no_contradiction``."""

    name: str
    candidate: str | None
    passed: bool
    detail: str
    cases: list[str] = field(default_factory=list)  # the cases behind a failure, worst first


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
    def passed(self) -> bool:
        return self.complete and not self.failed

    @property
    def exit_code(self) -> int:
        if not self.complete:
            return EXIT_INCOMPLETE
        return EXIT_GATE_FAILED if self.failed else EXIT_PASSED


def write_outcome(run_dir: Path, outcome: GateOutcome) -> Path:
    """Write what the run was held to (``gates.json``): every gate, the baseline, the notes, the exit code.

    Readers of a finished run (the pytest plugin) take the verdict from here, so they agree with the
    command that ran it, baseline included, instead of judging again without one.
    """
    from harness.records.store import atomic_write_json

    path = Path(run_dir) / GATES_FILE
    atomic_write_json(path, {**asdict(outcome), "passed": outcome.passed, "exit_code": outcome.exit_code})
    return path


def read_outcome(run_dir: Path) -> GateOutcome | None:
    """The outcome :func:`write_outcome` wrote into ``run_dir``, or None when it was never gated there."""
    from harness.errors import ResultsError

    path = Path(run_dir) / GATES_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        gates = [GateResult(**g) for g in data["gates"]]
        return GateOutcome(gates=gates, complete=data["complete"], completion=data["completion"],
                           baseline=data.get("baseline"), notes=list(data.get("notes") or []))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ResultsError(f"corrupt gate outcome ({type(exc).__name__}: {exc})", file=str(path)) from None


def evaluate_gates(run_dir: str | Path, eval_spec: dict, scorecard, baseline: Path | None = None,
                   eval_file: str | None = None, errors: ErrorCount | None = None) -> GateOutcome:
    """Hold the run in ``run_dir`` (its ``scorecard`` and manifest ``eval_spec``) to its gates.

    ``errors`` is the run's error count when the caller already has it (a run
    counts its errors as it writes its records); without it the records are read.
    """
    spec = gates_spec(eval_spec, eval_file)
    status = scorecard.run.status if scorecard.run else "complete"
    count = errors if errors is not None else count_errors(run_dir)
    complete, completion = within_tolerance(count, status or "complete", eval_spec.get("max_error_rate"))
    candidates = _gated_candidates(spec, scorecard, eval_file)
    _check_names(spec, scorecard, eval_file)
    _check_scales(spec, scorecard, eval_file)
    gates = [completion_gate(complete, completion, eval_spec.get("max_error_rate") is not None)]
    gates += minimum_gates(spec, scorecard, candidates)
    notes = []
    if baseline is not None:
        gates += regression_gates(spec, baseline, Path(run_dir), candidates)
    elif spec.has_regressions:
        notes.append("max_regression gates were skipped: no --baseline given")
    return GateOutcome(gates=gates, complete=complete, completion=completion,
                       baseline=str(baseline) if baseline else None, notes=notes)


def gates_spec(eval_spec: dict, eval_file: str | None) -> GatesSpec:
    """The ``gates:`` of a run's eval spec (its manifest's copy); one that does not validate is a ConfigError
    naming the field (a run made before a bound was checked, such as ``min: 70`` on a check)."""
    from pydantic import ValidationError

    from harness.config.yamlfile import first_error

    try:
        return GatesSpec.model_validate(eval_spec.get("gates") or {})
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise ConfigError(message.removeprefix("Value error, "), file=eval_file,
                          field=format_loc(("gates", *loc))) from None


def _check_scales(spec: GatesSpec, scorecard, eval_file: str | None) -> None:
    scales = {name: info.scale for name, info in scorecard.criteria.items() if info.scale}
    for loc, problem in scale_problems(spec, scales):
        raise ConfigError(problem, file=eval_file, field=format_loc(("gates", *loc)))


def completion_gate(complete: bool, detail: str, has_tolerance: bool) -> GateResult:
    """The run's own gate: it finished, graded something, and (with ``max_error_rate``) erred within it."""
    name = "run completed within max_error_rate" if has_tolerance else "run completed"
    return GateResult(name=name, candidate=None, passed=complete, detail=detail)


def _gated_candidates(spec: GatesSpec, scorecard, eval_file: str | None) -> list[str]:
    names = list(scorecard.candidates)
    unknown = [n for n in spec.candidates or [] if n not in names]
    if unknown:
        raise ConfigError(f"unknown candidate {', '.join(unknown)} (in this run: {', '.join(names)})",
                          file=eval_file, field="gates.candidates")
    return spec.candidates or names


def _check_names(spec: GatesSpec, scorecard, eval_file: str | None) -> None:
    for kind, table, known in (("checks", spec.checks, scorecard.checks), ("criteria", spec.criteria,
                                                                          list(scorecard.criteria))):
        for name in table:
            if name != ANY and name not in known:
                raise ConfigError(f"this run has no {kind[:-1] if kind == 'checks' else 'criterion'} {name!r} "
                                  f"(it has: {', '.join(known) or 'none'})", file=eval_file, field=f"gates.{kind}.{name}")


def minimum_gates(spec: GatesSpec, scorecard, candidates: list[str]) -> list[GateResult]:
    """One gate per candidate × criterion or check that has a ``min``."""
    gates = []
    for name in candidates:
        scores = scorecard.candidates[name]
        for criterion, info in scorecard.criteria.items():
            threshold = spec.threshold("criterion", criterion)
            summary = scores.criteria.get(criterion)
            if threshold is not None and threshold.min is not None and summary is not None:
                rate = info.scale == "pass_fail"
                stat = summary.pass_rate if rate else summary.score
                gates.append(_minimum(name, "criterion", criterion, stat.rate if rate else stat.mean,
                                      stat.n, threshold.min, rate))
        for check in scorecard.checks:
            threshold = spec.threshold("check", check)
            summary = scores.checks.get(check)
            if threshold is not None and threshold.min is not None and summary is not None:
                stat = summary.pass_rate
                gates.append(_minimum(name, "check", check, stat.rate, stat.n, threshold.min, True,
                                      crashed=summary.n_crashed))
    return gates


def _minimum(candidate: str, kind: str, name: str, value: float | None, n: int, minimum: float,
             rate: bool, crashed: int = 0) -> GateResult:
    label = f"min {kind} {name}"
    if crashed:
        # A check that raised decided nothing on those records: its rate cannot hold the minimum up.
        measured = "on no other case" if value is None else f"{_fmt(value, rate)} over the {n} other cases"
        return GateResult(label, candidate, False, f"the check crashed on {crashed} record(s) (each record's "
                                                   f"detail says why); {measured}")
    if value is None:
        return GateResult(label, candidate, True, f"not measured: it applied to no case (minimum {_fmt(minimum, rate)})")
    passed = value + EPSILON >= minimum
    verb = "meets" if passed else "is below"
    return GateResult(label, candidate, passed, f"{_fmt(value, rate)} over {n} cases {verb} the minimum "
                                                f"{_fmt(minimum, rate)}")


def _fmt(value: float, rate: bool) -> str:
    return f"{value:.1%}" if rate else f"{value:.2f}"


def regression_gates(spec: GatesSpec, baseline: Path, run_dir: Path, candidates: list[str]) -> list[GateResult]:
    """One gate per shared candidate × criterion or check with a ``max_regression``, from the paired diff."""
    from harness.compare import build_diff

    report = build_diff(baseline, run_dir)
    gates = []
    for comparison in report.comparisons:
        if comparison.candidate_b not in candidates:
            continue
        for row in comparison.rows:
            threshold = spec.threshold(row.kind, row.name)
            if threshold is not None and threshold.max_regression is not None:
                gates.append(_regression(comparison.candidate_b, row, threshold, spec.significant_only))
    return gates


def _regression(candidate: str, row, threshold: Threshold, significant_only: bool) -> GateResult:
    label = f"max regression {row.kind} {row.name}"
    rate = row.scale == "pass_fail"
    if row.difference is None:
        return GateResult(label, candidate, True, "not measured: no case was graded on both sides")
    drop = -row.difference
    only_significant = threshold.significant_only if threshold.significant_only is not None else significant_only
    significant = row.verdict == "regressed"
    too_large = drop > threshold.max_regression + EPSILON
    passed = not too_large or (only_significant and not significant)
    detail = _regression_detail(row, drop, threshold.max_regression, rate, too_large, only_significant)
    cases = [c.case_id for c in row.changes if c.delta < 0] if not passed else []
    return GateResult(label, candidate, passed, detail, cases)


def _regression_detail(row, drop: float, allowed: float, rate: bool, too_large: bool, only_significant: bool) -> str:
    unit = (lambda v: f"{v * 100:+.1f} pp") if rate else (lambda v: f"{v:+.2f}")
    ci = f" [{unit(row.ci.lo)}, {unit(row.ci.hi)}]" if row.ci else ""
    p = f", p (Holm) {row.p_holm:.3g}" if row.p_holm is not None else ""
    text = (f"{_fmt(row.value_a, rate)} → {_fmt(row.value_b, rate)}: {unit(row.difference)}{ci} over "
            f"{row.n_cases} cases{p}, {row.verdict}; largest drop allowed {unit(-allowed)}")
    if too_large and only_significant and row.verdict != "regressed":
        text += " (not significant, so allowed)"
    return text
