"""The agreement gate: uncalibrated criteria are marked in the scorecard and in diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.calibration.gate import CalibrationGateSpec, judge_gate
from harness.calibration.schema import Agreement, CalibrationReport, Estimate
from harness.compare import DiffOptions, build_diff
from harness.config.evalfile import JudgeSpec
from harness.runner.outputs import finalize_run
from tests.compare.runs import crit, manifest, rec, write_run


def _run(tmp_path: Path, name: str, gate: dict | None) -> Path:
    man = manifest()
    man.eval_file.path = str(tmp_path / "eval.yaml")
    man.eval_spec = {"judge": {"calibration": gate}} if gate else {}
    records = [rec(f"c{i}", judge={"empathy": crit(float(1 + i % 5)), "policy": crit(float(i % 2))})
               for i in range(12)]
    return write_run(tmp_path / name, records, man)


def _labels(tmp_path: Path) -> None:
    # empathy: humans agree exactly with the judge; policy: humans say the opposite.
    rows = [{"case_id": f"c{i}", "candidate": "bot", "criterion": "empathy", "label": 1 + i % 5} for i in range(12)]
    rows += [{"case_id": f"c{i}", "candidate": "bot", "criterion": "policy", "label": 1 - i % 2} for i in range(12)]
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_scorecard_marks_the_uncalibrated_criterion_only(tmp_path: Path) -> None:
    _labels(tmp_path)
    run = _run(tmp_path, "run", {"labels": "labels.jsonl", "min": 0.4})
    notices = finalize_run(run).scorecard.notices
    assert len(notices) == 1 and "'policy' is UNCALIBRATED" in notices[0]
    assert "UNCALIBRATED" in (run / "scorecard.md").read_text()
    saved = json.loads((run / "calibration.json").read_text())
    assert saved["gate"]["calibrated"] == ["empathy"] and "policy" in saved["gate"]["uncalibrated"]


def test_diff_carries_the_marks(tmp_path: Path) -> None:
    _labels(tmp_path)
    gate = {"labels": "labels.jsonl"}
    a, b = _run(tmp_path, "a", gate), _run(tmp_path, "b", gate)
    finalize_run(a), finalize_run(b)
    report = build_diff(a, b, DiffOptions())
    assert any("'policy' is UNCALIBRATED" in n for n in report.notices)


def test_missing_label_file_leaves_every_criterion_uncalibrated(tmp_path: Path) -> None:
    notices = finalize_run(_run(tmp_path, "run", {"labels": "nope.jsonl"})).scorecard.notices
    assert len(notices) == 2 and all("label file not found" in n for n in notices)


def test_no_gate_no_notices(tmp_path: Path) -> None:
    run = _run(tmp_path, "run", None)
    assert finalize_run(run).scorecard.notices == [] and not (run / "calibration.json").exists()


def _report(n: int, value: float, low: float) -> CalibrationReport:
    est = Estimate(value=value, low=low, high=1.0)
    row = Agreement(kind="criterion", name="tone", scale="1-5", n=n, n_labels=n, cohen_kappa=est, weighted_kappa=est,
                    krippendorff_alpha=est, spearman=est, raw_agreement=est, true_pass_rate=est,
                    false_pass_rate=est, leniency=est, confusion=[], categories=[])
    return CalibrationReport(run="r", labels_file="l", labels_sha256="x", resamples=0, seed=0, criteria=[row])


@pytest.mark.parametrize("n, value, low, bound, expected", [
    (20, 0.6, 0.3, "value", True), (20, 0.6, 0.3, "low", False), (5, 0.9, 0.8, "value", False),
    (20, 0.2, 0.1, "value", False)])
def test_gate_rules(n: int, value: float, low: float, bound: str, expected: bool) -> None:
    outcome = judge_gate(_report(n, value, low), ["tone", "empathy"],
                         CalibrationGateSpec(labels="l", min=0.4, bound=bound))
    assert ("tone" in outcome.calibrated) is expected and outcome.uncalibrated["empathy"] == "no human labels"


def test_eval_file_accepts_the_gate() -> None:
    spec = JudgeSpec(model="fake/j", rubric="r.yaml", calibration={"labels": "l.jsonl", "metric": "krippendorff_alpha"})
    assert spec.calibration.min == 0.4
