"""A row too small for any change to be called says so, and a candidate compared with itself is named."""

from __future__ import annotations

from harness.compare import DiffOptions, build_diff, write_diff
from harness.report.diff_markdown import headline
from tests.compare.edge_runs import records, run

TOO_FEW = "too few cases to detect any change"


def test_one_case_reads_too_few_cases_not_no_change(tmp_path):
    report = build_diff(run(tmp_path / "a", records("bot", 1)),
                        run(tmp_path / "b", records("bot", 1, worse=frozenset({"c00"}))))
    comparison = report.comparisons[0]
    rows = {r.name: r for r in comparison.rows}
    assert rows["next_step"].difference == -1.0 and rows["next_step"].verdict == "no detectable change"
    assert all(r.verdict_note == TOO_FEW for r in comparison.rows)
    assert headline(comparison) == ("2 worse and 0 better in B over 1 case (counted per case and measure); "
                                   "too few cases to detect any change on any row")
    md = write_diff(report, tmp_path / "d")["md"].read_text()
    assert "| next_step (check) | 100% | 0% | -100 pp [-100, +95] | 1 (1) | too few cases to detect any change | none at this n |" in md
    assert "no detectable change on any row" not in md


def test_a_change_lost_to_the_correction_keeps_its_note_beside_too_few_rows(tmp_path):
    worse = frozenset(f"c{i:02d}" for i in range(6))
    report = build_diff(run(tmp_path / "a", records("bot", 6)), run(tmp_path / "b", records("bot", 6, worse=worse)))
    assert headline(report.comparisons[0]) == (
        # Tarone's family: the 3 rows where nothing changed cannot be significant and do not count (5 before).
        # Outside the family (Tarone), so not "after correcting": too few changed cases to reach alpha / 2.
        "empathy not significant: p 0.031 before correcting, but too few changed cases to reach α/2 (reads 1), "
        "next_step (check) not significant: p 0.031 before correcting, but too few changed cases to reach α/2 "
        "(reads 1); 12 worse and 0 better in B over 6 cases "
        "(counted per case and measure); too few cases to detect any change: "
        "policy, apology_wording (check), no_contradiction (check)")


def test_enough_cases_and_no_change_keeps_no_note(tmp_path):
    report = build_diff(run(tmp_path / "a", records("bot", 30)), run(tmp_path / "b", records("bot", 30)))
    assert all(r.verdict_note is None for r in report.comparisons[0].rows)
    assert headline(report.comparisons[0]) == "no detectable change on any row; no case changed on any measure"


def test_a_candidate_against_itself_is_named_identical(tmp_path):
    run_a = run(tmp_path / "a", records("bot", 20), records("agent", 20))
    notice = ("identical sides: A and B are the same candidate (bot) of the same run, so every difference is 0 by "
              "construction; the intervals show what this n could detect, not a measured change")
    assert notice in build_diff(run_a, options=DiffOptions(pair=("bot", "bot"))).notices
    assert notice in build_diff(run_a, run_a, DiffOptions(pair=("bot", "bot"))).notices
    assert not any("identical" in n for n in build_diff(run_a, options=DiffOptions(pair=("bot", "agent"))).notices)
    run_b = run(tmp_path / "b", records("bot", 20))
    assert not any("identical" in n for n in build_diff(run_a, run_b).notices)
