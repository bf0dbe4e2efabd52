"""A case both runs hold with other content (same id, edited complaint) is left out of every row; the row's
left-out cell counts it under its own reason, ``changed``, so n plus the cell accounts for every case of
either run (it read "one side only 2" beside 68 of 71 ids, the edited case named only in a notice)."""

from __future__ import annotations

import json

from harness.compare import build_diff
from harness.compare.outputs import render
from harness.compare.schema import DiffReport, LeftOut
from harness.report.diff_cells import fmt_left_out

from runs import chk, manifest, rec, write_run


def _run(path, ids, cases=None, dataset="d" * 64):
    records = [rec(i, "bot", reply=f"reply {i}", checks={"no_contradiction": chk(True)}) for i in ids]
    return write_run(path, records, manifest(dataset=dataset, checks={"no_contradiction": "1"}), cases)


def _edited(case_id):
    return {"id": case_id, "turns": [{"role": "customer", "content": f"complaint {case_id}, edited"}]}


def _report(tmp_path) -> DiffReport:
    a = _run(tmp_path / "a", ["c1", "c2", "c3", "c4"])  # c4 removed in B, c3 edited, c5 added
    b = _run(tmp_path / "b", ["c1", "c2", "c3", "c5"], {"c3": _edited("c3")}, dataset="e" * 64)
    return build_diff(a, b)


def _row(report: DiffReport):
    return next(row for row in report.comparisons[0].rows if row.name == "no_contradiction")


def test_a_changed_case_is_counted_apart_from_one_side_only(tmp_path):
    row = _row(_report(tmp_path))
    assert (row.n_cases, row.left_out.unmatched, row.left_out.changed) == (2, 2, 1)
    assert row.n_cases + row.left_out.unmatched + row.left_out.changed == 5  # c1..c5: every id of either run


def test_every_output_names_the_reason(tmp_path):
    report = _report(tmp_path)
    cell = "3 (one side only 2, changed 1)"
    assert fmt_left_out(_row(report).left_out) == cell
    for fmt in ("md", "html"):  # md is also what `harness diff` prints without --out
        assert cell in render(report, fmt)
    rows = json.loads(render(report, "json"))["comparisons"][0]["rows"]
    assert [r["left_out"]["changed"] for r in rows if r["name"] == "no_contradiction"] == [1]


def test_a_diff_json_written_before_the_field_still_reads(tmp_path):
    data = json.loads(render(_report(tmp_path), "json"))
    for row in data["comparisons"][0]["rows"]:
        del row["left_out"]["changed"]
    old = DiffReport.model_validate(data)
    assert _row(old).left_out.changed == 0
    assert fmt_left_out(LeftOut(unmatched=2)) == "2 (one side only 2)"


def test_the_unshared_warning_says_cases_changed(tmp_path):
    a = _run(tmp_path / "a", ["c1"])
    b = _run(tmp_path / "b", ["c1"], {"c1": _edited("c1")}, dataset="e" * 64)
    assert "1 changed between the runs (same id, other content)" in build_diff(a, b).warnings[0]
