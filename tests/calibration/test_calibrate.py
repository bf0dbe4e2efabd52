"""``calibrate_run`` and ``harness calibrate`` on synthetic run directories and label files."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import pytest
from sklearn.metrics import cohen_kappa_score

from harness.calibration.calibrate import CalibrationOptions, calibrate_run
from harness.calibration.labels import load_labels
from harness.cli.main import main
from harness.errors import DatasetError
from tests.compare.runs import chk, crit, rec, write_run

JUDGE = [5, 4, 2, 1, 3, 5, 4, 2, 1, 4]
HUMAN = [5, 3, 2, 1, 4, 5, 5, 1, 2, 4]


def _run(tmp_path: Path) -> Path:
    records = [rec(f"c{i}", judge={"empathy": crit(float(j)), "policy": crit(float(i % 2))},
                   checks={"apology_wording": chk(j >= 3)}, reply=f"reply {i}")
               for i, j in enumerate(JUDGE)]
    records.append(rec("c-err", judge={"empathy": crit(None, error=True)}))
    return write_run(tmp_path / "run", records)


def _labels(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows() -> list[dict]:
    rows = [{"case_id": f"c{i}", "candidate": "bot", "criterion": "empathy", "label": h, "labeller": "ana"}
            for i, h in enumerate(HUMAN)]
    rows += [{"case_id": f"c{i}", "reply": f"reply {i}", "check": "apology_wording", "label": h >= 3,
              "labeller": "ana"} for i, h in enumerate(HUMAN)]
    rows.append({"case_id": "c-err", "candidate": "bot", "criterion": "empathy", "label": 3})
    return rows


def test_report_matches_reference_implementations(tmp_path: Path) -> None:
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, _rows()), CalibrationOptions(resamples=200))
    empathy = report.criteria[0]
    assert (empathy.name, empathy.n, empathy.n_labels, empathy.unmatched) == ("empathy", 10, 11, 1)
    assert empathy.weighted_kappa.value == pytest.approx(cohen_kappa_score(HUMAN, JUDGE, weights="quadratic"), abs=1e-4)
    binary = cohen_kappa_score([h >= 4 for h in HUMAN], [j >= 4 for j in JUDGE])
    assert empathy.cohen_kappa.value == pytest.approx(binary, abs=1e-4)
    alpha = krippendorff.alpha(reliability_data=[JUDGE, HUMAN], level_of_measurement="ordinal",
                               value_domain=[1, 2, 3, 4, 5])
    assert empathy.krippendorff_alpha.value == pytest.approx(alpha, abs=1e-4)
    assert empathy.leniency.value == pytest.approx((sum(JUDGE) - sum(HUMAN)) / 10)
    assert empathy.cohen_kappa.low <= empathy.cohen_kappa.value <= empathy.cohen_kappa.high
    assert sum(map(sum, empathy.confusion)) == 10
    assert report.checks[0].name == "apology_wording" and report.checks[0].n == 10


def test_bootstrap_is_seeded(tmp_path: Path) -> None:
    run, labels = _run(tmp_path), _labels(tmp_path, _rows())
    first = calibrate_run(run, labels, CalibrationOptions(resamples=100, seed=3))
    assert first == calibrate_run(run, labels, CalibrationOptions(resamples=100, seed=3))


def test_several_labellers_median_and_their_own_alpha(tmp_path: Path) -> None:
    rows = [{"case_id": f"c{i}", "candidate": "bot", "criterion": "policy", "label": lab, "labeller": who}
            for i in range(10) for who, lab in (("ana", i % 2), ("bo", 1), ("cy", i % 2))]
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=50))
    policy = report.criteria[0]
    assert policy.raw_agreement.value == 1.0  # the median of (x, 1, x) is x, which is what the judge said
    theirs = krippendorff.alpha(reliability_data=[[i % 2 for i in range(10)], [1] * 10, [i % 2 for i in range(10)]],
                                level_of_measurement="nominal")
    assert policy.human_alpha.value == pytest.approx(theirs, abs=1e-4)


def test_unknown_criterion_is_a_notice(tmp_path: Path) -> None:
    rows = [{"case_id": "c1", "candidate": "bot", "criterion": "warmth", "label": 3}]
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert report.criteria == [] and "warmth" in report.notices[0]


@pytest.mark.parametrize("row, field", [
    ({"case_id": "c1", "criterion": "empathy", "label": 3}, None),
    ({"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": "great"}, "label"),
    ({"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": 3, "labeler": "x"}, "labeler"),
])
def test_bad_label_line_names_file_line_and_field(tmp_path: Path, row: dict, field: str | None) -> None:
    path = _labels(tmp_path, [{"case_id": "c0", "candidate": "bot", "check": "x", "label": "pass"}, row])
    with pytest.raises(DatasetError) as info:
        load_labels(path)
    assert info.value.line == 2 and info.value.field == field


@pytest.mark.parametrize("line, problem", [
    (b'{"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": NaN}\n', "finite number"),
    (b'{"case_id": "c1", "candidate": "bot", "criterion": "empathy", "label": Infinity}\n', "finite number"),
    (b'{"case_id": "c1", "labeller": "Jos\xe9"}\n', "not UTF-8"),
    (b'{"case_id": ' + b"[" * 3000 + b"]" * 3000 + b"}\n", "nested too deeply"),
])
def test_unusable_label_line_is_a_dataset_error_with_its_line(tmp_path: Path, line: bytes, problem: str) -> None:
    # NaN and infinity crashed calibrate (ValueError / OverflowError), the others escaped while reading.
    path = _labels(tmp_path, [{"case_id": "c0", "candidate": "bot", "check": "x", "label": "pass"}])
    path.write_bytes(path.read_bytes() + line)
    with pytest.raises(DatasetError, match=problem) as info:
        load_labels(path)
    assert info.value.line == 2


def test_cli_writes_report_into_the_run(tmp_path: Path, capsys) -> None:
    run = _run(tmp_path)
    code = main(["calibrate", "--labels", str(_labels(tmp_path, _rows())), str(run), "--resamples", "50"])
    out = capsys.readouterr().out
    assert code == 0 and "| empathy | 1-5 | 10 |" in out
    saved = json.loads((run / "calibration.json").read_text())
    assert saved["schema_version"] == 2 and (run / "calibration.md").exists()


def test_cli_bad_label_line_is_one_line_without_pydantic_wording(tmp_path: Path, capsys) -> None:
    # A label naming neither a candidate nor a reply printed "…:2: Value error, give exactly one …".
    path = _labels(tmp_path, [_rows()[0], {"case_id": "c1", "criterion": "empathy", "label": 3}])
    assert main(["calibrate", "--labels", str(path), str(_run(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: give exactly one of `candidate` or `reply`" in err and "Value error" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_missing_labels_is_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["calibrate", "--labels", str(tmp_path / "nope.jsonl"), str(_run(tmp_path))]) == 2
    assert "label file not found" in capsys.readouterr().err


@pytest.mark.parametrize("target, value, problem", [
    ({"criterion": "policy"}, 7, "7 is not on the pass/fail scale of criterion 'policy'"),
    ({"criterion": "policy"}, 3, "3 is not on the pass/fail scale of criterion 'policy'"),
    ({"criterion": "policy"}, 0.5, "0.5 is not on the pass/fail scale of criterion 'policy'"),
    ({"check": "apology_wording"}, 3, "3 is not on the pass/fail scale of check 'apology_wording'"),
    ({"check": "no_contradiction"}, -1, "-1 is not on the pass/fail scale of check 'no_contradiction'"),
    ({"criterion": "empathy"}, "pass", "\"pass\" is a pass/fail answer, but criterion 'empathy' is scored on the 1-5"),
    ({"criterion": "empathy"}, "no", "\"no\" is a pass/fail answer, but criterion 'empathy' is scored on the 1-5"),
    ({"criterion": "empathy"}, True, "true is a pass/fail answer, but criterion 'empathy' is scored on the 1-5"),
    ({"criterion": "empathy"}, 7, "7 is not on the 1-5 scale of criterion 'empathy'"),
    ({"criterion": "empathy"}, 0, "0 is not on the 1-5 scale of criterion 'empathy'"),
    ({"criterion": "empathy"}, 2.5, "2.5 is not on the 1-5 scale of criterion 'empathy'"),
])
def test_label_off_its_targets_scale_is_refused_with_its_line(tmp_path: Path, capsys, target: dict, value,
                                                              problem: str) -> None:
    # 7 on a pass/fail criterion crashed (_coincidences KeyError: 7.0); "pass" on a 1-5 criterion read as
    # score 1 (leniency 3.00); 3 on a check and 7 or 0 on a 1-5 criterion were measured as given.
    rows = _rows()[:3] + [{"case_id": "c1", "candidate": "bot", **target, "label": value, "labeller": "bo"}]
    path = _labels(tmp_path, rows)
    with pytest.raises(DatasetError, match=problem) as info:
        calibrate_run(_run(tmp_path), path, CalibrationOptions(resamples=10))
    assert (info.value.line, info.value.field) == (4, "label")
    assert main(["calibrate", "--labels", str(path), str(tmp_path / "run"), "--resamples", "10"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: label: {problem}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run" / "calibration.json").exists()


def test_off_scale_label_is_refused_before_agreement_among_labellers_is_measured(tmp_path: Path, capsys) -> None:
    # The reported crash: two labellers on a pass/fail criterion, one of them writing 7.
    rows = [{"case_id": "c1", "candidate": "bot", "criterion": "policy", "label": 1, "labeller": "ana"},
            {"case_id": "c1", "candidate": "bot", "criterion": "policy", "label": 7, "labeller": "bo"}]
    path = _labels(tmp_path, rows)
    assert main(["calibrate", "--labels", str(path), str(_run(tmp_path)), "--resamples", "10"]) == 2
    assert f"{path}:2: label: 7 is not on the pass/fail scale of criterion 'policy'" in capsys.readouterr().err


@pytest.mark.parametrize("target, values", [
    ({"criterion": "policy"}, [0, 1, 0.0, 1.0, True, False, "pass", "fail", "yes", "no", "PASS"]),
    ({"check": "apology_wording"}, [0, 1, True, False, "pass", "fail", "yes", "no"]),
    ({"criterion": "empathy"}, [1, 2, 3, 4, 5, 3.0]),
])
def test_every_value_on_the_scale_is_taken(tmp_path: Path, target: dict, values: list) -> None:
    rows = [{"case_id": f"c{i}", "candidate": "bot", **target, "label": v} for i, v in enumerate(values)]
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    (row,) = report.criteria + report.checks
    assert row.n_labels == len(values)


def test_labels_of_a_criterion_or_check_the_run_did_not_measure_are_not_held_to_a_scale(tmp_path: Path) -> None:
    # The scale of a criterion the run did not judge is unknown here; a check is always pass/fail.
    rows = _rows()[:2] + [{"case_id": "c1", "candidate": "bot", "criterion": "warmth", "label": "pass"},
                          {"case_id": "c1", "candidate": "bot", "check": "boundary_setting", "label": 3}]
    with pytest.raises(DatasetError, match="3 is not on the pass/fail scale of check 'boundary_setting'") as info:
        calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert info.value.line == 4
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows[:3]), CalibrationOptions(resamples=10))
    assert [r.name for r in report.criteria] == ["empathy"] and "warmth" in report.notices[0]


def test_loaded_labels_keep_their_line_numbers(tmp_path: Path) -> None:
    path = _labels(tmp_path, _rows()[:2])
    path.write_text("\n" + path.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")
    assert [label.line for label in load_labels(path)] == [2, 4]


_RUBRIC = """\
id: support
version: "1"
criteria:
  - id: empathy
    question: Empathic?
    levels: {"1": a, "2": b, "3": c, "4": d, "5": e}
  - id: policy
    question: Within policy?
    scale: pass_fail
    levels: {pass: yes, fail: no}
  - id: apology_quality
    question: A real apology?
    levels: {"1": a, "2": b, "3": c, "4": d, "5": e}
