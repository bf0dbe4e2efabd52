"""A perturbed run's records row and line count the cases and the perturbed variants apart: "records 20" read as
20 cases where 4 cases and 16 variants ran."""

from __future__ import annotations

from harness.report.markdown import records_text
from harness.report.tables import summary_rows
from harness.scoring.schema import CandidateScores, GroupBreakdown, Scorecard


def _card(variants: int) -> Scorecard:
    by_kind = {"typos": GroupBreakdown(n_records=variants // 2), "shouting": GroupBreakdown(n_records=variants // 2)}
    bot = CandidateScores(name="bot", n_records=4 + variants, by_perturbation=by_kind if variants else {})
    return Scorecard(n_records=4 + variants, candidates={"bot": bot})


def test_the_records_row_and_line_split_cases_and_variants():
    card = _card(16)
    assert summary_rows(card)[0].cells == ["20 (4 cases + 16 perturbed variants)"]
    assert records_text(card) == "20 (4 cases + 16 perturbed variants)"


def test_without_perturb_the_count_is_bare():
    assert summary_rows(_card(0))[0].cells == ["4"] and records_text(_card(0)) == 4
