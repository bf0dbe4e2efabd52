"""The agreement gate: judge criteria whose agreement with human labels is below a bar are *uncalibrated*.

Configured in the eval file under ``judge.calibration``. When a run's outputs are
built, the run is calibrated against the label file, ``calibration.json`` and
``calibration.md`` are written into the run, and every uncalibrated criterion
becomes a notice at the top of the scorecard and of any diff that includes the
run. A criterion with too few labelled replies is uncalibrated too: no evidence
is not good evidence.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.calibration.schema import Agreement, CalibrationGateSpec, CalibrationReport, GateOutcome


def judge_gate(report: CalibrationReport, criteria: list[str], spec: CalibrationGateSpec) -> GateOutcome:
    """Hold each of ``criteria`` to ``spec`` using the agreement in ``report``."""
    found = {row.name: row for row in report.criteria}
    outcome = GateOutcome(spec=spec)
    for name in criteria:
        why = _shortfall(found.get(name), spec)
        if why:
            outcome.uncalibrated[name] = why
        else:
            outcome.calibrated.append(name)
    return outcome


def _shortfall(row: Agreement | None, spec: CalibrationGateSpec) -> str | None:
    if row is None or row.n == 0:
        return "no human labels"
    if row.n < spec.min_labels:
        return f"only {row.n} labelled replies (min_labels {spec.min_labels})"
    estimate = row.metric(spec.metric)
    if estimate.why:
        return f"{spec.metric} n/a: {estimate.why}"
    value = estimate.value if spec.bound == "value" else estimate.low
    if value is None:
        if estimate.value is not None:
            return f"{spec.metric} has no interval at this n ({row.n} labelled replies)"
        return f"{spec.metric} is undefined on the labels"
    if value < spec.min:
        return f"{spec.metric} {'' if spec.bound == 'value' else 'lower bound '}{value:.2f} < {spec.min:g}"
    return None


def gate_notices(outcome: GateOutcome | None) -> list[str]:
    """One notice per uncalibrated criterion, for scorecards and diffs."""
    if outcome is None:
        return []
    return [f"judge criterion {name!r} is UNCALIBRATED ({why}; labels {outcome.spec.labels}): "
            f"its scores are not evidence of reply quality" for name, why in outcome.uncalibrated.items()]


def saved_gate_notices(run_dir: str | Path) -> list[str]:
    """The notices of the gate outcome saved in a run's ``calibration.json`` ([] when there is none)."""
    path = Path(run_dir) / "calibration.json"
    if not path.exists():
        return []
    gate = json.loads(path.read_text(encoding="utf-8")).get("gate")
    return gate_notices(GateOutcome.model_validate(gate)) if gate else []


def apply_run_gate(run_dir: str | Path, manifest) -> list[str]:
    """Calibrate a run whose eval file sets ``judge.calibration``, save the report, return its notices.

    Returns [] when the eval sets no gate. A missing label file is not fatal at this
    point (the run's records are already written): every criterion is then uncalibrated.
    """
    raw = ((manifest.eval_spec or {}).get("judge") or {}).get("calibration")
    if not raw or not manifest.rubric:
        return []
    from harness.calibration.calibrate import calibrate_run, write_calibration

    spec = CalibrationGateSpec.model_validate(raw)
    criteria = list(manifest.rubric.get("criteria", {}))
    labels = _labels_path(spec.labels, Path(manifest.eval_file.path))
    if labels is None:
        outcome = GateOutcome(spec=spec, uncalibrated={c: "label file not found" for c in criteria})
        return gate_notices(outcome)
    report = calibrate_run(run_dir, labels)
    report.gate = judge_gate(report, criteria, spec)
    write_calibration(run_dir, report)
    return gate_notices(report.gate)


REQUIRED_GATE = "calibrated criterion {name}"


def required_gates(run_dir: str | Path, eval_spec: dict, criteria: list[str], eval_file: str | None) -> list:
    """With ``judge.calibration.required``, a gate per judged criterion that fails when it is uncalibrated (exit 1),
    read from the outcome the run's outputs saved in ``calibration.json``; [] without ``required``.

    A run whose outputs saved no outcome was not calibrated: every criterion fails, saying why.
    """
    from harness.gates.outcome import GateResult

    raw = ((eval_spec or {}).get("judge") or {}).get("calibration")
    if not isinstance(raw, dict) or not raw.get("required") or not criteria:
        return []
    spec = CalibrationGateSpec.model_validate(raw)
    report = _saved_report(run_dir)
    outcome = report.gate if report is not None and report.gate is not None else _uncalibrated_run(spec, criteria, eval_file)
    found = {row.name: row for row in report.criteria} if report is not None else {}
    gates = []
    for name in criteria:
        passed = name in outcome.calibrated and name not in outcome.uncalibrated
        why = outcome.uncalibrated.get(name, "not held to the labels")
        detail = _met(found.get(name), spec) if passed else f"UNCALIBRATED: {why} (labels {spec.labels}; {_bar(spec)})"
        gates.append(GateResult(name=REQUIRED_GATE.format(name=name), candidate=None, passed=passed, detail=detail))
    return gates


def _bar(spec: CalibrationGateSpec) -> str:
    """``required: cohen_kappa >= 0.4 over at least 10 labelled replies``."""
    held = spec.metric if spec.bound == "value" else f"the lower bound of {spec.metric}"
    return f"required: {held} >= {spec.min:g} over at least {spec.min_labels} labelled replies"


def _met(row: Agreement | None, spec: CalibrationGateSpec) -> str:
    """A calibrated criterion's detail: the figure that met the bar."""
    if row is None:
        return f"calibrated ({_bar(spec)})"
    estimate = row.metric(spec.metric)
    value = estimate.value if spec.bound == "value" else estimate.low
    figure = f"{spec.metric}{'' if spec.bound == 'value' else ' lower bound'} {value:.2f}" if value is not None \
        else spec.metric
    return f"{figure} >= {spec.min:g} over {row.n} labelled replies (labels {spec.labels})"


def _saved_report(run_dir: str | Path) -> CalibrationReport | None:
    path = Path(run_dir) / "calibration.json"
    if not path.exists():
        return None
    return CalibrationReport.model_validate_json(path.read_bytes())


def _uncalibrated_run(spec: CalibrationGateSpec, criteria: list[str], eval_file: str | None) -> GateOutcome:
    """The outcome of a run with no saved calibration: its label file is missing, or its outputs were built
    without the gate (``harness report RUN`` builds them again, calibrating the run)."""
    found = _labels_path(spec.labels, Path(eval_file or "."))
    why = "label file not found" if found is None else "the run was not calibrated (harness report RUN calibrates it)"
    return GateOutcome(spec=spec, uncalibrated={name: why for name in criteria})


def _labels_path(raw: str, eval_path: Path) -> Path | None:
    # Read like the eval file's other paths: from the current directory, then beside the eval file.
    for path in (Path(raw), eval_path.parent / raw):
        if path.is_file():
            return path
    return None