"""


def _subset_run(tmp_path: Path, *, rubric_file: bool) -> Path:
    """A run that judged empathy and policy of a rubric that also has apology_quality."""
    from harness.judges.rubric import load_rubric
    from tests.compare.runs import manifest

    path = tmp_path / "rubric.yaml"
    path.write_text(_RUBRIC, encoding="utf-8")
    man = manifest()
    man.rubric = load_rubric(path).select(["empathy", "policy"]).record(str(path))
    man.eval_spec = {"judge": {"criteria": ["empathy", "policy"]}}
    if not rubric_file:
        path.unlink()
    records = [rec(f"c{i}", judge={"empathy": crit(4.0), "policy": crit(1.0)}) for i in range(3)]
    return write_run(tmp_path / "run", records, man)


@pytest.mark.parametrize("rubric_file", [True, False])
def test_criterion_the_run_did_not_judge_is_not_called_missing_from_the_rubric(tmp_path: Path,
                                                                              rubric_file: bool) -> None:
    # It said "criterion 'apology_quality' is not in the run's rubric" of a criterion the rubric has.
    rows = [{"case_id": "c1", "candidate": "bot", "criterion": "apology_quality", "label": 3}]
    report = calibrate_run(_subset_run(tmp_path, rubric_file=rubric_file), _labels(tmp_path, rows),
                           CalibrationOptions(resamples=10))
    assert report.criteria == []
    assert report.notices == ["the run did not judge criterion 'apology_quality' (it judged only empathy, policy): "
                              "its labels are ignored"]


def test_criterion_no_rubric_has_is_still_called_missing_from_the_rubric(tmp_path: Path) -> None:
    rows = [{"case_id": "c1", "candidate": "bot", "criterion": "warmth", "label": 3}]
    report = calibrate_run(_subset_run(tmp_path, rubric_file=True), _labels(tmp_path, rows),
                           CalibrationOptions(resamples=10))
    assert report.notices == ["criterion 'warmth' is not in the run's rubric support@1: its labels are ignored"]
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert report.notices == ["criterion 'warmth' is not in the run's rubric support@1: its labels are ignored"]


def test_check_the_run_did_not_run_is_a_notice_not_a_row(tmp_path: Path, capsys) -> None:
    # It was listed as measured, with n=0 and an all-zero confusion matrix, and no notice.
    rows = _rows() + [{"case_id": "c1", "candidate": "bot", "check": "boundary_setting", "label": "pass"}]
    run = _run(tmp_path)
    report = calibrate_run(run, _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert [r.name for r in report.checks] == ["apology_wording"]
    assert report.notices == ["the run did not run check 'boundary_setting': its labels are ignored"]
    assert main(["calibrate", "--labels", str(tmp_path / "labels.jsonl"), str(run), "--resamples", "10"]) == 0
    out = capsys.readouterr().out
    assert "> the run did not run check 'boundary_setting': its labels are ignored" in out
    assert "| boundary_setting |" not in out and "**boundary_setting**" not in out


def test_few_agreeing_labels_get_wilson_rates_and_no_point_interval_for_kappa(tmp_path: Path, capsys) -> None:
    # 5 replies the humans failed and 5 they passed; the check agrees on all ten. Before, the report read
    # false-pass 0.00 [0.00, 0.00] and kappa 1.00 [1.00, 1.00]: certainty from ten labels.
    verdicts = [False] * 5 + [True] * 5
    run = write_run(tmp_path / "run", [rec(f"c{i}", checks={"apology_wording": chk(v)}, reply=f"reply {i}")
                                       for i, v in enumerate(verdicts)])
    labels = _labels(tmp_path, [{"case_id": f"c{i}", "reply": f"reply {i}", "check": "apology_wording",
                                 "label": v, "labeller": "ana"} for i, v in enumerate(verdicts)])
    row = calibrate_run(run, labels, CalibrationOptions(resamples=200)).checks[0]
    assert row.false_pass_rate.value == 0.0 and row.false_pass_rate.high > 0.4
    assert row.raw_agreement.value == 1.0 and row.raw_agreement.low < 0.75
    assert row.cohen_kappa.value == 1.0 and row.cohen_kappa.low is None and row.cohen_kappa.high is None
    assert main(["calibrate", "--labels", str(labels), str(run), "--resamples", "200"]) == 0
    text = (run / "calibration.md").read_text()
    assert "1.00 (no interval at this n)" in text and "[0.00, 0.00]" not in text


def test_labels_naming_candidates_the_run_lacks_get_a_notice_and_exit_2(tmp_path: Path, capsys) -> None:
    run = _run(tmp_path)  # candidate "bot"
    rows = [{"case_id": f"c{i}", "candidate": name, "criterion": "empathy", "label": 3, "labeller": "ana"}
            for i in range(4) for name in ("bot-v1", "bot-v2")]
    labels = _labels(tmp_path, rows)
    report = calibrate_run(run, labels, CalibrationOptions(resamples=10))
    assert any("8 labels name candidates the run does not have (bot-v1, bot-v2; the run has bot)" in n
               for n in report.notices)
    assert main(["calibrate", "--labels", str(labels), str(run)]) == 2
    err = capsys.readouterr().err
    assert "no label matched a reply of the run" in err and "bot-v1, bot-v2" in err
    assert (run / "calibration.md").exists()  # the report (with its notices) is still written


def test_labels_of_cases_or_replies_the_run_lacks_are_named_and_matched_ones_still_count(tmp_path: Path,
                                                                                          capsys) -> None:
    run = _run(tmp_path)
    rows = _rows() + [{"case_id": "zz9", "candidate": "bot", "criterion": "empathy", "label": 3},
                      {"case_id": "c1", "reply": "a reply nobody wrote", "check": "apology_wording", "label": True}]
    report = calibrate_run(run, _labels(tmp_path, rows), CalibrationOptions(resamples=10))
    assert "1 labels name cases the run did not run (zz9): they are unmatched" in report.notices
    assert any(n.startswith("1 labels give a reply text") for n in report.notices)
    assert main(["calibrate", "--labels", str(_labels(tmp_path, rows)), str(run)]) == 0


def test_every_label_matched_gives_no_unmatched_notice(tmp_path: Path) -> None:
    report = calibrate_run(_run(tmp_path), _labels(tmp_path, _rows()), CalibrationOptions(resamples=10))
    assert not any("unmatched" in n for n in report.notices)


def test_the_exit_2_line_names_every_reason_no_label_matched(tmp_path: Path, capsys) -> None:
    run = _run(tmp_path)
    rows = [{"case_id": "c0", "candidate": "other", "criterion": "empathy", "label": 3},
            {"case_id": "zz", "candidate": "bot", "criterion": "empathy", "label": 3}]
    assert main(["calibrate", "--labels", str(_labels(tmp_path, rows)), str(run)]) == 2
    err = capsys.readouterr().err
    assert "candidates the run does not have (other" in err and "cases the run did not run (zz)" in err
