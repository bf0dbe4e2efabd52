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


def _constant_run(tmp_path: Path, gate: dict) -> Path:
    """A judge that passes every reply on 'policy' while the humans fail 4 of 12."""
    man = manifest()
    man.eval_file.path = str(tmp_path / "eval.yaml")
    man.eval_spec = {"judge": {"calibration": gate}}
    records = [rec(f"c{i}", judge={"empathy": crit(float(1 + i % 5)), "policy": crit(1.0)}) for i in range(12)]
    rows = [{"case_id": f"c{i}", "candidate": "bot", "criterion": "empathy", "label": 1 + i % 5} for i in range(12)]
    rows += [{"case_id": f"c{i}", "candidate": "bot", "criterion": "policy", "label": int(i % 3 != 0)}
             for i in range(12)]
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return write_run(tmp_path / "run", records, man)


def test_a_judge_with_one_answer_is_na_saying_so_everywhere(tmp_path: Path) -> None:
    """Kappa of a judge that passes everything is 0 by its formula, and used to print as '0.00 (no interval at this
    n)', as if labels were short; it is n/a, and the cause is the judge's single answer."""
    run = _constant_run(tmp_path, {"labels": "labels.jsonl", "metric": "cohen_kappa"})
    notices = finalize_run(run).scorecard.notices
    assert notices == [f"judge criterion 'policy' is UNCALIBRATED (cohen_kappa n/a: the judge passed every reply; "
                       f"labels labels.jsonl): its scores are not evidence of reply quality"]
    saved = json.loads((run / "calibration.json").read_text())
    policy = next(row for row in saved["criteria"] if row["name"] == "policy")
    assert policy["cohen_kappa"] == {"value": None, "low": None, "high": None, "why": "the judge passed every reply"}
    assert policy["spearman"]["why"] == "the judge passed every reply"
    assert policy["krippendorff_alpha"]["value"] is not None  # pooled over both raters: defined
    md = (run / "calibration.md").read_text()
    assert "| policy | pass_fail | 12 | n/a: the judge passed every reply |" in md
    assert "no interval at this n" not in md.split("| policy |")[1].splitlines()[0]


def test_one_answer_on_a_1_to_5_scale_names_the_score(tmp_path: Path) -> None:
    from harness.calibration.calibrate import _Scale, measure
    from harness.calibration.pairing import Paired

    paired = Paired(kind="criterion", name="owns", judge=[1.0] * 6, human=[1.0, 2.0, 4.0, 5.0, 1.0, 3.0],
                    n_labels=6, unmatched=0, by_labeller={})
    row = measure(paired, _Scale("1-5", 3.0))
    assert row.cohen_kappa.why == "the judge failed every reply"
    assert row.weighted_kappa.why == row.spearman.why == "the judge scored every reply 1"
    human_constant = measure(Paired(kind="check", name="x", judge=[1.0, 0.0, 1.0], human=[1.0] * 3, n_labels=3,
                                    unmatched=0, by_labeller={}), _Scale("pass_fail", 1.0))
    assert human_constant.cohen_kappa.why == "the humans passed every reply"


def test_required_makes_an_uncalibrated_criterion_fail_the_run(tmp_path: Path) -> None:
    from harness.ci.nightly import gate_run

    run = _constant_run(tmp_path, {"labels": "labels.jsonl", "metric": "cohen_kappa", "required": True})
    finalize_run(run)
    outcome = gate_run(run).outcome
    assert outcome.exit_code == 1
    by_name = {g.name: g for g in outcome.gates}
    failed = by_name["calibrated criterion policy"]
    assert not failed.passed and failed.detail == (
        "UNCALIBRATED: cohen_kappa n/a: the judge passed every reply (labels labels.jsonl; required: cohen_kappa >= "
        "0.4 over at least 10 labelled replies)")
    assert by_name["calibrated criterion empathy"].passed
    assert by_name["calibrated criterion empathy"].detail.startswith("cohen_kappa 1.00 >= 0.4 over 12 labelled")
    gates = json.loads((run / "gates.json").read_text())
    assert gates["exit_code"] == 1 and any(g["name"] == "calibrated criterion policy" and g["status"] == "failed"
                                           for g in gates["gates"])
    assert "calibrated criterion policy" in (run / "summary.md").read_text()
    assert 'name="calibrated criterion policy"' in (run / "junit.xml").read_text()
    assert "calibrated criterion policy" in (run / "report.html").read_text()


def test_without_required_the_gate_only_warns(tmp_path: Path) -> None:
    from harness.ci.nightly import gate_run

    run = _constant_run(tmp_path, {"labels": "labels.jsonl", "metric": "cohen_kappa"})
    finalize_run(run)
    outcome = gate_run(run).outcome
    assert outcome.exit_code == 0 and not any(g.name.startswith("calibrated") for g in outcome.gates)


def test_required_with_a_missing_label_file_fails_every_criterion(tmp_path: Path) -> None:
    from harness.gates.evaluate import evaluate_gates
    from harness.scoring.scorecard import load_scorecard

    run = _run(tmp_path, "run", {"labels": "nope.jsonl", "required": True})
    finalize_run(run)
    man = json.loads((run / "manifest.json").read_text())
    outcome = evaluate_gates(run, man["eval_spec"], load_scorecard(run), eval_file=str(tmp_path / "eval.yaml"))
    failed = [g for g in outcome.gates if g.name.startswith("calibrated criterion")]
    assert len(failed) == 2 and all(not g.passed and "label file not found" in g.detail for g in failed)
    assert outcome.exit_code == 1
