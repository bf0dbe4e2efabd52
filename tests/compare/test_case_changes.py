"""Two runs over different versions of a dataset are compared on the cases both hold unchanged: a case added,
removed or changed (same id, other content) is named in a notice and left out of every row, instead of the
whole diff being refused as "dataset content hash differs". Replies a dataset records for versions are
candidate output, not case content."""

from __future__ import annotations

import pytest

from harness.compare import IncomparableRunsError, build_diff
from harness.compare.align import case_notices, compared_cases
from harness.compare.columns import open_run
from harness.compare.diff import measured_nothing
from harness.compare.guard import differences

from runs import chk, manifest, rec, write_run


def _records(ids: list[str], failing: set[str] = frozenset()) -> list:
    return [rec(i, "bot", reply=f"reply {i}", checks={"no_contradiction": chk(i not in failing)}) for i in ids]


def _checked(report):
    """The no_contradiction row of the report's one pair."""
    return next(row for row in report.comparisons[0].rows if row.name == "no_contradiction")


def _case(case_id: str, complaint: str | None = None, **extra) -> dict:
    return {"id": case_id, "turns": [{"role": "customer", "content": complaint or f"complaint {case_id}"}], **extra}


def _run(path, ids: list[str], cases: dict | None = None, dataset: str = "d" * 64, failing=frozenset()):
    return write_run(path, _records(ids, failing), manifest(dataset=dataset, checks={"no_contradiction": "1"}),
                     cases)


def test_added_removed_and_changed_cases_are_named_and_the_rest_compared(tmp_path):
    a = _run(tmp_path / "a", ["c1", "c2", "c3", "c4"])
    b = _run(tmp_path / "b", ["c2", "c3", "c4", "c5"], {"c3": _case("c3", "complaint c3, edited")},
             dataset="e" * 64, failing={"c3", "c4"})
    report = build_diff(a, b)  # it raised "runs are not comparable: dataset content hash differs"
    assert report.comparable and not report.warnings
    row = _checked(report)
    assert row.n_cases == 2  # c2 and c4; c3 changed, c1 and c5 on one side only
    assert [c.case_id for c in row.changes] == ["c4"]  # c3's drop is not credited to the candidate
    assert row.left_out.unmatched == 2  # c1 and c5: the changed case is not "on one side only"
    notice = ("cases not compared: case c1 in A only; case c5 in B only; case c3 changed (same id, other content), "
              "left out of every row; compared on the 2 cases both runs hold unchanged")
    assert case_notices(open_run(a), open_run(b)) == [notice]
    assert notice in report.notices  # the diff says it too (text, diff.md, diff.json, diff.html)


def test_replies_a_dataset_records_are_not_case_content(tmp_path):
    a = _run(tmp_path / "a", ["c1", "c2"], {"c1": _case("c1", recorded_replies={"bot": "old"})})
    b = _run(tmp_path / "b", ["c1", "c2"], {"c1": _case("c1", recorded_replies={"bot": "new"})}, dataset="e" * 64)
    changes = compared_cases(open_run(a), open_run(b))
    assert changes.changed == [] and changes.shared == ["c1", "c2"]
    assert case_notices(open_run(a), open_run(b)) == []
    assert _checked(build_diff(a, b)).n_cases == 2


def test_every_shared_case_changed_compares_nothing(tmp_path):
    a = _run(tmp_path / "a", ["c1", "c2"])
    b = _run(tmp_path / "b", ["c1", "c2"], {i: _case(i, f"other {i}") for i in ("c1", "c2")}, dataset="e" * 64)
    report = build_diff(a, b)
    assert measured_nothing(report)  # `harness diff` exits 2 on it, with its "not measured" warning
    assert case_notices(open_run(a), open_run(b)) == [
        "cases not compared: cases c1, c2 changed (same id, other content), left out of every row; the runs hold "
        "no case in common unchanged: nothing is compared"]


def test_a_run_without_a_case_snapshot_and_another_dataset_is_refused(tmp_path):
    a = _run(tmp_path / "a", ["c1", "c2"])
    b = _run(tmp_path / "b", ["c1", "c2"], dataset="e" * 64)
    (a / "cases.jsonl").unlink()
    refused = r"dataset content hash differs \(A dddddddddddd…, B eeeeeeeeeeee…\), and run A has no case snapshot"
    with pytest.raises(IncomparableRunsError, match=refused):
        build_diff(a, b)
    (b / "cases.jsonl").unlink()
    assert _checked(build_diff(a, _run(tmp_path / "c", ["c1", "c2"]))).n_cases == 2  # the same dataset


def test_many_ids_are_cut_short_with_their_count(tmp_path):
    ids = [f"c{i}" for i in range(8)]
    a = _run(tmp_path / "a", ["c0"])
    b = _run(tmp_path / "b", ["c0", *ids[1:]], dataset="e" * 64)
    notice = case_notices(open_run(a), open_run(b))[0]
    assert "cases c1, c2, c3, c4, c5, … (7 in all) in B only" in notice


def test_the_dataset_hash_alone_is_no_longer_a_difference():
    assert differences(manifest(), manifest(dataset="x" * 64)) == []
