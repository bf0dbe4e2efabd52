"""diff.md's headline marks a check "(check)", as the table does: a check may share a criterion's name."""

from __future__ import annotations

from harness.compare import build_diff
from harness.report.diff_markdown import headline
from tests.compare.edge_runs import records, run


def test_the_headline_says_which_rows_are_checks(tmp_path):
    worse = frozenset(f"c{i:02d}" for i in range(20))
    report = build_diff(run(tmp_path / "a", records("bot", 20)), run(tmp_path / "b", records("bot", 20, worse=worse)))
    assert headline(report.comparisons[0]) == ("empathy regressed, next_step (check) regressed; "
                                               "40 worse and 0 better in B over 20 cases (counted per case and measure)")


def test_unmeasured_checks_are_marked_too(tmp_path):
    report = build_diff(run(tmp_path / "a", records("bot", 10)), run(tmp_path / "b", records("bot", 10, na=True)))
    assert headline(report.comparisons[0]) == ("no detectable change on 3 of 5 rows; no case changed on any measure; "
                                               "not measured (no case graded on both sides): policy, next_step (check)")
