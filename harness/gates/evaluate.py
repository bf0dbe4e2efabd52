"""Evaluating a finished run's gates: error tolerance, minimums, and regressions against a baseline.

:func:`evaluate_gates` returns a :class:`GateOutcome` whose ``exit_code`` is
the CLI's: 0 every gate passed, 1 a gate failed, 2 the baseline could not be
used (see :mod:`harness.gates.regression`), 3 the run did not complete within
its error tolerance (which outranks the rest: its figures cannot be trusted).
Bad gate specs raise :class:`~harness.errors.ConfigError` (2). A minimum with
nothing to measure because nothing applied passes as not measured, with a note;
one with nothing to measure because its records or asks ended in errors fails.
A check that crashed on a record decided nothing there: any gate on it fails (a
minimum or a regression alike), and a note names it whether gated or not. With
``judge.calibration.required``, an uncalibrated criterion fails its gate ``calibrated criterion NAME``. A
baseline that ran only some of the cases (``--failing``, ``--cases``, ``--where``,
``--limit``) is named in a note: its regression gates compare those cases only.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from harness.config.yamlfile import first_error, format_loc
from harness.errors import ConfigError, UserError
# GATES_FILE, read_outcome and write_outcome are read from here by the CI outputs and the pytest plugin.
from harness.gates.outcome import (GATES_FILE, NOT_HELD, GateOutcome, GateResult, crash_note, gate_measure,
                                   gate_note, not_held_note, partial_baseline_note, read_outcome, write_outcome)
from harness.gates.regression import EPSILON, fmt_value, regression_gates
from harness.gates.spec import ANY, GatesSpec, scale_problems
from harness.gates.tolerance import ErrorCount, count_errors, within_tolerance
from harness.scoring.notices import counted, fmt_kinds

SKIPPED = "max_regression gates were skipped: no --baseline given"
UNUSED = "the baseline was not used: no gate sets a max_regression"

__all__ = ["GATES_FILE", "GateOutcome", "GateResult", "evaluate_gates", "read_outcome", "write_outcome"]


def evaluate_gates(run_dir: str | Path, eval_spec: dict, scorecard, baseline: Path | None = None,
                   eval_file: str | None = None, errors: ErrorCount | None = None,
                   no_baseline: str = SKIPPED, selection: dict | None = None) -> GateOutcome:
    """Hold the run in ``run_dir`` (its ``scorecard`` and manifest ``eval_spec``) to its gates.

    ``errors`` is the run's error count when the caller already has it (a run
    counts its errors as it writes its records); without it the records are read.
    ``no_baseline`` is the note when max_regression gates are skipped for want of a baseline.
    ``selection`` is the manifest's ``dataset.selection``: a run that kept only the cases another run failed
    (``--failing``) does not hold its ``min`` gates (its figures are those of failures, by construction);
    they are reported as not held, with the figure, and its other gates are held as usual.
    """
    spec = gates_spec(eval_spec, eval_file)
    status = scorecard.run.status if scorecard.run else "complete"
    count = errors if errors is not None else count_errors(run_dir)
    complete, completion = within_tolerance(count, status or "complete", eval_spec.get("max_error_rate"))
    candidates = _gated_candidates(spec, scorecard, eval_file)
    _check_names(spec, scorecard, eval_file)
    _check_scales(spec, scorecard, eval_file)
    gates = [completion_gate(complete, completion, eval_spec.get("max_error_rate") is not None)]
    failing_in = selection.get("failing_in") if isinstance(selection, dict) else None
    gates += minimum_gates(spec, scorecard, candidates, failing_in, latency_checks(eval_spec))
    gates += calibration_gates(run_dir, eval_spec, scorecard, eval_file)
    gates += robustness_gates(spec, scorecard, candidates)
    crashed = crashed_counts(scorecard)
    notes = crash_notes(crashed, scorecard)
    partial = None
    if baseline is not None and spec.has_regressions:
        found, regression_notes = regression_gates(spec, baseline, Path(run_dir), candidates, run_measures(scorecard))
        gates += [_crashed_regression(gate, scorecard) for gate in found]
        partial = baseline_partial(baseline)
        notes += ([partial_baseline_note(baseline, partial)] if partial else []) + regression_notes
    elif baseline is not None:
        notes.append(UNUSED)
    elif spec.has_regressions:
        notes.append(no_baseline)
    notes += unmeasured_notes(gates)
    return GateOutcome(gates=gates, complete=complete, completion=completion,
                       baseline=str(baseline) if baseline else None, notes=notes, crashed_checks=list(crashed),
                       partial_baseline=partial)


def robustness_gates(spec: GatesSpec, scorecard, candidates: list[str]) -> list[GateResult]:
    from harness.gates.robustness import robustness_gate  # only an eval with `perturb` has one

    if spec.robustness is None:
        return []
    scales = {name: info.scale for name, info in scorecard.criteria.items()}
    return [robustness_gate(name, scorecard.candidates[name], spec.robustness.max_drop, scales,
                            spec.robustness.max_drop_criteria) for name in candidates]


def calibration_gates(run_dir: str | Path, eval_spec: dict, scorecard, eval_file: str | None) -> list[GateResult]:
    """``judge.calibration.required``: a gate per judged criterion, failed when the criterion is uncalibrated (the
    agreement with human labels the run's outputs measured is below the bar); [] without ``required``, when an
    uncalibrated criterion is a warning only."""
    from harness.calibration.gate import required_gates

    return required_gates(run_dir, eval_spec, list(scorecard.criteria), eval_file)


def unmeasured_notes(gates: list[GateResult]) -> list[str]:
    """A note per gate not measured, and for the gates not held one note in all when there are several (a
    ``--failing`` run reports every minimum so: fifteen long notes repeated the table summary.md has)."""
    unheld = [g for g in gates if g.not_held]
    notes = [gate_note(g) for g in gates if not g.measured and (len(unheld) < 2 or not g.not_held)]
    return notes + ([not_held_note(unheld)] if len(unheld) > 1 else [])


def crashed_counts(scorecard) -> dict[str, dict[str, int]]:
    """Per check that crashed on some record (gated or not: a crash is a bug in the check, not a verdict), on how
    many records of each candidate."""
    crashed = {}
    for check in scorecard.checks:
        by_candidate = {name: summary.n_crashed for name, scores in scorecard.candidates.items()
                        if (summary := scores.checks.get(check)) is not None}
        if sum(by_candidate.values()):
            crashed[check] = by_candidate
    return crashed


def crash_notes(crashed: dict[str, dict[str, int]], scorecard) -> list[str]:
    """A note per check of :func:`crashed_counts`."""
    records = sum(scores.n_records for scores in scorecard.candidates.values())
    return [crash_note(check, sum(by_candidate.values()), records, by_candidate)
            for check, by_candidate in crashed.items()]


def _crashed_regression(gate: GateResult, scorecard) -> GateResult:
    """A regression gate on a check that crashed on some record of this run fails: the comparison could only
    leave those records out (as a minimum does, :func:`_minimum`), and a check crashing everywhere would
    otherwise pass as 'not measured'."""
    measure = gate_measure(gate)
    scores = scorecard.candidates.get(gate.candidate) if gate.candidate else None
    summary = scores.checks.get(measure[1]) if scores is not None and measure and measure[0] == "check" else None
    if summary is None or not summary.n_crashed:
        return gate
    return replace(gate, passed=False, measured=True,
                   detail=f"the check crashed on {counted(summary.n_crashed, 'record')} of this run, which the comparison "
                          f"leaves out (each record's detail says why); {gate.detail}")


def baseline_partial(baseline: Path) -> str | None:
    """How the baseline ran only some of the cases (the regression gates hold those cases, no others), or None."""
    from harness.history.index import partial_run
    from harness.records.store import read_manifest

    try:
        partial = partial_run(read_manifest(baseline))
    except UserError:
        return None  # an unreadable baseline fails its 'baseline usable' gate, with its reason
    return partial


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


def latency_checks(eval_spec: dict) -> frozenset[str]:
    """The names of the eval's ``max_latency_ms`` checks (a manifest's copy of its ``checks``)."""
    checks = eval_spec.get("checks")
    if not isinstance(checks, list):
        return frozenset()
    return frozenset(c.get("name") for c in checks if isinstance(c, dict) and c.get("type") == "max_latency_ms")


def minimum_gates(spec: GatesSpec, scorecard, candidates: list[str], failing_in: str | None = None,
                  latency: frozenset[str] = frozenset()) -> list[GateResult]:
    """One gate per candidate × criterion or check that has a ``min``; with ``failing_in`` (a ``--failing``
    run) each is reported with its figure but not held. ``latency``: the checks of type ``max_latency_ms``,
    whose minimum, unmeasured because every reply came from the cache, says so."""
    gates = []
    for name in candidates:
        scores = scorecard.candidates[name]
        for criterion, info in scorecard.criteria.items():
            threshold = spec.threshold("criterion", criterion)
            if threshold is not None and threshold.min is not None:
                gates.append(_criterion_minimum(name, criterion, scores, info.scale, threshold.min, failing_in))
        for check in scorecard.checks:
            threshold = spec.threshold("check", check)
            if threshold is not None and threshold.min is not None:
                gates.append(_check_minimum(name, check, scores, threshold.min, failing_in, check in latency))
    return gates


def _criterion_minimum(candidate: str, criterion: str, scores, scale: str | None, minimum: float,
                       failing_in: str | None = None) -> GateResult:
    rate = scale == "pass_fail"
    summary = scores.criteria.get(criterion)
    if summary is None:
        return _unmeasured(candidate, "criterion", criterion, minimum, rate, scores)
    stat = summary.pass_rate if rate else summary.score
    value = stat.rate if rate else stat.mean
    if value is None:
        return _unmeasured(candidate, "criterion", criterion, minimum, rate, scores, summary.errors_by_kind,
                           summary.n_not_applicable)
    return _minimum(candidate, "criterion", criterion, value, stat.n, minimum, rate, failing_in=failing_in)


def _check_minimum(candidate: str, check: str, scores, minimum: float, failing_in: str | None = None,
                   latency: bool = False) -> GateResult:
    summary = scores.checks.get(check)
    if summary is None:
        return _unmeasured(candidate, "check", check, minimum, True, scores)
    stat = summary.pass_rate
    if stat.rate is None and not summary.n_crashed:
        return _unmeasured(candidate, "check", check, minimum, True, scores, {}, summary.n_not_applicable,
                           cached=latency and _all_cached(scores))
    return _minimum(candidate, "check", check, stat.rate, stat.n, minimum, True, crashed=summary.n_crashed,
                    failing_in=failing_in)


def _all_cached(scores) -> bool:
    """Whether every responder call of the candidate was answered from the cache (no latency to measure)."""
    calls = scores.responder
    return calls.calls > 0 and calls.cache_hits >= calls.calls


def _unmeasured(candidate: str, kind: str, name: str, minimum: float, rate: bool, scores,
                asks_failed: dict[str, int] | None = None, not_applicable: int = 0,
                cached: bool = False) -> GateResult:
    """A minimum with no value to hold. It fails when errors are why: every record it could have measured
    ended in an error (every ask of the judge, or the reply itself), so it could not be taken. It is a warning
    when nothing applied, and when some records did not apply and the others errored (named both ways)."""
    label, bound = f"min {kind} {name}", f"minimum {fmt_value(minimum, rate)}"
    case_errors = scores.case_errors_by_kind
    if not asks_failed and not case_errors:
        reason = "it applied to no case" if scores.n_records else "the candidate has no record"
        if cached and scores.n_records:
            reason = ("every reply came from the cache, so no latency was measured (run with --no-cache to "
                      "measure it)")
        return GateResult(label, candidate, True, f"not measured: {reason} ({bound})", measured=False)
    errors = []
    if asks_failed:
        every = "every ask" if not case_errors and not not_applicable else counted(sum(asks_failed.values()), "ask")
        errors.append(f"{every} ended in an error ({fmt_kinds(asks_failed)})")
    if case_errors:
        every = "every record" if not asks_failed and not not_applicable else counted(sum(case_errors.values()), "record")
        errors.append(f"{every} ended in a case error, with no reply to {'judge' if kind == 'criterion' else 'check'} "
                      f"({fmt_kinds(case_errors)})")
    if not_applicable:
        return GateResult(label, candidate, True, f"not measured: it applied to none of {counted(not_applicable, 'record')}; "
                                                  f"{'; '.join(errors)} ({bound})", measured=False)
    return GateResult(label, candidate, False, f"not measured: {'; '.join(errors)} ({bound})")


def _minimum(candidate: str, kind: str, name: str, value: float | None, n: int, minimum: float,
             rate: bool, crashed: int = 0, failing_in: str | None = None) -> GateResult:
    label = f"min {kind} {name}"
    if crashed:
        # A check that raised decided nothing on those records: its rate cannot hold the minimum up.
        measured = "on no other case" if value is None else f"{fmt_value(value, rate)} over the other {counted(n, 'case')}"
        return GateResult(label, candidate, False, f"the check crashed on {counted(crashed, 'record')} (each record's "
                                                   f"detail says why); {measured}")
    if failing_in:
        # The cases were chosen because they failed: a minimum over them would fail by construction.
        return GateResult(label, candidate, True, f"{NOT_HELD}{fmt_value(value, rate)} over {counted(n, 'case')}, which this run "
                                                  f"kept because they failed in {failing_in} (--failing); the "
                                                  f"minimum {fmt_value(minimum, rate)} is for the eval's cases",
                          measured=False)
    passed = value + EPSILON >= minimum
    verb = "meets" if passed else "is below"
    return GateResult(label, candidate, passed, f"{fmt_value(value, rate)} over {counted(n, 'case')} {verb} the minimum "
                                                f"{fmt_value(minimum, rate)}")
