"""Runs of one rubric (same id and version) that judged different criteria of it are compared on the criteria
both judged; a criterion whose definition changed is still refused, and older runs without a hash per
criterion keep the whole-rubric comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.main import main
from harness.compare import DiffOptions, IncomparableRunsError, build_diff
from harness.compare.guard import differences
from harness.judges.rubric import load_rubric
from harness.records.store import read_manifest
from tests.compare.runs import crit, manifest, rec, write_run

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "support-reply.yaml"


def rubric_record(ids: list[str] | None, rubric=None) -> dict:
    rubric = rubric or load_rubric(RUBRIC)
    return rubric.select(ids).record(str(RUBRIC))


def run(path: Path, record: dict, score: float) -> Path:
    man = manifest()
    man.rubric = record
    judge = {name: crit(score if info["scale"] == "1-5" else 1.0) for name, info in record["criteria"].items()}
    return write_run(path, [rec(f"c{i:02d}", judge=judge) for i in range(12)], man)


def test_every_criterion_records_its_own_hash():
    record = rubric_record(None)
    rubric = load_rubric(RUBRIC)
    assert {name: info["sha256"] for name, info in record["criteria"].items()} == \
        {c.id: c.sha256 for c in rubric.criteria}
    assert len({info["sha256"] for info in record["criteria"].values()}) == len(rubric.criteria)


def test_a_subset_of_the_same_rubric_is_compared_on_the_shared_criteria(tmp_path):
    a = run(tmp_path / "a", rubric_record(None), 3.0)
    b = run(tmp_path / "b", rubric_record(["empathy", "tone", "no_contradiction"]), 4.0)
    report = build_diff(a, b)  # refused before: "rubric content hash differs"
    assert report.comparable and not report.differences and not report.warnings
    criteria = [r.name for r in report.comparisons[0].rows if r.kind == "criterion"]
    assert criteria == ["no_contradiction", "empathy", "tone"]
    notice = next(n for n in report.notices if n.startswith("criteria not compared"))
    only_a = [c.id for c in load_rubric(RUBRIC).criteria if c.id not in criteria]
    assert notice == (f"criteria not compared (judged in one run only, so they have no row): {', '.join(only_a)} "
                      f"in A only; the diff compares the 3 criteria both runs judged")


def test_two_different_selections_name_both_sides(tmp_path):
    a = run(tmp_path / "a", rubric_record(["empathy", "tone", "urgency"]), 3.0)
    b = run(tmp_path / "b", rubric_record(["empathy", "acknowledgement"]), 3.0)
    report = build_diff(a, b)
    assert [r.name for r in report.comparisons[0].rows if r.kind == "criterion"] == ["empathy"]
    assert ("criteria not compared (judged in one run only, so they have no row): tone, urgency in A only; "
            "acknowledgement in B only; the diff compares the 1 criterion both runs judged") in report.notices


def test_a_criterion_whose_definition_changed_is_refused_and_named(tmp_path, capsys):
    rubric = load_rubric(RUBRIC)
    changed = rubric.model_copy(update={"criteria": [
        c.model_copy(update={"question": c.question + " Be strict."}) if c.id == "empathy" else c
        for c in rubric.criteria]})
    a = run(tmp_path / "a", rubric_record(None), 3.0)
    b = run(tmp_path / "b", rubric_record(["empathy", "tone"], changed), 4.0)
    old, new = rubric.criteria[3].sha256, changed.criteria[3].sha256
    with pytest.raises(IncomparableRunsError) as refused:
        build_diff(a, b)
    assert f"criterion empathy definition differs (A {old[:12]}…, B {new[:12]}…)" in str(refused.value)
    assert "tone" not in str(refused.value)
    assert main(["diff", str(a), str(b)]) == 2  # the documented exit code of an incomparable diff
    assert "criterion empathy definition differs" in capsys.readouterr().err
    report = build_diff(a, b, DiffOptions(allow_incomparable=True))
    assert "criterion empathy definition differs" in report.warnings[0]


def _older(ids: list[str] | None) -> dict:
    record = rubric_record(ids)
    for info in record["criteria"].values():
        del info["sha256"]
    return record


def test_an_older_run_judging_other_criteria_is_still_refused_with_the_reason(tmp_path):
    a, b = run(tmp_path / "a", _older(None), 3.0), run(tmp_path / "b", rubric_record(["empathy"]), 3.0)
    found = differences(read_manifest(a), read_manifest(b))
    assert len(found) == 1 and found[0].startswith("rubric content hash differs (A ")
    assert found[0].endswith(": the runs judged different criteria, and run A records no hash per criterion (made "
                             "by an older harness), so a criterion changed since cannot be told from a subset")


def test_older_runs_of_the_same_criteria_compare_as_before(tmp_path):
    a, b = run(tmp_path / "a", _older(None), 3.0), run(tmp_path / "b", _older(None), 4.0)
    assert differences(read_manifest(a), read_manifest(b)) == []
    record = _older(None)
    record["sha256"] = "0" * 64  # the same criteria, other content: no hash per criterion to tell which changed
    c = run(tmp_path / "c", record, 4.0)
    assert [d.split(" (")[0] for d in differences(read_manifest(a), read_manifest(c))] == ["rubric content hash differs"]


def test_another_rubric_version_is_still_refused(tmp_path):
    record = rubric_record(["empathy"])
    a = run(tmp_path / "a", rubric_record(None), 3.0)
    b = run(tmp_path / "b", {**record, "version": "2"}, 3.0)
    assert differences(read_manifest(a), read_manifest(b)) == [
        "rubric version differs (A 1.0.0, B 2)",
        f"rubric content hash differs (A {rubric_record(None)['sha256'][:12]}…, B {record['sha256'][:12]}…)"]
