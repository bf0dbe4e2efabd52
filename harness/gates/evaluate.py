"""Evaluating a finished run's gates: error tolerance, minimums, and regressions against a baseline.

:func:`evaluate_gates` returns a :class:`GateOutcome` whose ``exit_code`` is
the CLI's: 0 every gate passed, 1 a gate failed, 2 the baseline could not be
used (see :mod:`harness.gates.regression`), 3 the run did not complete within
its error tolerance (which outranks the rest: its figures cannot be trusted).
Bad gate specs raise :class:`~harness.errors.ConfigError` (2). A gate with
nothing to measure passes as not measured, with a note.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from harness.config.yamlfile import first_error, format_loc
from harness.errors import ConfigError
# GATES_FILE, read_outcome and write_outcome are read from here by the CI outputs and the pytest plugin.
from harness.gates.outcome import GATES_FILE, GateOutcome, GateResult, gate_note, read_outcome, write_outcome
from harness.gates.regression import EPSILON, fmt_value, regression_gates
from harness.gates.spec import ANY, GatesSpec, scale_problems
from harness.gates.tolerance import ErrorCount, count_errors, within_tolerance

SKIPPED = "max_regression gates were skipped: no --baseline given"
UNUSED = "the baseline was not used: no gate sets a max_regression"

__all__ = ["GATES_FILE", "GateOutcome", "GateResult", "evaluate_gates", "read_outcome", "write_outcome"]


def evaluate_gates(run_dir: str | Path, eval_spec: dict, scorecard, baseline: Path | None = None,
                   eval_file: str | None = None, errors: ErrorCount | None = None,
                   no_baseline: str = SKIPPED) -> GateOutcome:
    """Hold the run in ``run_dir`` (its ``scorecard`` and manifest ``eval_spec``) to its gates.

    ``errors`` is the run's error count when the caller already has it (a run
    counts its errors as it writes its records); without it the records are read.
    ``no_baseline`` is the note when max_regression gates are skipped for want of a baseline.
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
    if baseline is not None and spec.has_regressions:
        found, notes = regression_gates(spec, baseline, Path(run_dir), candidates, run_measures(scorecard))
        gates += found
    elif baseline is not None:
        notes.append(UNUSED)
    elif spec.has_regressions:
        notes.append(no_baseline)
    notes += [gate_note(g) for g in gates if not g.measured]
    return GateOutcome(gates=gates, complete=complete, completion=completion,
                       baseline=str(baseline) if baseline else None, notes=notes)


def run_measures(scorecard) -> list[tuple[str, str]]:
    """The run's criteria then checks, as ``(kind, name)``: what its regression gates may hold."""
    return [("criterion", name) for name in scorecard.criteria] + [("check", name) for name in scorecard.checks]


def gates_spec(eval_spec: dict, eval_file: str | None) -> GatesSpec:
    """The ``gates:`` of a run's eval spec (its manifest's copy); one that does not validate is a ConfigError
    naming the field (a run made before a bound was checked, such as ``min: 70`` on a check)."""
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
            if threshold is not None and threshold.min is not None:
                gates.append(_criterion_minimum(name, criterion, scores.criteria.get(criterion), info.scale,
                                                threshold.min))
        for check in scorecard.checks:
            threshold = spec.threshold("check", check)
            if threshold is not None and threshold.min is not None:
                gates.append(_check_minimum(name, check, scores.checks.get(check), threshold.min))
    return gates


def _criterion_minimum(candidate: str, criterion: str, summary, scale: str | None, minimum: float) -> GateResult:
    rate = scale == "pass_fail"
    if summary is None:
        return _ungraded(candidate, "criterion", criterion, minimum, rate)
    stat = summary.pass_rate if rate else summary.score
    return _minimum(candidate, "criterion", criterion, stat.rate if rate else stat.mean, stat.n, minimum, rate)


def _check_minimum(candidate: str, check: str, summary, minimum: float) -> GateResult:
    if summary is None:
        return _ungraded(candidate, "check", check, minimum, True)
    stat = summary.pass_rate
    return _minimum(candidate, "check", check, stat.rate, stat.n, minimum, True, crashed=summary.n_crashed)


def _ungraded(candidate: str, kind: str, name: str, minimum: float, rate: bool) -> GateResult:
    """A minimum on a measure no record of the candidate was graded on (every one ended in an error)."""
    return GateResult(f"min {kind} {name}", candidate, True, f"not measured: no record was graded on it "
                                                             f"(minimum {fmt_value(minimum, rate)})", measured=False)


def _minimum(candidate: str, kind: str, name: str, value: float | None, n: int, minimum: float,
             rate: bool, crashed: int = 0) -> GateResult:
    label = f"min {kind} {name}"
    if crashed:
        # A check that raised decided nothing on those records: its rate cannot hold the minimum up.
        measured = "on no other case" if value is None else f"{fmt_value(value, rate)} over the {n} other cases"
        return GateResult(label, candidate, False, f"the check crashed on {crashed} record(s) (each record's "
                                                   f"detail says why); {measured}")
    if value is None:
        return GateResult(label, candidate, True, f"not measured: it applied to no case "
                                                  f"(minimum {fmt_value(minimum, rate)})", measured=False)
    passed = value + EPSILON >= minimum
    verb = "meets" if passed else "is below"
    return GateResult(label, candidate, passed, f"{fmt_value(value, rate)} over {n} cases {verb} the minimum "
                                                f"{fmt_value(minimum, rate)}")
