"""``harness diff --primary``: each pair's Holm family is only the named rows; the others are exploratory
(p unadjusted, marked so in diff.md, diff.html, diff.json and the headline). And the sentence under each
table names the rows that could be significant (Tarone's family), not every row with a p-value."""

from __future__ import annotations

import json
import pytest

from harness.cli.main import main
from harness.compare import DiffOptions, build_diff, parse_primary, write_diff
from harness.compare.paired import mcnemar_exact
from harness.compare.schema import Comparison, DiffReport, DiffRow
from harness.errors import ConfigError
from harness.report.diff_cells import fmt_holm_family
from tests.compare.test_holm_family import _runs


def _row(name: str, agent) -> DiffRow:
    return next(r for r in agent.rows if r.name == name)


def test_a_primary_row_is_its_own_family(tmp_path):
    # 7 pass -> fail on next_step: p 0.016. Over agent's whole family (4) it is not significant; named primary,
    # it is the family (the 3 churning rows and policy are exploratory) and regressed.
    run_a, run_b = _runs(tmp_path, flips=7)
    assert _row("next_step", build_diff(run_a, run_b).comparisons[1]).verdict == "no detectable change"
    report = build_diff(run_a, run_b, DiffOptions(primary=("next_step",)))
    agent = report.comparisons[1]
    row = _row("next_step", agent)
    assert row.p_holm == pytest.approx(mcnemar_exact(7, 0)) and row.verdict == "regressed"
    assert not row.exploratory and (agent.holm_family, agent.holm_tested) == (1, 1)
    others = [r for r in agent.rows if r.name != "next_step"]
    assert all(r.exploratory and r.p_holm is None for r in others)
    assert report.primary == ["next_step"]


def test_an_exploratory_row_reads_its_unadjusted_p_and_says_so_everywhere(tmp_path):
    run_a, run_b = _runs(tmp_path, flips=7)
    report = build_diff(run_a, run_b, DiffOptions(primary=("empathy",)))
    agent = report.comparisons[1]
    row = _row("next_step", agent)
    assert row.exploratory and row.p_holm is None and row.verdict == "regressed"  # p 0.016, unadjusted
    assert agent.headline.startswith("next_step (check) regressed (exploratory, p unadjusted)")
    paths = write_diff(report, tmp_path / "d")
    data = json.loads(paths["json"].read_text())
    saved = next(r for r in data["comparisons"][1]["rows"] if r["name"] == "next_step")
    assert saved["exploratory"] is True and saved["p_holm"] is None and data["primary"] == ["empathy"]
    assert DiffReport.model_validate(data) == report  # reads back whole
    md, html = paths["md"].read_text(), paths["html"].read_text()
    assert "| 0.016 (exploratory) | ▼ regressed (exploratory) |" in md
    for text in (md, html):
        assert "0.016 (exploratory)" in text and "▼ regressed (exploratory)" in text
        assert "4 exploratory rows (not named by --primary)" in text
        assert "Primary rows (--primary): empathy; only they form the family" in text
    # empathy churns 6 each way: p 1, but it could have been significant, so it is the family of 1.
    assert "Holm-adjusted across the 1 primary row of this pair that could be significant." in md


def test_unknown_primary_names_are_one_line_with_the_closest(tmp_path):
    run_a, run_b = _runs(tmp_path, flips=7)
    with pytest.raises(ConfigError) as caught:
        build_diff(run_a, run_b, DiffOptions(primary=("next_step", "empthy")))
    assert caught.value.one_line() == ("--primary: no criterion or check 'empthy' in both runs; did you mean "
                                       "empathy? (rows: empathy, policy, apology_wording, next_step, "
                                       "no_contradiction)")
    with pytest.raises(ConfigError, match="--primary: expected comma-separated"):
        parse_primary(" , ")
    assert parse_primary("empathy, next_step,empathy") == ("empathy", "next_step")


def test_the_cli_passes_primary_and_refuses_a_typo_with_exit_2(tmp_path, capsys):
    run_a, run_b = _runs(tmp_path, flips=7)
    assert main(["diff", str(run_a), str(run_b), "--primary", "nextstep", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("harness: error: --primary: no criterion or check 'nextstep' in both runs; did you mean "
                   "next_step? (rows: empathy, policy, apology_wording, next_step, no_contradiction)")
    assert not (tmp_path / "d").exists()
    assert main(["diff", str(run_a), str(run_b), "--primary", "next_step", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "agent (A) → agent (B): next_step (check) regressed;" in out
    assert "(exploratory, p unadjusted)" not in out  # the churning rows: no change either way


def _comparison(family: int, tested: int | None, p_values: list[float | None], exploratory: int = 0) -> Comparison:
    rows = [DiffRow(kind="check", name=f"c{i}", scale="pass_fail", n_cases=10, p_value=p,
                    exploratory=i < exploratory) for i, p in enumerate(p_values)]
    return Comparison(candidate_a="a", candidate_b="b", rows=rows, holm_family=family, holm_tested=tested)


@pytest.mark.parametrize(("family", "tested", "p_values", "exploratory", "expected"), [
    (1, 0, [1.0, 0.125], 0, "p in parentheses: Holm-adjusted; no row of this pair could be significant at this n "
                            "(too few cases changed on each, whichever way they went), so each reads 1."),
    (1, 1, [0.01], 0, "p in parentheses: Holm-adjusted across the 1 row of this pair that could be significant."),
    (1, 1, [0.01, 1.0], 0, "p in parentheses: Holm-adjusted across the 1 row of this pair that could be "
                           "significant; the other row could not be, whichever way its changed cases went, and "
                           "reads 1."),
    (3, 3, [0.01, 0.02, 0.03, 1.0, 1.0], 0, "p in parentheses: Holm-adjusted across the 3 rows of this pair that "
                                            "could be significant; the other 2 rows could not be, whichever way "
                                            "their changed cases went, and read 1."),
    (5, 5, [0.01] * 5, 0, "p in parentheses: Holm-adjusted across the 5 rows of this pair that could be significant."),
    (5, None, [0.01] * 5, 0, "p in parentheses: Holm-adjusted across the 5 rows of this pair with a p-value."),
    (1, 1, [0.2, 0.01], 1, "p in parentheses: Holm-adjusted across the 1 primary row of this pair that could be "
                           "significant. 1 exploratory row (not named by --primary): its p unadjusted and in no "
                           "family, its verdict marked (exploratory): a lead to check, not a finding."),
    (0, 0, [None, None], 0, "No row has a p-value: no case was graded on both sides."),
])
def test_the_family_sentence_names_the_rows_that_could_be_significant(family, tested, p_values, exploratory,
                                                                      expected):
    assert fmt_holm_family(_comparison(family, tested, p_values, exploratory)) == expected


def test_a_terminal_headline_lists_primary_verdicts_first():
    from harness.compare.diff import headline

    rows = [DiffRow(kind="check", name="x", scale="pass_fail", n_cases=10, p_value=0.01, difference=-0.5,
                    verdict="regressed", exploratory=True),
            DiffRow(kind="criterion", name="y", scale="pass_fail", n_cases=10, p_value=0.01, difference=0.5,
                    verdict="improved")]
    comparison = Comparison(candidate_a="a", candidate_b="b", rows=rows)
    assert headline(comparison).startswith("y improved, x (check) regressed (exploratory, p unadjusted)")
