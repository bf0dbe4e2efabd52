"""The diff's headline says which way the cases moved (worse and better in B), in every output, and the
replies that changed with no change in any measure are counted, listed and shown side by side."""

from __future__ import annotations

import json

from harness.cli.main import main
from harness.compare import build_diff, load_diff, write_diff
from harness.compare.diff import headline
from harness.report.diff_html import render_diff_html
from harness.report.diff_markdown import render_diff_md
from tests.compare.runs import chk, crit, rec, write_run


def _rec(case_id: str, passed: bool, reply: str = "We will call you today.", sample: int = 0):
    return rec(case_id, sample=sample, reply=reply, judge={"empathy": crit(4), "policy": crit(1.0)},
               checks={"apology_wording": chk(True), "next_step": chk(passed), "no_contradiction": chk(True)})


def _runs(tmp_path):
    """12 cases: c00-c02 pass→fail on next_step, c03 fail→pass; c04, c05 say it differently, no measure moves."""
    side_a = [_rec(f"c{i:02d}", i != 3) for i in range(12)]
    side_b = [_rec(f"c{i:02d}", i not in (0, 1, 2)) for i in range(12)]
    side_b[4] = _rec("c04", True, reply="We'll ring you today.")  # a different length
    side_b[5] = _rec("c05", True, reply="We will call you tonight")  # the same length, another text
    return write_run(tmp_path / "a", side_a), write_run(tmp_path / "b", side_b)


def test_the_headline_counts_flips_both_ways(tmp_path):
    comparison = build_diff(*_runs(tmp_path)).comparisons[0]
    assert comparison.flips.worse == 3 and comparison.flips.better == 1 and comparison.flips.cases_changed == 4
    text = headline(comparison)
    assert "3 pass→fail and 1 fail→pass flips over 4 cases" in text
    assert "2 replies changed text with no change in any measure" in text
    assert comparison.headline == text


def test_replies_changed_with_no_change_in_any_measure_are_listed_and_viewed(tmp_path):
    report = build_diff(*_runs(tmp_path))
    comparison = report.comparisons[0]
    assert comparison.reply_changes == ["c04", "c05"]
    assert comparison.cases["c05"].b.reply == "We will call you tonight"
    assert "c06" not in comparison.cases  # unchanged reply, unchanged measures: nothing to show


def test_every_output_carries_the_headline_and_the_reply_changes(tmp_path):
    report = build_diff(*_runs(tmp_path))
    paths = write_diff(report, tmp_path / "d")
    data = json.loads(paths["json"].read_text())["comparisons"][0]
    assert data["flips"] == {"worse": 3, "better": 1, "cases_changed": 4, "whole_flips": True}
    assert data["reply_changes"] == ["c04", "c05"] and "3 pass→fail" in data["headline"]
    md, html = paths["md"].read_text(), paths["html"].read_text()
    assert "**no detectable change on any row; 3 pass→fail and 1 fail→pass flips over 4 cases; 2 replies changed" in md
    assert "Replies changed with no change in any measure (2)" in md and "We will call you tonight" in md
    assert ('<p class="headline"><b>no detectable change on any row; 3 pass→fail and 1 fail→pass flips over 4 cases; '
            "2 replies changed") in html
    assert "Replies changed with no change in any measure (2)</h3>" in html
    assert '<details class="reply-change"><summary>c05</summary>' in html


def test_an_old_diff_json_without_the_new_fields_still_reads_and_renders(tmp_path):
    paths = write_diff(build_diff(*_runs(tmp_path)), tmp_path / "d", ["json"])
    data = json.loads(paths["json"].read_text())
    for comparison in data["comparisons"]:
        for key in ("headline", "flips", "reply_changes"):
            del comparison[key]
    paths["json"].write_text(json.dumps(data))
    report = load_diff(paths["json"])
    assert "3 pass→fail and 1 fail→pass flips" in render_diff_md(report)
    assert "3 pass→fail and 1 fail→pass flips" in render_diff_html(report)


def test_scores_read_worse_and_better_not_flips(tmp_path):
    def score(case_id, value):
        return rec(case_id, judge={"empathy": crit(value), "policy": crit(1.0)})
    report = build_diff(write_run(tmp_path / "a", [score(f"c{i}", 4) for i in range(6)]),
                        write_run(tmp_path / "b", [score(f"c{i}", 3 if i < 2 else 4 if i < 5 else 5)
                                                   for i in range(6)]))
    assert "2 worse and 1 better in B over 3 cases (counted per case and measure)" in report.comparisons[0].headline


def test_samples_are_compared_reply_by_reply(tmp_path):
    side_a = [_rec("c00", True, sample=0), _rec("c00", True, reply="Second answer.", sample=1)]
    side_b = [_rec("c00", True, sample=0), _rec("c00", True, reply="Other answer!!", sample=1)]
    report = build_diff(write_run(tmp_path / "a", side_a), write_run(tmp_path / "b", side_b))
    assert report.comparisons[0].reply_changes == ["c00"]
    same = build_diff(write_run(tmp_path / "c", side_a), write_run(tmp_path / "d", side_a))
    assert same.comparisons[0].reply_changes == []
    assert "no case changed on any measure" in same.comparisons[0].headline


def test_a_case_error_is_not_a_reply_change(tmp_path):
    side_a = [_rec("c00", True), _rec("c01", True)]
    side_b = [_rec("c00", True), rec("c01", error=True)]
    report = build_diff(write_run(tmp_path / "a", side_a), write_run(tmp_path / "b", side_b))
    assert report.comparisons[0].reply_changes == []


def test_the_mde_note_names_the_holm_level(tmp_path):
    report = build_diff(*_runs(tmp_path))
    family = report.comparisons[0].holm_family
    # Tarone's family: next_step's 4 changed cases give p 0.125 at best and the other rows none changed,
    # so no row could be significant and none raises the level (it was 5 rows, alpha / 5).
    assert family == 1
    md, html = render_diff_md(report), render_diff_html(report)
    level = "80% power at α = 0.05"
    assert level in md and level in html and "α = 0.05 /" not in md
    assert "80% power (α = 0.05)" not in md


def test_the_terminal_prints_each_headline_with_out(tmp_path, capsys):
    run_a, run_b = _runs(tmp_path)
    assert main(["diff", str(run_a), str(run_b), "--out", str(tmp_path / "d"), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bot (A) → bot (B): no detectable change on any row; 3 pass→fail and 1 fail→pass flips "
                          "over 4 cases; 2 replies changed text with no change in any measure\n")
