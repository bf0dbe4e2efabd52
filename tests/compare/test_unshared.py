"""Two runs that share no graded case: every output says the rows are not measured, never "no change"."""

from __future__ import annotations

import json

from harness.cli.main import main
from harness.compare import build_diff, write_diff
from harness.compare.diff import measured_nothing
from tests.compare.runs import chk, crit, rec, write_run


def _records(ids: range, candidate: str = "bot") -> list:
    return [rec(f"c{i:02d}", candidate, checks={"apology_wording": chk(True), "next_step": chk(i % 2 == 0),
                                                "no_contradiction": chk(True)},
                judge={"empathy": crit(4), "policy": crit(1.0)}) for i in ids]


NOTE = "not measured: no case was graded on both sides"


def test_runs_without_a_shared_case_say_nothing_was_measured(tmp_path):
    run_a = write_run(tmp_path / "a", _records(range(0, 10)))
    run_b = write_run(tmp_path / "b", _records(range(10, 18)))
    report = build_diff(run_a, run_b)
    comparison = report.comparisons[0]
    assert all(r.n_cases == 0 and r.verdict_note == NOTE for r in comparison.rows)
    assert measured_nothing(report)
    warning = ("bot (A) → bot (B): not measured: the sides share no graded case (18 cases are on one side only), "
               "so no row has a difference to test")
    assert report.warnings == [warning]
    paths = write_diff(report, tmp_path / "d")
    md, html = paths["md"].read_text(), paths["html"].read_text()
    data = json.loads(paths["json"].read_text())
    assert data["warnings"] == [warning] and data["comparisons"][0]["rows"][0]["verdict_note"] == NOTE
    assert "| no detectable change |" not in md and ">no detectable change<" not in html
    for text in (md, html):
        assert "no detectable change on any row" not in text
        assert "share no graded case" in text and NOTE in text
    assert "**not measured: the sides share no graded case**" in md


def test_the_terminal_says_so_too(tmp_path, capsys):
    run_a = write_run(tmp_path / "a", _records(range(0, 10)))
    run_b = write_run(tmp_path / "b", _records(range(10, 18)))
    # Exit code 2, as for runs that cannot be compared; the outputs are still written.
    assert main(["diff", str(run_a), str(run_b), "--out", str(tmp_path / "d")]) == 2
    assert "harness: warning: bot (A) → bot (B): not measured: the sides share no graded case" in capsys.readouterr().err
    assert (tmp_path / "d" / "diff.md").exists()
    assert main(["diff", str(run_a), str(write_run(tmp_path / "c", _records(range(0, 10))))]) == 0


def test_one_shared_case_is_measured_and_a_pair_without_one_is_named(tmp_path):
    run_a = write_run(tmp_path / "a", _records(range(0, 10)) + _records(range(0, 10), "agent"))
    run_b = write_run(tmp_path / "b", _records(range(9, 18)) + _records(range(20, 22), "agent"))
    report = build_diff(run_a, run_b)
    bot, agent = report.comparisons
    # One case can show no change at all: the note says so rather than nothing.
    assert all(r.n_cases == 1 and r.verdict_note == "too few cases to detect any change" for r in bot.rows)
    assert not measured_nothing(report)
    assert [w.split(":")[0] for w in report.warnings] == ["agent (A) → agent (B)"]
