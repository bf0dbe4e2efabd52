"""Finding 10 (review_migrate2): a case's own checks, cases without persona or category, gate details and trend
charts over one case do not read like findings; and report.html's Robustness section (as scorecard.md's)."""

from __future__ import annotations

from harness.gates.evaluate import _minimum
from harness.history.svg import trends_section
from harness.history.trends import Series, TrendPoint, by_measure
from harness.report.html import render_run_html
from harness.report.markdown import render_scorecard_md
from harness.report.robustness_html import render_robustness_html
from harness.report.tables import single_case_checks, single_case_criteria, summary_rows
from harness.scoring.scorecard import build_scorecard
from harness.scoring.schema import Interval, PairedShift, RobustnessKind
from tests.scoring.factory import CRITERIA, check, manifest, record, sample_records, score


def _own_checks_card():
    """Three cases without persona or category; each carries the eval's check and one of its own."""
    records = []
    for candidate, ok in (("bot_v1", True), ("bot_v2", False)):
        records += [
            record("c1", candidate, persona=None, category=None, judge={"empathy": score(5)},
                   checks={"no_calm_down": check(True), "contains_1001": check(ok)}),
            record("c2", candidate, persona=None, category=None, judge={"empathy": score(4)},
                   checks={"no_calm_down": check(True), "regex_d": check(ok)}),
            record("c3", candidate, persona=None, category=None, judge={"empathy": score(4)},
                   checks={"no_calm_down": check(ok), "max_cost_usd_0.01": check(None)}),
        ]
    return build_scorecard(records, manifest(), CRITERIA)


def test_checks_of_one_case_are_pooled_in_one_row_without_an_interval():
    card = _own_checks_card()
    assert single_case_checks(card) == ["contains_1001", "max_cost_usd_0.01", "regex_d"]
    labels = {row.label: row.cells for row in summary_rows(card)}
    assert "contains_1001 (pass rate)" not in labels and "no_calm_down (pass rate)" in labels
    assert labels["checks of single cases (3, pooled)"] == ["2 of 2 passed · 1 n/a", "0 of 2 passed · 1 n/a"]
    md = render_scorecard_md(card)
    assert "[21, 100]" not in md and "[0, 79]" not in md
    block = md[md.index("<details><summary>Checks of single cases (3)</summary>"):]
    assert "| contains_1001 | pass | fail |" in block and "| max_cost_usd_0.01 | n/a | n/a |" in block


def test_a_check_on_every_case_keeps_its_row():
    card = build_scorecard(sample_records(), manifest(), CRITERIA)
    assert single_case_checks(card) == []


def test_a_run_of_one_case_pools_nothing():
    # review_s21: `--cases c001` (or every other case errored, or only variants besides it) carries each check
    # once; the eval's own checks are not "checks of single cases" then.
    records = [record("c1", candidate, persona=None, category=None, judge={"empathy": score(5)},
                      checks={"no_calm_down": check(True), "apology_wording": check(False)})
               for candidate in ("bot_v1", "bot_v2")]
    records += [record("c2", "bot_v1", persona=None, category=None, judge={}, checks={}, error="server_error")]
    card = build_scorecard(records, manifest(), CRITERIA)
    assert single_case_checks(card) == [] and single_case_criteria(card) == []
    assert "no_calm_down (pass rate)" in {row.label for row in summary_rows(card)}


def test_no_breakdown_of_none_when_no_case_has_a_persona_or_category():
    md = render_scorecard_md(_own_checks_card())
    assert "By persona" not in md and "By category" not in md and "(none)" not in md
    assert "<summary>By persona</summary>" in render_scorecard_md(build_scorecard(sample_records(), manifest(),
                                                                                  CRITERIA))


def test_report_html_folds_them_too():
    page = render_run_html(_own_checks_card(), [], {})
    assert "Checks of single cases (3)" in page and "checks of single cases (3, pooled)" in page
    assert "contains_1001 (check)" not in page  # no interval bar of n = 1


def test_gate_details_count_their_nouns():
    assert "over 1 case meets" in _minimum("bot", "check", "x", 1.0, 1, 0.9, True).detail
    assert "over 1 case," in _minimum("bot", "check", "x", 1.0, 1, 0.9, True, failing_in="r1").detail
    crashed = _minimum("bot", "check", "x", 1.0, 1, 0.9, True, crashed=1).detail
    assert "on 1 record " in crashed and "the other 1 case" in crashed and "cases" not in crashed


def _series(name: str, values: list[float | None]) -> Series:
    return Series("bot", "check", name, "rate",
                  [TrendPoint(f"r{i}", None, v, None, None, 0 if v is None else 1) for i, v in enumerate(values)])


def test_no_trend_chart_for_a_check_that_never_had_a_verdict():
    series = [_series("max_cost_usd_0.01", [None, None]), _series("no_calm_down", [1.0, None])]
    assert list(by_measure(series)) == [("check", "no_calm_down")]
    assert "max_cost_usd_0.01" not in trends_section(series)
    assert trends_section([_series("max_cost_usd_0.01", [None])]) == ""


def _robust_card():
    card = build_scorecard(sample_records(), manifest(), CRITERIA)
    card.candidates["bot_v1"].robustness = {
        "shout": RobustnessKind(n_pairs=20, checks={"apology_wording": PairedShift(
            n=20, original=0.95, variant=0.0, diff=-0.95, ci=Interval(lo=-1.0, hi=-0.57))}),
        "typos <b>": RobustnessKind(n_pairs=20, checks={"apology_wording": PairedShift(
            n=20, original=0.95, variant=0.95, diff=0.0, ci=Interval(lo=-0.17, hi=0.17))}),
    }
    return card


def test_report_html_has_the_robustness_pivot():
    html = render_robustness_html(_robust_card())
    assert html.startswith("<h2>Robustness</h2>")
    assert "95% → 0%, <strong>-95 pp [-100 pp, -57 pp]</strong> (20)" in html
    assert "95% → 95%, +0 pp [-17 pp, +17 pp] (20)" in html
    assert "typos &lt;b&gt;" in html and "<b>" not in html  # a kind's name is escaped
    assert '<div class="scroll"><table>' in html
    page = render_run_html(_robust_card(), [], {})
    assert "<h2>Robustness</h2>" in page
    md = render_scorecard_md(_robust_card())
    assert "95% → 0%, **-95 pp [-100 pp, -57 pp]** (20)" in md  # scorecard.md reads as before


def test_no_robustness_section_without_variants():
    assert render_robustness_html(build_scorecard(sample_records(), manifest(), CRITERIA)) == ""
