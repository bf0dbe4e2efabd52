"""The Holm family is one candidate pair's rows: a candidate's verdicts never depend on the others compared.

An eval with an unchanged ``bot-v2`` beside a changed ``agent``: ``agent``'s
rows must read the same whether ``bot-v2`` is in the diff or not, and a row
that looked changed before the correction says why it has no verdict, in
``diff.json``, ``diff.md`` and ``diff.html`` alike.
"""

from __future__ import annotations

import json

import pytest

from harness.compare import DiffOptions, build_diff, write_diff
from harness.compare.paired import mcnemar_exact
from harness.compare.rows import apply_holm
from harness.compare.schema import DiffRow
from harness.scoring.schema import Interval
from tests.compare.runs import chk, crit, rec, write_run

N_CASES = 40
# apology_wording, no_contradiction and empathy churn (6 cases each way: no change on balance, but rows that
# could have been significant, so they count); policy never moves, so Tarone's family leaves it out.
CHURN_ROWS = 3
N_ROWS = CHURN_ROWS + 1  # and agent's next_step


def _records(candidate: str, flips: int, side: str) -> list:
    """Every case passes next_step, except that the first ``flips`` fail it; cases 20-25 fail the churning
    measures on side A, cases 26-31 on side B."""
    churn = range(20, 26) if side == "a" else range(26, 32)
    return [rec(f"c{i:02d}", candidate, checks={"apology_wording": chk(i not in churn), "next_step": chk(i >= flips),
                                                "no_contradiction": chk(i not in churn)},
                judge={"empathy": crit(3 if i in churn else 4), "policy": crit(1.0)}) for i in range(N_CASES)]


def _runs(tmp_path, flips: int):
    run_a = write_run(tmp_path / "m1", _records("bot-v2", 0, "a") + _records("agent", 0, "a"))
    run_b = write_run(tmp_path / "m2", _records("bot-v2", 0, "b") + _records("agent", flips, "b"))
    return run_a, run_b


def _agent_next_step(report) -> DiffRow:
    comparison = next(c for c in report.comparisons if c.candidate_b == "agent")
    return next(r for r in comparison.rows if r.name == "next_step")


def test_a_candidates_verdict_does_not_depend_on_the_other_candidates(tmp_path):
    # 8 pass -> fail, none back: exact p = 2 * 0.5^8 = 0.0078; x4 rows = 0.031 (regressed), x7 = 0.055 (was not).
    run_a, run_b = _runs(tmp_path, flips=8)
    both = build_diff(run_a, run_b)
    alone = build_diff(run_a, run_b, DiffOptions(pair=("agent", "agent")))
    row_both, row_alone = _agent_next_step(both), _agent_next_step(alone)
    assert row_both.p_value == pytest.approx(mcnemar_exact(8, 0))
    assert row_both.p_holm == row_alone.p_holm == pytest.approx(N_ROWS * mcnemar_exact(8, 0))
    assert row_both.verdict == row_alone.verdict == "regressed"
    assert [c.holm_family for c in both.comparisons] == [CHURN_ROWS, N_ROWS]
    assert alone.comparisons[0].holm_family == N_ROWS


def test_a_change_lost_to_the_correction_says_so_in_every_output(tmp_path):
    # 7 pass -> fail: p = 0.0156 before; at best 0.0156 > 0.05 / 4, so Tarone leaves it out of the 4-row family
    # (p (Holm) 1); the interval excludes 0.
    run_a, run_b = _runs(tmp_path, flips=7)
    report = build_diff(run_a, run_b)
    row = _agent_next_step(report)
    assert row.verdict == "no detectable change" and row.ci.hi < 0
    # Not "after correcting for 4 comparisons": the row is outside the family and reads 1 (a review found the
    # two side by side contradictory), so the note says why it could not be significant.
    note = "not significant: p 0.016 before correcting, but too few changed cases to reach α/4 (reads 1)"
    assert row.verdict_note == note
    paths = write_diff(report, tmp_path / "d12")
    data = json.loads(paths["json"].read_text())
    agent = next(c for c in data["comparisons"] if c["candidate_b"] == "agent")
    assert agent["holm_family"] == N_ROWS
    assert next(r for r in agent["rows"] if r["name"] == "next_step")["verdict_note"] == note
    md, html = paths["md"].read_text(), paths["html"].read_text()
    assert f"| {note} |" in md and f"**next_step (check) {note}; 25 worse and 18 better in B over 19 cases" in md
    assert f"{note}</td>" in html
    for text in (md, html):
        # The sentence names the rows that could be significant: agent's next_step (7 changed, p >= 0.016 >
        # 0.05/4) could not, so 3 of its family of 4 could; bot-v2's 3 churning rows form its whole family.
        agent_family = (f"Holm-adjusted across the {CHURN_ROWS} rows of this pair that could be significant, counted "
                        f"as a family of {N_ROWS}")
        assert text.count(agent_family) == 1
        assert text.count(f"Holm-adjusted across the {CHURN_ROWS} rows of this pair that could be significant; the "
                          f"other 2 rows could not be") == 1  # bot-v2
        assert "all rows of this diff" not in text and "across all" not in text


def _row(p: float | None, difference: float = -0.2, ci: tuple[float, float] | None = (-0.3, -0.1)) -> DiffRow:
    return DiffRow(kind="check", name="x", scale="pass_fail", n_cases=50, difference=difference, p_value=p,
                   ci=Interval(lo=ci[0], hi=ci[1]) if ci else None)


def test_verdict_notes_name_the_family_and_the_p_before_correction():
    rows = [_row(0.02), _row(0.07), _row(0.3, ci=(-0.2, 0.05)), _row(0.001), _row(None, None, None)]
    assert apply_holm(rows, 0.05) == 4
    assert [r.verdict for r in rows] == ["no detectable change"] * 3 + ["regressed", "no detectable change"]
    assert rows[0].verdict_note == "not significant after correcting for 4 comparisons (p 0.02 before)"
    # The interval excludes 0 but the test does not pass even uncorrected (a bootstrap at few changed cases).
    assert rows[1].verdict_note == "not significant, even before correcting for 4 comparisons (p 0.07)"
    assert rows[2].verdict_note is None and rows[3].verdict_note is None and rows[4].verdict_note is None
    single = [_row(0.2)]
    apply_holm(single, 0.05)
    assert single[0].verdict_note == "not significant, even before correcting for 1 comparison (p 0.2)"
