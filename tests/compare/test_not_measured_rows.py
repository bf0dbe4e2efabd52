"""A row no case was graded on both sides of has the verdict "not measured", never "no detectable change":
in diff.json, diff.md (row and headline) and diff.html, while the other rows of the pair are still tested."""

from __future__ import annotations

import json

from harness.compare import build_diff, write_diff
from harness.report.diff_markdown import headline
from tests.compare.edge_runs import records, run


def test_rows_without_a_graded_case_are_not_measured(tmp_path):
    report = build_diff(run(tmp_path / "a", records("bot", 10)), run(tmp_path / "b", records("bot", 10, na=True)))
    rows = {r.name: r for r in report.comparisons[0].rows}
    assert rows["policy"].verdict == rows["next_step"].verdict == "not measured"
    assert rows["empathy"].verdict == rows["apology_wording"].verdict == "no detectable change"
    paths = write_diff(report, tmp_path / "d")
    data = json.loads(paths["json"].read_text())
    verdicts = {r["name"]: r["verdict"] for r in data["comparisons"][0]["rows"]}
    assert verdicts["policy"] == verdicts["next_step"] == "not measured"
    md = paths["md"].read_text()
    assert "no detectable change on any row" not in md
    assert ("**no detectable change on 3 of 5 rows; no case changed on any measure; not measured (no case graded on "
            "both sides): policy, ") in md
    assert "| not measured: no case was graded on both sides |" in md
    html = paths["html"].read_text()
    assert '<tr data-verdict="not measured">' in html


def test_a_regression_beside_an_unmeasured_row_is_named_first(tmp_path):
    worse = frozenset(f"c{i:02d}" for i in range(20))
    side_b = records("bot", 20, worse=worse)
    for r in side_b:
        r.judge["policy"] = r.judge["policy"].model_copy(update={"applicable": False, "score": None, "passed": None})
    report = build_diff(run(tmp_path / "a", records("bot", 20)), run(tmp_path / "b", side_b))
    text = headline(report.comparisons[0])
    assert text.startswith("empathy regressed") and text.endswith("not measured (no case graded on both sides): policy")
